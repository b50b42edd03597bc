"""orjson reads input where it gives exactly what the standard parser gives; everywhere else `json` decides.

The reference is `jsonio.loads` without `exact`: the standard parser, as every file was read before
orjson was let in. Each case is read as a whole file and as a JSONL line, and must give the same value
(types, key order and all) or the same one-line error.
"""

from __future__ import annotations

import json
import math
import random
import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.errors import InputError
from reviewer.jsonio import Document, loads, orjson_exact, read_document

from .test_fuzz import json_values

BIG = "123456789012345678901234567890"
CASES = {
    "big integer": '{"n": ' + BIG + "}",
    "negative beyond 64 bits": '{"n": -9223372036854775809}',
    "largest unsigned 64-bit": '{"n": 18446744073709551615}',
    "one past it": '{"n": 18446744073709551616}',
    "long fraction": '{"x": 0.1000000000000000055511151231257827}',
    "lone surrogate": '{"s": "\\ud800 and \\udfff"}',
    "surrogate pair": '{"s": "\\ud83d\\ude00"}',
    "duplicate keys": '{"a": 1, "b": 2, "a": 3}',
    "nested duplicate keys": '{"x": {"k": [1], "j": 0, "k": {"deep": true}}}',
    "NaN": '{"x": NaN}',
    "Infinity": '{"x": [1, Infinity]}',
    "-Infinity": '{"x": -Infinity}',
    "overflowing float": '{"x": 1e400}',
    "underflowing float": '{"x": 1e-400}',
    "negative zero": '{"x": -0, "y": -0.0}',
    "control character": '{"s": "a\x01b"}',
    "escaped NUL": '{"s": "a\\u0000b"}',
    "trailing comma": '{"a": [1,]}',
    "leading zero": '{"a": 01}',
    "4,300-digit integer": '{"n": ' + "7" * 4300 + "}",
    "4,301-digit integer": '{"n": ' + "7" * 4301 + "}",
    "nested 600 deep": "[" * 600 + "]" * 600,
    "nested 1,000 deep": "[" * 1000 + "]" * 1000,  # orjson would read it; `json` here does not
    "nested 1,030 deep": "[" * 1030 + "]" * 1030,
    "two values": "1], [2",  # empty and blank files: tests/bad_inputs (test_bad_input.py)
    "closing brackets": "]]",
    "an unclosed array": "[1",
    "two arrays": "[1] [2]",
    "unicode and escapes": '{"s": "caf\\u00e9 \\n \\"q\\" \u00e9\u4e2d", "t": "\\/"}',
}


def _reference(path: Path, text: str) -> Any:
    try:
        return loads(str(path), text)
    except InputError as exc:
        return f"error: {exc}"


def _read(path: Path) -> Any:
    try:
        return read_document(path, 1 << 30).value
    except InputError as exc:
        return f"error: {exc}"


def _same(a: Any, b: Any) -> bool:
    """Equal as values, with the same types and key order all the way down (1 == 1.0 is not enough);
    walked with a list, not recursion, for the deeply nested cases."""
    pending = [(a, b)]
    while pending:
        x, y = pending.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            if list(x) != list(y):
                return False
            pending.extend((x[k], y[k]) for k in x)
        elif isinstance(x, list):
            if len(x) != len(y):
                return False
            pending.extend(zip(x, y, strict=True))
        elif not (x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))):
            return False
    return True


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_file_reads_as_the_standard_parser_reads_it(name: str, tmp_path: Path) -> None:
    text = CASES[name]
    path = tmp_path / "f.json"
    path.write_text(text, encoding="utf-8")
    assert _same(_read(path), _reference(path, text)), name


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_jsonl_line_reads_as_the_standard_parser_reads_it(name: str, tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text('{"first": 1}\n' + CASES[name] + "\n", encoding="utf-8")
    records = list(read_document(path, 1 << 30).records())
    assert len(records) == 2
    got = records[1][1]
    try:
        expected = loads(str(path), CASES[name], 2)
    except InputError as exc:
        assert isinstance(got, InputError) and str(got) == str(exc), name
    else:
        assert _same(got, expected), name


def test_the_guards_are_needed() -> None:
    """What orjson alone would get wrong, so the cases above test something."""
    assert orjson.loads(BIG) == float(BIG)  # silently a float
    orjson.loads("[" * 1000 + "]" * 1000)  # reads what `json` here refuses
    assert not orjson_exact(BIG.encode()) and orjson_exact(b'{"n": 1234567890123456789.5e3}') is False
    assert orjson_exact(b'{"n": 123456789012345678, "sha": "a1b2"}')


def test_a_bom_and_invalid_bytes_keep_their_errors(tmp_path: Path) -> None:
    bom = tmp_path / "bom.json"
    bom.write_bytes(b'\xef\xbb\xbf{"a": [1, 2]}')
    assert _read(bom) == {"a": [1, 2]}
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"a": "\xed\xa0\x80"}')  # a surrogate encoded in UTF-8: not valid UTF-8
    assert _read(bad) == f"error: {bad}:1: not valid UTF-8 (byte 7: invalid continuation byte)"


def test_random_numbers_read_alike(tmp_path: Path) -> None:
    rng = random.Random(13)
    numbers = []
    for _ in range(3000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 24))).lstrip("0") or "0"
        cut = rng.randint(1, len(digits))
        number = digits[:cut] + (f".{digits[cut:]}" if cut < len(digits) else "")
        number += f"e{rng.randint(-330, 310)}" if rng.random() < 0.4 else ""
        numbers.append(("-" if rng.random() < 0.3 else "") + number)
    text = "[" + ", ".join(n for n in numbers if math.isfinite(float(n))) + "]"
    short = "[" + ", ".join(n for n in numbers if len(n) < 19 and math.isfinite(float(n))) + "]"  # orjson's own
    for k, body in enumerate((text, short)):
        path = tmp_path / f"n{k}.json"
        path.write_text(body, encoding="utf-8")
        assert _same(_read(path), _reference(path, body))
    assert orjson_exact(short.encode()) and not orjson_exact(text.encode())


def test_the_stored_original_decompresses_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(json.dumps({"x": "é" * 5000, "y": list(range(3000))}).encode())
    doc = Document(path, path.read_bytes())
    assert zlib.decompress(doc.compressed) == doc.data
    assert len(doc.compressed) < len(doc.data) / 4


JSONISH = st.text(alphabet='[]{}",: 0123456789-+.eEtrufalsn\\\n', min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=400, deadline=None)
@given(text=JSONISH | json_values.map(json.dumps))
def test_any_text_reads_as_the_standard_parser_reads_it(text: str) -> None:
    """Broken or not, a text reads as `json` reads it: the wrapper orjson reads in never makes a broken
    text whole (`1], [2`), nor a whole one broken."""
    data = text.encode()
    doc = Document(Path("f.json"), data)
    try:
        got: Any = doc.value
    except InputError as exc:
        got = f"error: {exc}"
    assert _same(got, _reference(Path("f.json"), text))


LINES = st.lists(
    st.text(alphabet='[]{}",: 0123456789-+.etrufalsnNI#>\t\r\x0b\ufeffé', max_size=12) | json_values.map(json.dumps),
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(lines=LINES, limit=st.integers(1, 14))
def test_head_values_are_the_values_json_reads_from_the_first_lines(lines: list[str], limit: int) -> None:
    """The values a sniffer sees are those the strict parser reads from the first `limit` non-blank
    lines, broken lines passed over; lines that cannot start a value are passed over unparsed, with the
    same result."""
    doc = Document(Path("f.jsonl"), "\n".join(lines).encode())
    expected = []
    for line in [x for x in doc.text.split("\n") if x.strip()][:limit]:
        try:
            expected.append(loads("f.jsonl", line))
        except InputError:
            continue
    assert _same(list(doc.head_values(limit)), expected)
