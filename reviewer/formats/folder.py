"""Reading the other files of a folder that is one trajectory (a Cline task, an OpenHands V1
conversation, a Harbor trial).

The importer hands a format one file at a time. A folder format names one file of the folder its
lead (`lead(path)` on the format, see `formats.lead_file`); the importer reads each folder once,
through its lead, and the format reads the folder's other files through `FolderFiles`. Those reads
stay inside the folder: a file that is a symbolic link leading out of it is not read (a downloaded
run must not make the import read, and make searchable, a file elsewhere) unless the person asked
for links to be followed, and what was left unread is said in a note.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.jsonio import Document, InputError, read_document


def sibling(path: Path, name: str) -> Path | None:
    """`name` beside `path` when it is a file (a cheap test for `lead`: no content is read)."""
    found = path.parent / name
    return found if found.is_file() else None


class FolderFiles:
    """The files of one folder a format reads whole, read under the first file's size limit and link policy."""

    def __init__(self, doc: Document, root: Path):
        self.doc = doc
        self.root = root
        self.notes: list[str] = []
        self._real_root = root.resolve()
        self._plain: dict[Path, bool] = {root: True}  # folders under the root reached without a link

    def _inside(self, path: Path) -> bool:
        """Whether `path` stays in the folder: no link on the way (cheap), or a link that resolves inside."""
        if self.doc.follow_symlinks or (not path.is_symlink() and self._plain_folder(path.parent)):
            return True
        return path.resolve().is_relative_to(self._real_root)

    def _plain_folder(self, folder: Path) -> bool:
        if folder not in self._plain:
            self._plain[folder] = folder != folder.parent and not folder.is_symlink() and self._plain_folder(folder.parent)
        return self._plain[folder]

    def path(self, relative: str | Path) -> Path | None:
        """The file at `relative` inside the folder, or None when there is none or it leads out (noted)."""
        path = self.root / relative
        if not path.is_file():
            return None
        if not self._inside(path):
            self.notes.append(f"{relative}: symbolic link leading outside {self.root}: not read")
            return None
        return path

    def read(self, relative: str | Path) -> Document | None:
        """The file at `relative` (the document being imported when it is that file); None when it is
        missing or leads out. An unreadable file raises its InputError: the caller decides what it costs."""
        path = self.path(relative)
        return None if path is None else self.read_path(path)

    def read_path(self, path: Path) -> Document:
        """A file `path` or `listing` already found inside the folder."""
        if path == self.doc.path:
            return self.doc
        return read_document(path, self.doc.max_bytes, follow_symlinks=self.doc.follow_symlinks)

    def value(self, relative: str | Path) -> object | None:
        """The parsed JSON of an optional file; an unreadable or invalid one becomes a note and None."""
        try:
            found = self.read(relative)
            return None if found is None else found.value
        except InputError as exc:
            self.notes.append(f"{relative} not read: {exc.message}" + (f" (at {exc.place})" if exc.place else ""))
            return None

    def listing(self, relative: str, pattern: str) -> list[Path]:
        """Files matching `pattern` in the sub-folder `relative`, in name order (links out are left out, noted)."""
        folder = self.root / relative
        if not folder.is_dir() or not self._inside(folder):
            return []
        found = []
        for path in sorted(folder.glob(pattern)):
            if not path.is_file():
                continue
            if self._inside(path):
                found.append(path)
            else:
                self.notes.append(f"{relative}/{path.name}: symbolic link leading outside {self.root}: not read")
        return found
