"""Checking the shape of foreign JSON as importers walk it, so a bad record costs one line, not a crash.

Importers raise `Malformed(pointer, message)` where a value has the wrong shape; `guarded` turns it
(and the KeyError/TypeError/... that an unforeseen shape causes) into the record's one-line
InputError, naming the JSON pointer under the record's place.
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


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for messages ("expected an object, got an array")."""
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def as_object(value: Any) -> dict[str, Any]:
    """An optional object: the value when it is one, else empty (for facts that may be absent or odd)."""
    return value if isinstance(value, dict) else {}


def expect(value: Any, kind: type | tuple[type, ...], pointer: str, what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Malformed(pointer, f"expected {what}, got {json_type(value)}")
    return value


def guarded(doc: Document, place: str | None, read: Callable[[], T]) -> T | InputError:
    """One record read, or its one-line error at `place` (JSONL line) plus the pointer inside it."""
    try:
        return read()
    except Malformed as exc:
        where = f"{place}:{exc.pointer}" if place and exc.pointer else place or exc.pointer or None
        return InputError(doc.name, where, exc.message)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        return InputError(doc.name, place, f"unexpected shape ({type(exc).__name__}: {exc})")


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
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise Malformed(where, f"unexpected shape ({type(exc).__name__}: {exc})") from None


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
