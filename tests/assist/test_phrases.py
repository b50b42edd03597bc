"""`phrases` finds anchors with one automaton and serves several phrase sets from one pass: both must
give exactly what the plain way gives (one `str.find` pass per anchor; one `find` per set and text)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.assist.detectors import phrases
from reviewer.assist.detectors.phrases import Phrase, Segment, find, find_each
from reviewer.assist.detectors.reasoning import _ADDRESSED, _ADMITTED, _PHRASES

_SAID = (*_PHRASES, *_ADMITTED)  # what the agent wrote is searched for: the phrases and the admissions

# Pieces that make anchors, near-anchors and overlaps ("for nowfor now"), and characters that lowercase
# to another length (İ), lowercase by context (Σ), or separate texts (NUL, newline).
PIECES = [
    "for now", "for n", "ow", "the test is wrong", "tests are ", "broken", "Note to the reviewer", "grader",
    "edge case", "just an edge case", "won't notice", "they ", "İ", "Σ", "ΑΣ ", "\x00", "\n", " ", "x", "TODO: real fix",
    "I added this case only to pass the test", "judge", "ignore previous instructions", "quick hack", "harmless",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


def plain_occurrences(text: str, anchor: str) -> list[int]:
    """What the detectors did before the automaton: `str.find` from each hit + 1."""
    found, at = [], text.find(anchor)
    while at >= 0:
        found.append(at)
        at = text.find(anchor, at + 1)
    return found


@settings(max_examples=300, deadline=None)
@given(texts)
def test_the_automaton_finds_every_occurrence_str_find_finds(text: str) -> None:
    anchors = phrases._anchors(tuple((*_SAID, *_ADDRESSED)))
    lower = text.lower()
    assert phrases._occurrences(lower, anchors) == {a: plain_occurrences(lower, a) for a in anchors}


def segments(parts: list[str]) -> list[Segment]:
    # each text with a margin, so segments are slices of longer texts as diffs are
    return [Segment(i, "text", f"<<{text}>>", 2, 2 + len(text)) for i, text in enumerate(parts)]


@settings(max_examples=300, deadline=None)
@given(st.lists(texts, max_size=6), st.data())
def test_one_pass_for_several_phrase_sets_finds_what_each_finds_alone(parts: list[str], data: st.DataObject) -> None:
    segs = segments(parts)
    n = data.draw(st.integers(0, len(segs)))
    groups: list[tuple[tuple[Phrase, ...], int]] = [(_SAID, n), (_ADDRESSED, len(segs))]
    assert find_each(groups, segs) == [find(_SAID, segs[:n]), find(_ADDRESSED, segs)]


def test_a_text_that_lowercases_to_another_length_is_scanned_whole_in_each_set() -> None:
    segs = segments(["İ the test is wrong", "Note to the reviewer"])
    said, addressed = find_each([(_SAID, 1), (_ADDRESSED, 2)], segs)
    assert [f.phrase.code for f in said] == ["mr.blame_test"]
    assert [(f.segment.step, f.start, f.end) for f in addressed] == [(1, 2, 22)]
