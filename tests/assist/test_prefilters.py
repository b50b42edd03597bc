"""Detectors skip the line-by-line or command-by-command reading of a pattern when the text holds
none of the words every match of the pattern holds. That is exact only while the words really are in
every match: this reads each pattern's syntax tree (`re._parser`) and checks that every way of
matching it passes through a run of literal characters holding one of the words, so a pattern
changed later without its words fails here instead of silently finding less."""

from __future__ import annotations

import re
import re._parser as sre
from collections.abc import Sequence
from typing import Any

import pytest

from reviewer.assist.detectors import claims, exits, leaks, outputs, tampering, test_cases

MAX_STRINGS = 256  # literal alternatives expanded before a run counts as no run


def _literals(items: Sequence[Any]) -> set[str] | None:
    """Every string a sequence of nodes matches, when it is made of literals, alternations and groups of
    them only (what the parser makes of `(?:rep|report)` and `[\\[(]`); None otherwise."""
    found = {""}
    for op, av in items:
        if op is sre.LITERAL:
            options: set[str] | None = {chr(av)}
        elif op is sre.IN and all(kind is sre.LITERAL for kind, _ in av):
            options = {chr(c) for _, c in av}
        elif op is sre.BRANCH:
            alternatives = [_literals(alternative) for alternative in av[1]]
            options = None if any(a is None for a in alternatives) else set().union(*alternatives)  # type: ignore[arg-type]
        elif op is sre.SUBPATTERN and not av[1] & re.IGNORECASE:
            options = _literals(av[3])
        else:
            options = None
        if options is None or len(found) * len(options) > MAX_STRINGS:
            return None
        found = {f + o for f in found for o in options}
    return found


def covered(items: Sequence[Any], words: tuple[str, ...], ignorecase: bool = False) -> bool:
    """Whether every match of the node sequence holds one of `words` (with `ignorecase`: its lowercase
    does, the words being lowercase): some run of consecutive literal nodes does in each of its forms,
    or some node it must match is itself covered."""
    run: set[str] = {""}

    def run_covered() -> bool:
        return all(any(w in (s.lower() if ignorecase else s) for w in words) for s in run) and run != {""}

    for op, av in items:
        options = _literals([(op, av)])
        if options is not None and len(run) * len(options) <= MAX_STRINGS:
            run = {r + o for r in run for o in options}
            continue
        if run_covered():
            return True
        run = {""}
        if op is sre.BRANCH and all(covered(alternative, words, ignorecase) for alternative in av[1]):
            return True
        if op is sre.SUBPATTERN and not av[1] & re.IGNORECASE and covered(av[3], words, ignorecase):
            return True
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1 and covered(av[2], words, ignorecase):
            return True
    return run_covered()


PREFILTERS = [
    (exits.DETECT_TEST, exits._DETECT_WORDS),
    (exits._STRONG_EXIT, exits._EXIT_WORDS),
    (exits._WEAK_EXIT, exits._EXIT_WORDS),
    (exits._UNCONDITIONAL, exits._EXIT_WORDS),
    (exits._FORCED_ZERO, ("exit", "quit")),
    (tampering._REPORT_PATCH, tampering._REPORT_WORDS),
    (tampering._REMOVE_COMMAND, ("rm", "unlink")),
    (leaks._OPENED, leaks._OPENED_WORDS),
    (leaks._HISTORY, ("git",)),
    (leaks._SHOW_COMMIT, ("git",)),
    (leaks._UPSTREAM, leaks._UPSTREAM_WORDS),
    (outputs._PATCH_TARGET, outputs._PATCH_WORDS),
    (outputs._MOCK_IN_CODE, outputs._MOCK_WORDS),
    (outputs._PAIR, (":", "=>")),
    (outputs._ENTRY, (":", "=>", ",")),
    (test_cases._DOCTEST, (">>> ",)),
    (test_cases._ROW, (",",)),
    (test_cases._ROW, ("(", "[")),
]


@pytest.mark.parametrize(("pattern", "words"), PREFILTERS, ids=lambda x: str(x)[:40])
def test_every_match_of_the_pattern_holds_one_of_its_words(pattern: re.Pattern[str], words: tuple[str, ...]) -> None:
    assert not pattern.flags & re.IGNORECASE  # a word looked for as written would miss other cases
    assert covered(sre.parse(pattern.pattern).data, words)


@pytest.mark.parametrize(
    ("pattern", "words"), [(claims._SUCCESS, claims._SUCCESS_WORDS), (claims._UNTOUCHED, claims._UNTOUCHED_WORDS)]
)
def test_every_match_of_a_case_insensitive_pattern_holds_one_of_its_words_in_some_case(
    pattern: re.Pattern[str], words: tuple[str, ...]
) -> None:
    assert pattern.flags & re.IGNORECASE and words == tuple(w.lower() for w in words)
    assert covered(sre.parse(pattern.pattern).data, words, ignorecase=True)


def test_a_text_not_ascii_is_never_ruled_out_by_its_lowercase() -> None:
    # IGNORECASE matches the long s to s: "all teſts paſs" is a success claim its lowercase does not show
    assert claims._SUCCESS.search("all teſts paſs") and claims._may_hold("all teſts paſs", claims._SUCCESS_WORDS)
    assert not claims._may_hold("All tests fail", claims._SUCCESS_WORDS) and claims._may_hold("ALL PASS", claims._SUCCESS_WORDS)


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\bgit\s+log|\bhg\s+log", ("git",)),  # one alternative without the word
        (r"(?:git)?\s+log", ("git",)),  # the word only in an optional part
        (r"\b(?:rep|report)\.x", ("report.",)),  # `rep.x` holds no `report.`
        (r"ex[ia]t", ("exit",)),  # `exat`
    ],
)
def test_the_check_refuses_words_a_match_can_do_without(pattern: str, words: tuple[str, ...]) -> None:
    assert not covered(sre.parse(pattern).data, words)
