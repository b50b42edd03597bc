"""Files beside a file, for runs that one tool splits over several files (continuations, resumed
sessions). Only the file's own folder is looked in, and a link there leading out of it is never
followed: a downloaded run must not make the import read a file elsewhere.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from reviewer.jsonio import Document, InputError, read_document

# Documents read beside others, by (path, size, modification time, size limit). Every file of a
# chain of N reads the whole chain: without this a folder holding it parses N² files, with it N.
_READ: OrderedDict[tuple[str, int, int, int], Document] = OrderedDict()
_READ_BUDGET = 16 << 20  # bytes of files kept (their parsed values take several times that)


def inside(path: Path, folder: Path) -> bool:
    """Whether `path` is a file in `folder` that stays there once links are resolved."""
    try:
        return path.parent == folder and path.is_file() and path.resolve().parent == folder.resolve()
    except OSError:
        return False


def beside(path: Path, pattern: str) -> list[Path]:
    """The other files of `path`'s folder matching a glob pattern, in name order."""
    folder = path.parent
    return [p for p in sorted(folder.glob(pattern)) if p != path and inside(p, folder)]


def read_beside(path: Path, max_bytes: int) -> Document:
    """`read_document` for a file beside the one being read, remembered (with its parse, which is what
    costs) while the file keeps its size and modification time; the least recently read go first."""
    try:
        info = path.stat()
        key = (str(path.resolve()), info.st_size, info.st_mtime_ns, max_bytes)
    except OSError as exc:
        raise InputError(str(path), None, exc.strerror or str(exc)) from None
    doc = _READ.get(key)
    if doc is not None:
        _READ.move_to_end(key)
        return doc
    doc = read_document(path, max_bytes)
    if len(doc.data) <= _READ_BUDGET:
        _READ[key] = doc
        total = sum(len(d.data) for d in _READ.values())
        while total > _READ_BUDGET:
            total -= len(_READ.popitem(last=False)[1].data)
    return doc
