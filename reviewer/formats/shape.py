"""Checking the shape of foreign JSON as importers walk it, so a bad record costs one line, not a crash.

One way for every importer to report a bad record:
- the wording: a value of the wrong type is "expected <what>, got <JSON type>" (`expected`); a shape
  nobody foresaw, which Python trips on, is "unexpected shape (KeyError: 'x')";
- the place syntax (`place`): `12:/message/content` (JSONL line 12, or an archive member, then the
  JSON pointer inside that record), `/samples/3/id` (a pointer from the top of a JSON file), `12` (a
  whole line), nothing for the whole file;
- the helper: importers raise `Malformed(pointer, message)` where a value has the wrong shape, and
  `bad_record` (through `guarded`, or directly) turns it, or an unforeseen shape's KeyError/TypeError/...,
  into the record's one-line InputError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from reviewer.jsonio import Document, InputError

_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
T = TypeVar("T")


class Malformed(ValueError):
    """A value of the wrong shape at a JSON pointer inside one record."""

    def __init__(self, pointer: str, message: str):
        super().__init__(message)
        self.pointer = pointer
        self.message = message


# What a record of an unforeseen shape raises while an importer walks it (Malformed included).
SHAPE_ERRORS = (Malformed, KeyError, TypeError, AttributeError, ValueError)


def expected(what: str, value: Any) -> str:
    """The one wording of a value of the wrong type: "expected an object, got an array"."""
    return f"expected {what}, got {json_type(value)}"


def place(record: str | int | None, pointer: str | None = None) -> str | None:
    """The one place syntax: a pointer inside the record at `record` (a JSONL line number, an archive
    member, or a JSON pointer, which the inner pointer continues); None for the whole file."""
    where = None if record is None else str(record)
    if not pointer:
        return where
    if where is None or where.startswith("/"):
        return f"{where or ''}{pointer}"
    return f"{where}:{pointer}"


def bad_record(file: str, record: str | int | None, exc: Exception) -> InputError:
    """The one report of a bad record in `file` at `record` (see `place`): a `Malformed` value's message
    at its pointer, or "unexpected shape (...)" for what Python tripped on."""
    if isinstance(exc, Malformed):
        return InputError(file, place(record, exc.pointer), exc.message)
    return InputError(file, place(record), unforeseen(exc))


def unforeseen(exc: Exception) -> str:
    """The one wording of a shape nobody foresaw: what Python tripped on."""
    return f"unexpected shape ({type(exc).__name__}: {exc})"


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for messages ("expected an object, got an array")."""
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def as_object(value: Any) -> dict[str, Any]:
    """An optional object: the value when it is one, else empty (for facts that may be absent or odd)."""
    return value if isinstance(value, dict) else {}


def expect(value: Any, kind: type | tuple[type, ...], pointer: str, what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Malformed(pointer, expected(what, value))
    return value


def guarded(doc: Document, record: str | None, read: Callable[[], T]) -> T | InputError:
    """One record read, or its one-line error (`bad_record`) at `record` plus the pointer inside it."""
    try:
        return read()
    except SHAPE_ERRORS as exc:
        return bad_record(doc.name, record, exc)


def optional(value: Any, kind: type[dict] | type[list], pointer: str, what: str) -> Any:
    """A field that may be absent (null): an empty dict or list then, else it must have the right type."""
    return kind() if value is None else expect(value, kind, pointer, what)


def each(items: list[Any], pointer: str, handle: Callable[[int, Any, str], None]) -> None:
    """`handle(index, item, pointer)` for every item; an odd shape Python trips on is reported at its item."""
    for index, item in enumerate(items):
        where = f"{pointer}/{index}"
        try:
            handle(index, item, where)
        except Malformed:
            raise
        except SHAPE_ERRORS as exc:
            raise Malformed(where, unforeseen(exc)) from None


def whole_value(doc: Document) -> Any:
    """The parsed file, or None for JSONL (for formats that never write one value per line)."""
    return None if doc.looks_like_jsonl() else doc.value


def leftovers(item: dict[str, Any], mapped: set[str] | frozenset[str]) -> dict[str, Any]:
    """What a message carries beyond the mapped keys (empty values are noise, not information)."""
    return {k: v for k, v in item.items() if k not in mapped and v not in (None, "", [], {})}


def dig(value: Any, *keys: str) -> Any:
    """`value[k1][k2]...`, or None as soon as a level is missing or not an object."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value
