"""The detectors' whole output, every suggestion with its spans, confidence and explanation, pinned
as one digest over the evaluation set, the ImpossibleBench transcripts and synthetic runs
(`bench/detector_exact.py`): a change made for speed must not change a single character of it.

When the detectors change on purpose, the digest changes with them: check the difference with
`python bench/detector_exact.py --save/--check` (before and after), then update DIGEST.
"""

from __future__ import annotations

from bench import detector_exact

# Measured on main at 3307a1e, before the detectors were made faster (issue 13).
DIGEST = "70f554d7ca730ebbe55baf4ec787a5e0ae7a4e0210a1e4d6cb44a472813ef58d"


def test_the_detectors_say_exactly_what_they_said() -> None:
    found = detector_exact.output(detector_exact.corpus((detector_exact.EVAL,), synthetic=20))
    assert len(found) == 465 and sum(map(len, found.values())) == 408
    assert detector_exact.digest(found) == DIGEST
