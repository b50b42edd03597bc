"""What a shell command or a piece of Python does to files, read without running it.

`shell_writes` and `python_writes` turn code into these operations; `edit_reconstruction.FileTracker`
applies them to the file contents it knows and records one `FileEdit` per file touched. Paths are
already resolved against the working directory the code ran in (relative when that is unknown).
A content of None means the code does not say what was written (`sed -i`, a computed string):
it stays unknown, never guessed. `source` is "bash" or "python": which language wrote it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Write:
    """The file's content replaced (or, `append`, extended) by `content`; None: unknown content."""

    path: str
    content: str | None
    source: str
    append: bool = False


@dataclass(frozen=True)
class InPlace:
    """The file edited where it is by a program whose effect is not computed here (`sed -i`, `perl -pi`)."""

    path: str
    source: str


@dataclass(frozen=True)
class Copy:
    src: str
    dst: str
    source: str
    recursive: bool = False


@dataclass(frozen=True)
class Move:
    src: str
    dst: str
    source: str


@dataclass(frozen=True)
class Delete:
    path: str
    source: str
    recursive: bool = False


@dataclass(frozen=True)
class Patch:
    """A unified diff (or apply_patch envelope) applied in `cwd`; `strip` is patch's -pN (None: git's 1)."""

    text: str
    cwd: str | None
    source: str
    strip: int | None = None
    reverse: bool = False


@dataclass(frozen=True)
class Restore:
    """Files put back as the repository has them (`git checkout -- f`, `git restore`, `git reset --hard`).

    `paths` None: every file changed so far under `under` (None: anywhere). `revision` names another
    commit than the current one (its content is then unknown)."""

    paths: tuple[str, ...] | None
    under: str | None
    source: str
    revision: str | None = None


@dataclass(frozen=True)
class Stash:
    """`git stash` (`pop` False: the changes saved and undone) or `git stash pop|apply` (put back)."""

    paths: tuple[str, ...] | None
    source: str
    pop: bool = False


@dataclass(frozen=True)
class Commit:
    """`git commit`: what the repository holds changes, so a later restore goes back to this state."""

    source: str


FileOp = Write | InPlace | Copy | Move | Delete | Patch | Restore | Stash | Commit


class KnownFiles(Protocol):
    """What the code reader may ask of the files it writes: their content as far as known so far."""

    def content(self, path: str) -> str | None: ...

    def paths_under(self, directory: str) -> list[str]:
        """Files known to exist inside `directory` (for `rm -r`, `cp -r`, globs)."""
        ...

    def named(self, name: str) -> bool:
        """Whether the content of a file with this base name is known (a script the code may run)."""
        ...


ShellReader = Callable[[str, str | None, KnownFiles, int], Iterator[FileOp]]
"""`shell_ops(script, cwd, files, depth)`: how Python code that runs a shell command is read."""


MAX_CONTENT = 10_000_000  # characters: content computed past this (`cat f >> f` again and again) is unknown


def bounded(text: str | None) -> str | None:
    """`text`, or None when it grew past what a real file write gives (a hostile loop of appends)."""
    return text if text is None or len(text) <= MAX_CONTENT else None


def resolve(path: str, cwd: str | None) -> str:
    """`path` as seen from `cwd` (normalised; relative when the working directory is unknown)."""
    if cwd and not path.startswith("/"):
        path = posixpath.join(cwd, path)
    normal = posixpath.normpath(path)
    return "/" + normal.lstrip("/") if normal.startswith("//") else normal
