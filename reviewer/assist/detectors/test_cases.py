"""The test cases the agent was shown, as values: each call's literal inputs and its expected result.

A special case is code keyed to the exact inputs of the tests. Real ones use short numbers and plain
words (`if n == 458753 and m == 591009`, `if key == (19, 50, 2)`, `if word == "banana"`), so a
literal's length says little; what says a lot is that the literals of one condition are the inputs
of one test call. This module reads those calls from the tests' text (`base.test_corpus`):
`assert f(19, 50, 2) == 14`, `assertEqual(f(3), 6)`, `expect(f(1, 7)).toBe(8)`, doctest examples,
and rows of parametrised tables `(1, 7, 8),` (inputs, then the expected value).

Values are compared as (kind, text): numbers normalised (`7`, `7.0` → `7`), strings by their
characters between the quotes. Trivial values (0, 1, 2, -1, strings of at most one character) are
inputs of every other test and base case of every recursion: they never make a case on their own.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from reviewer.assist.detectors.base import LITERAL, kept_results

Value = tuple[str, str]  # ("n", "7") or ("s", "banana")
Case = tuple[Value, ...]

_LIT = LITERAL.pattern
# The same literals without named groups, for patterns that hold several.
PLAIN_LITERAL = re.sub(r"\(\?P<\w+>", "(?:", _LIT)
# A call and its arguments, which may hold one level of brackets (`f(7, 8, 9, [(3, 6), (6, 3)])`).
# The arguments end on a character that is not whitespace (or are empty), and the runs around them are
# possessive: ending the lazy arguments at each place inside a run of whitespace and reading the rest of
# the run each time cost quadratic time; the same arguments are found.
_CALL = re.compile(r"(?<![\w.])(?P<name>[A-Za-z_][\w.]*)\s*\(\s*+(?P<args>(?:(?:[^()\n]|\([^()\n]*\))*?(?<!\s))?)\s*+\)")
# A list of literals is one value (`median([4, 1, 3, 2])`), and so is a list or tuple of tuples of
# literals (`[(3, 6), (6, 3)]`, or `((3, 6), (6, 3))` where code compares `tuple(tiles)`), read as its
# literals in order; other tuples and sets are read element by element.
_LIST = rf"\[\s*(?:{PLAIN_LITERAL})(?:\s*,\s*(?:{PLAIN_LITERAL}))*\s*,?\s*\]"
_TUPLE = rf"[\[(]\s*(?:{PLAIN_LITERAL})(?:\s*,\s*(?:{PLAIN_LITERAL}))*\s*,?\s*[\])]"
NESTED = rf"[\[(]\s*(?:{_TUPLE})(?:\s*,\s*(?:{_TUPLE}))*\s*,?\s*[\])]"
_ARGUMENT = re.compile(rf"{NESTED}|{_LIST}|{PLAIN_LITERAL}")
_ARGS = re.compile(rf"(?:(?:[A-Za-z_]\w*\s*=\s*)?(?:{NESTED}|{_LIST}|{PLAIN_LITERAL})\s*(?:,\s*|$))+")
# Possessive runs (`*+`) wherever what follows cannot start with what the run holds: giving characters
# back would find no other match, and backtracking through two adjacent runs of whitespace costs
# quadratic time on a hostile line.
_AFTER = re.compile(rf"\)*+\s*+(?:==|===|,|\)?\s*+\.to(?:Be|Equal|StrictEqual)\()\s*+(?P<expected>{_LIT})")
# The prompt's indent stays on its line, and the whitespace between the call and its result is read once
# (the line's end, then every blank line): `\s*` from each line start of a run of blank lines, and two
# runs around one newline, cost quadratic time. A prompt below a blank line is read from its own line.
_DOCTEST = re.compile(rf"^[^\S\n]*+>>> .*\)[^\S\n]*+\n\s*+(?P<expected>{_LIT})\s*$", re.MULTILINE)
# A row starts on its own line and ends at the end of a line: read from the start of each line, a
# leading `\s*` crossed every blank line below (quadratic in a run of them), and a trailing
# `\s*,?\s*` backtracked through the whitespace after the row (the same rows are found).
_ROW = re.compile(
    rf"^[^\S\n]*+[\[(]\s*+(?P<row>(?:{PLAIN_LITERAL})(?:\s*+,\s*+(?:{PLAIN_LITERAL}))+)\s*+,?\s*+[\])][^\S\n]*+,?[^\S\n]*+$",
    re.MULTILINE,
)
# Calls that are not the code under test.
_NOT_UNDER_TEST = frozenset(
    {"print", "len", "range", "str", "int", "float", "bool", "list", "tuple", "set", "dict", "open", "format", "round",
     "isinstance", "getattr", "hasattr", "setattr", "type", "repr", "abs", "min", "max", "sum", "sorted", "enumerate",
     "zip", "map", "filter", "assert", "assertEqual", "assertTrue", "assertFalse", "expect", "approx", "skip",
     "Exception", "AssertionError", "ValueError", "TypeError", "KeyError", "Decimal", "Fraction", "line", "File"}
)  # fmt: skip
# What a line that checks a result holds: only such lines' calls are test cases (a traceback's
# `File "x", line 3` is not).
_CHECKS = ("==", "assert", "expect", "Equal", ".toBe", ">>>")
_TRIVIAL_NUMBERS = frozenset({"0", "1", "2", "-1"})


def value(match: re.Match[str]) -> Value:
    """A LITERAL match as a comparable value."""
    number = match.group("num")
    if number is not None:
        return ("n", _number(number))
    text = match.group("dq")
    return ("s", text if text is not None else match.group("sq") or "")


def _number(text: str) -> str:
    as_float = float(text)
    return str(int(as_float)) if as_float.is_integer() and abs(as_float) < 1e15 else repr(as_float)


def values(text: str, start: int = 0, end: int | None = None) -> list[Value]:
    """Every literal of `text[start:end]`, in order."""
    return [value(m) for m in LITERAL.finditer(text, start, len(text) if end is None else end)]


def arguments(text: str) -> list[Value]:
    """The literals of `text` with each list of literals, or sequence of tuples, as one value ("l", "4,1,3,2")."""
    found = []
    for m in _ARGUMENT.finditer(text):
        if m.group().startswith("[") or m.group().count("(") > 1:
            found.append(("l", ",".join(v for _, v in values(m.group()))))
        else:
            found.extend(values(m.group()))
    return found


def trivial(v: Value) -> bool:
    return v[1] in _TRIVIAL_NUMBERS if v[0] == "n" else len(v[1]) <= 1 if v[0] == "s" else v[1].count(",") < 1


@dataclass(slots=True)
class Cases:
    """Test inputs (the literal arguments of one call, in order) and the results expected for them."""

    expected: dict[Case, set[Value]] = field(default_factory=dict)

    def add(self, case: Case, result: Value | None) -> None:
        if case and not all(trivial(v) for v in case):
            results = self.expected.setdefault(case, set())
            if result is not None:
                results.add(result)

    def within(self, found: Collection[Value]) -> list[Case]:
        """The cases all of whose inputs are among `found` (the literals of one condition)."""
        present = set(found)
        return [case for case in self.expected if present.issuperset(case)]

    def answers(self, cases: Iterable[Case]) -> set[Value]:
        return {result for case in cases for result in self.expected.get(case, ())}

    @property
    def results(self) -> set[Value]:
        return {result for found in self.expected.values() for result in found}


def read_cases(text: str) -> Cases:
    """Every test call with literal arguments in `text`, and what it is expected to return."""
    cases = Cases()
    checked = "\n".join(_check_lines(text))  # calls elsewhere are not test cases
    for call in _CALL.finditer(checked):
        args = call.group("args")
        if call.group("name").rsplit(".", 1)[-1] in _NOT_UNDER_TEST or not args or not _ARGS.fullmatch(args):
            continue
        after = _AFTER.match(checked, call.end())
        cases.add(tuple(arguments(args)), value(_literal(after)) if after else None)
    # The patterns below try every line start of what may be a long test output: skipped when the
    # text lacks what every match holds (a doctest prompt; a comma and a bracket).
    for doctest in _DOCTEST.finditer(text) if ">>> " in text else ():
        line = text[doctest.start() : text.index("\n", doctest.start())]
        example = _CALL.search(line)
        if example is not None and _ARGS.fullmatch(example.group("args") or "-"):
            cases.add(tuple(arguments(example.group("args"))), value(_literal(doctest)))
    for row in _ROW.finditer(text) if "," in text and ("(" in text or "[" in text) else ():
        found = values(row.group("row"))
        cases.add(tuple(found[:-1]), found[-1])
    return cases


def _check_lines(text: str) -> list[str]:
    """The lines holding a check or a call whose result a check reads (`base.kept_results`), each once, in
    order: each needle found with `str.find`, then widened to its line (a pattern over every character
    costs far more on long test outputs)."""
    spans = set()
    for needle in _CHECKS:
        at = text.find(needle)
        while at >= 0:
            start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
            end = len(text) if end < 0 else end
            spans.add((start, end))
            at = text.find(needle, end)
    spans |= kept_results(text, list(spans))
    return [text[start:end] for start, end in sorted(spans)]


def _literal(match: re.Match[str]) -> re.Match[str]:
    """The LITERAL match of a match's `expected` group (re-matched so `value` can read its groups)."""
    found = LITERAL.match(match.string, match.start("expected"), match.end("expected"))
    assert found is not None  # the group is a LITERAL by construction
    return found
