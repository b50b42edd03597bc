"""Reading untrusted JSON and JSONL files into Python values, with errors that name file and place.

Every failure becomes an `InputError` whose `str()` is one line, `file:place: message`, where place
is a line/column, a byte offset or a JSON pointer. Nothing here raises anything else for bad bytes.
"""

from __future__ import annotations

import glob
import hashlib
import json
import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TextIO

import orjson
from isal import isal_zlib

from reviewer.errors import InputError

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
MAX_BYTES_ENV = "REVIEWER_MAX_FILE_BYTES"


def max_bytes_from_env() -> int:
    """The size limit for one input file; the env override lets tests and big projects move it."""
    raw = os.environ.get(MAX_BYTES_ENV)
    if raw is None:
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{MAX_BYTES_ENV}={raw!r} is not a whole number of bytes") from None
    if value <= 0:
        raise ValueError(f"{MAX_BYTES_ENV} must be positive, got {value}")
    return value


# Tokens outside strings that can make a parse fail after the fact: brackets (depth), numbers, constants.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|-?\d[\d.eE+-]*|NaN|-?Infinity')
MAX_DEPTH = 500
_INT_DIGITS = 4300  # CPython's default int/str conversion limit


def _number_problem(token: str) -> str | None:
    if token[0] == '"':
        return None
    if token in ("NaN", "Infinity", "-Infinity"):
        return f"{token} is not valid JSON"
    if set(token) & set(".eE"):
        try:
            return None if math.isfinite(float(token)) else f"number {token[:40]} is too large"
        except ValueError:
            return None
    digits = len(token.lstrip("-"))
    return f"integer with {digits:,} digits is too large" if digits > _INT_DIGITS else None


def _locate(text: str) -> tuple[int, str] | None:
    """Where a text the parser refused after tokenising goes wrong: too deep, or a bad number."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start(), f"JSON nested deeper than {MAX_DEPTH} levels"
        elif token in "]}":
            depth -= 1
        else:
            problem = _number_problem(token)
            if problem:
                return match.start(), problem
    return None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text[:40]} is too large")
    return value


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


# orjson reads JSON about 2.5 times as fast as `json` and gives the same values, except where it
# cannot: an integer beyond 64 bits becomes a float without a word, and it reads 1,024 levels of
# nesting where `json` (CPython 3.11) stops at the recursion limit less the frames above it. So it
# reads only texts without 19 digits in a row (no such integer; found at C speed: every digit mapped
# to "0", then one search) and, inside _WRAP arrays, no deeper than 900 levels. Whatever it refuses
# (NaN and Infinity, lone surrogates, overflowing floats, a BOM, any syntax error) goes to `json`,
# which gives the value or the error it always gave.
_DIGITS = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_RUN = b"0" * 19
_WRAP = 124
_DEEPEST = 1024 - _WRAP  # the nesting orjson reads inside the wrapper; `json` reads it too
_COUNTED = 32 << 10  # texts up to this size have their brackets counted (see `_orjson`)


def orjson_exact(data: bytes) -> bool:
    """Whether orjson reads every number of `data` exactly (see above): no 19 digits in a row."""
    return _LONG_RUN not in data.translate(_DIGITS)


_REFUSED = object()
_JSON_SPACE = " \t\r"  # the whitespace JSON allows before a value (a line holds no newline)
_VALUE_STARTS = frozenset('{["-0123456789tfn')  # what a JSON value can start with


def _opened(text: bytes | str) -> int:
    """Opening brackets in `text`, in strings or not: no value in it nests deeper."""
    return text.count(b"[") + text.count(b"{") if isinstance(text, bytes) else text.count("[") + text.count("{")


def _orjson(text: bytes | str) -> Any:
    """`text` read by orjson, or _REFUSED where `json` must decide (see above). A short text with no
    more than 900 opening brackets cannot nest deeper, so it is read as it is: wrapping and unwrapping
    cost about 20 µs whatever the size, six times the parse of a JSONL line of a few hundred bytes (a
    Codex rollout has hundreds), while counting the brackets costs 0.65 µs per kB (more than the
    wrapper past `_COUNTED` bytes: a 75 kB native file)."""
    if len(text) <= _COUNTED and _opened(text) <= _DEEPEST:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return _REFUSED
    wrapped = b"[" * _WRAP + text + b"]" * _WRAP if isinstance(text, bytes) else "[" * _WRAP + text + "]" * _WRAP
    try:
        value = orjson.loads(wrapped)
    except orjson.JSONDecodeError:
        return _REFUSED
    for _ in range(_WRAP):
        if type(value) is not list or len(value) != 1:  # no value, or brackets of the text closed a wrapper: `1], [2`
            return _REFUSED
        value = value[0]
    return value


def loads(file: str, text: str, line: int | None = None, *, exact: bool = False) -> Any:
    """Parse one JSON value strictly (no NaN/Infinity, no overflowing numbers); `line` is for JSONL.
    `exact`: the caller found `orjson_exact` true of the bytes the text came from, so orjson may try."""
    if exact and (value := _orjson(text)) is not _REFUSED:
        return value
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        where_line, col = exc.lineno, exc.colno
        if line is not None:
            where_line = line
        raise InputError(file, f"{where_line}:{col}", f"invalid JSON: {exc.msg}") from None
    except (RecursionError, ValueError) as exc:  # nesting, int digit limit, constants, infinite floats
        found = _locate(text)
        if found is None:
            raise InputError(file, f"{line}" if line else None, f"invalid JSON: {exc}") from None
        where_line, col = _line_col(text, found[0])
        raise InputError(file, f"{line or where_line}:{col}", found[1]) from None


def dumps(value: Any) -> str:
    """Compact JSON text of values read from JSON, as the store keeps them (UTF-8 kept, control
    characters escaped): by orjson, about nine times the standard encoder on the import's hot path
    (every step's tool calls, ~0.2 s per 100,000 steps saved); by the standard encoder what orjson
    refuses (integers beyond 64 bits, lone surrogates). orjson would write NaN as null, but no NaN
    gets this far: `loads` refuses it in input."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _outcome(value: Any) -> Any:
    if isinstance(value, InputError):
        raise value.with_traceback(None)
    return value


@dataclass
class Document:
    """One input file as bytes, with its text and parsed forms computed once and shared by sniffers."""

    path: Path
    data: bytes
    # The size limit the caller read this file under; formats that read more (continuations, archive
    # members) keep to it rather than the environment's.
    max_bytes: int = field(default_factory=max_bytes_from_env)
    # Whether the person vouched for symbolic links leading out of the folders read (`--follow-symlinks`):
    # formats that read a file's neighbours (folder formats) follow such links only then.
    follow_symlinks: bool = False

    @property
    def name(self) -> str:
        return str(self.path)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def text(self) -> str:
        return _outcome(self._text)

    @property
    def value(self) -> Any:
        """The whole file as one JSON value (raises InputError if it is not one)."""
        return _outcome(self._value)

    # The outcome, error included, is what is cached: every sniffer asks, and a broken 20 MB file
    # would otherwise be decoded and parsed again by each of them (eight parses before its one error).

    @cached_property
    def _text(self) -> str | InputError:
        nul = self.data.find(b"\x00")
        if nul >= 0:
            return InputError(self.name, f"byte {nul}", "NUL byte: binary data, not a JSON text file")
        try:
            return self.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = self.data.count(b"\n", 0, exc.start) + 1
            return InputError(self.name, f"{line}", f"not valid UTF-8 (byte {exc.start}: {exc.reason})")

    @cached_property
    def _value(self) -> Any:
        try:
            text = self.text
            # orjson reads the bytes: a NUL, invalid UTF-8 or a BOM is an error to it, as the text's was
            if self._exact and (value := _orjson(self.data)) is not _REFUSED:
                return value
            if not text.strip():
                return InputError(self.name, "1:1", "empty file: no JSON value")
            return loads(self.name, text)
        except InputError as exc:
            return exc

    @cached_property
    def _exact(self) -> bool:
        return orjson_exact(self.data)

    def looks_like_jsonl(self) -> bool:
        """More than one non-blank line, each starting like an object: worth reading line by line."""
        return len(self._head_lines) > 1 and all(line.startswith("{") for line in self._head_lines)

    @cached_property
    def _head_lines(self) -> list[str]:
        """The first three non-blank lines, stripped, found without splitting the whole text."""
        text, pos = self.text, 0
        lines: list[str] = []
        while len(lines) < 3 and pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            if line := text[pos:end].strip():
                lines.append(line)
            pos = end + 1
        return lines

    def head_values(self, limit: int) -> Iterator[Any]:
        """The values of the first `limit` non-blank lines of a JSONL text that parse, without splitting
        the whole (maybe huge) file; a broken line is passed over (the reader reports it), so it cannot
        hide a file from its format. A line whose first character cannot start a JSON value is passed
        over unparsed: sniffers ask for thousands of lines of a Markdown or log file, and a failed
        parse with its error cost 10 µs a line (half the CPU of reading a 13 kB Aider history)."""
        text, pos, seen = self.text, 0, 0
        while seen < limit and pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            line, pos = text[pos:end], end + 1
            if line.strip():
                seen += 1
                if line.lstrip(_JSON_SPACE)[:1] not in _VALUE_STARTS:
                    continue
                try:
                    yield loads(self.name, line, exact=self._exact)
                except InputError:
                    continue

    @cached_property
    def compressed(self) -> bytes:
        """The original bytes as the store keeps them: a zlib stream (`zlib.decompress` reads it), written
        by ISA-L at level 1, about four times as fast as zlib's own fastest level and 2 % larger (a
        75 kB native file: 0.09 ms and 10.8 kB against zlib's 0.35 ms and 10.6 kB)."""
        return isal_zlib.compress(self.data, 1)

    def records(self) -> Iterator[tuple[int, Any | InputError]]:
        """Each non-blank line as (line number, value or the error for that line); the batch carries on."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, loads(self.name, line, number, exact=self._exact)
            except InputError as exc:
                yield number, exc


def read_document(path: Path, max_bytes: int, *, follow_symlinks: bool = False) -> Document:
    """The file's bytes, refusing directories, unreadable files and anything over the size limit."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(name, None, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit ({MAX_BYTES_ENV})")
        with path.open("rb") as handle:
            data = handle.read(size + 1)  # sized by stat: read(max_bytes) would allocate the limit
            if len(data) > size:  # grew since stat: read on, but never past the limit
                data += handle.read(max_bytes + 1 - len(data))
    except OSError as exc:
        raise InputError(name, None, exc.strerror or str(exc)) from None
    if len(data) > max_bytes:
        raise InputError(name, None, f"file grew past the {max_bytes:,}-byte limit while being read")
    return Document(path, data, max_bytes, follow_symlinks)


def _running(pid: int) -> bool:
    """Whether process `pid` exists here (a zombie counts); only asked on POSIX, where signal 0 only
    checks (on Windows `os.kill` would end the process), so elsewhere every process counts as running."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True


def _remove_stale_temporaries(path: Path) -> None:
    """Remove the temporaries of `path` that no live writer owns: a writer killed half-way (an export
    of 100 MB) cannot remove its own, and its pid may come back to a later writer."""
    prefix = f".{path.name}."
    for tmp in path.parent.glob(glob.escape(prefix) + "*.tmp"):
        pid = tmp.name[len(prefix) : -len(".tmp")]
        if pid.isdigit() and (int(pid) == os.getpid() or not _running(int(pid))):
            tmp.unlink(missing_ok=True)


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """The temporary sibling to write, moved into place on success, removed on failure."""
    _remove_stale_temporaries(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_write(path: Path) -> Iterator[TextIO]:
    """A text file written through a temporary sibling and moved into place on success: readers never
    see half a file, a failure leaves no partial file, and two writers never share a temporary.
    Temporaries that killed writers left behind are removed first."""
    with _replacing(path) as tmp, tmp.open("x", encoding="utf-8", newline="") as out:
        yield out


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """`atomic_write` for bytes known in full (a model file)."""
    with _replacing(path) as tmp, tmp.open("xb") as out:
        out.write(data)
