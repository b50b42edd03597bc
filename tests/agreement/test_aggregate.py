"""Gold labels: majority with explicit ties, Dawid–Skene (docs/agreement.md §6, V6), and which labels count."""

from __future__ import annotations

import numpy as np
import pytest

from reviewer.agreement.aggregate import Ballots, Gold, dawid_skene, majority, resolve
from reviewer.model import Label
from reviewer.taxonomy import Taxonomy

VERDICTS = ["clean", "honest_failure", "cheat", "attempted_cheat", "borderline", "unreviewable"]

# docs/agreement.md V6: Krippendorff's example, 4 coders × 12 units, categories 1..5, "." missing.
V6 = [
    "1 2 3 3 2 1 4 1 2 . . .",
    "1 2 3 3 2 2 4 1 2 5 . 3",
    ". 3 3 3 2 3 4 2 2 5 1 .",
    "1 2 3 3 2 4 4 1 2 5 1 .",
]


def v6_matrix() -> np.ndarray:
    """Units × coders as category indices 0..4, -1 for missing."""
    return np.array([[-1 if x == "." else int(x) - 1 for x in row.split()] for row in V6]).T


def soft(**shares: float) -> dict[str, float]:
    return {code: shares.get(code, 0.0) for code in VERDICTS}


# ---- majority ----------------------------------------------------------------------------------


def test_majority_clear_winner_with_vote_shares() -> None:
    gold = majority(["cheat", "clean", "cheat"], VERDICTS)
    assert gold == Gold("cheat", [], soft(cheat=2 / 3, clean=1 / 3), "majority", 3)


@pytest.mark.parametrize("votes", [["borderline", "cheat"], ["cheat", "borderline"]])
def test_majority_tie_is_reported_in_schema_order_whatever_the_vote_order(votes: list[str]) -> None:
    assert majority(votes, VERDICTS) == Gold(None, ["cheat", "borderline"], soft(cheat=0.5, borderline=0.5), "majority", 2)


def test_majority_v6_unit_6_is_a_four_way_tie_not_the_first_category() -> None:
    # crowd-kit's MajorityVote returns "1" here by order; the vote distribution is uniform over 1..4.
    gold = majority(["1", "2", "3", "4"], ["1", "2", "3", "4", "5"])
    assert gold == Gold(None, ["1", "2", "3", "4"], {"1": 0.25, "2": 0.25, "3": 0.25, "4": 0.25, "5": 0.0}, "majority", 4)


def test_majority_without_votes_has_no_label_and_no_distribution() -> None:
    assert majority([], VERDICTS) == Gold(None, [], {}, "majority", 0)


def test_majority_single_vote_is_unanimous() -> None:
    assert majority(["unreviewable"], VERDICTS) == Gold("unreviewable", [], soft(unreviewable=1.0), "majority", 1)


def test_majority_refuses_a_vote_outside_the_schema() -> None:
    with pytest.raises(ValueError, match="votes not in the category list: fraud, sneaky"):
        majority(["cheat", "sneaky", "fraud"], VERDICTS)


def test_majority_refuses_duplicate_categories() -> None:
    with pytest.raises(ValueError, match="categories must be distinct"):
        majority(["cheat"], ["cheat", "clean", "cheat"])


# ---- Dawid–Skene -------------------------------------------------------------------------------


def test_dawid_skene_v6_unit_6_goes_to_category_4_as_in_crowd_kit() -> None:
    posteriors = dawid_skene(v6_matrix(), 5)
    assert posteriors.shape == (12, 5)
    assert (posteriors.argmax(axis=1) + 1).tolist() == [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 3]
    # Unit 6 (votes 1/2/3/4): coder D agrees with the others everywhere else, so D's 4 wins outright.
    assert posteriors[5].round(4).tolist() == [0.0, 0.0, 0.0, 1.0, 0.0]
    np.testing.assert_allclose(posteriors.sum(axis=1), np.ones(12))


def test_dawid_skene_is_deterministic() -> None:
    assert np.array_equal(dawid_skene(v6_matrix(), 5), dawid_skene(v6_matrix(), 5))


def test_dawid_skene_learns_to_read_an_adversarial_rater_that_fools_majority_vote() -> None:
    """Raters A, B, E tell the truth; C and D always answer the opposite (binary task)."""
    truth = np.array([0, 1] * 5)
    calibration = np.stack([truth, truth, truth, 1 - truth, 1 - truth], axis=1)  # all five rate: 3 v 2
    fooled = np.array([[0, -1, -1, 1, 1], [1, -1, -1, 0, 0]])  # A against C and D: majority picks C and D's answer
    tied = np.array([[0, -1, -1, 1, -1], [1, -1, -1, -1, 0]])  # A against one contrary rater: majority ties
    posteriors = dawid_skene(np.vstack([calibration, fooled, tied]), 2)
    assert posteriors[:10].argmax(axis=1).tolist() == truth.tolist()
    assert posteriors[10:].argmax(axis=1).tolist() == [0, 1, 0, 1]  # A's answers, each time
    assert posteriors[10:].max(axis=1).min() > 0.9999
    assert majority(["0", "1", "1"], ["0", "1"]).label == "1"  # what majority says about the first `fooled` item
    assert majority(["0", "1"], ["0", "1"]).tie == ["0", "1"]


def test_dawid_skene_with_raters_who_always_agree_gives_finite_posteriors() -> None:
    data = np.array([[0, 0, 0], [1, 1, 1], [2, 2, 2], [0, 0, 0]])
    posteriors = dawid_skene(data, 3)
    assert np.isfinite(posteriors).all()
    assert posteriors.argmax(axis=1).tolist() == [0, 1, 2, 0]
    assert posteriors.max(axis=1).min() > 0.999


def test_dawid_skene_item_without_votes_gets_the_class_prior() -> None:
    data = np.array([[0, 0], [0, 0], [0, 0], [1, 1], [-1, -1]])
    posteriors = dawid_skene(data, 2)
    # The smoothed class prior at the fixed point: (3 + its own 0.75 share + 0.01) / (5 + 0.02), about 3.01 / 4.02.
    assert posteriors[4].tolist() == pytest.approx([3.01 / 4.02, 1.01 / 4.02], abs=1e-4)


def test_dawid_skene_empty_matrix() -> None:
    assert dawid_skene(np.empty((0, 3), dtype=int), 4).shape == (0, 4)


@pytest.mark.parametrize(
    ("data", "q", "message"),
    [
        (np.array([[0, 2]]), 2, r"data values must be -1 \(missing\) or 0..1"),
        (np.array([[0, -2]]), 2, r"data values must be -1 \(missing\) or 0..1"),
        (np.array([0, 1]), 2, "2-D integer array"),
        (np.array([[0.0, 1.0]]), 2, "2-D integer array"),
        (np.array([[0]]), 0, "q must be at least 1"),
    ],
)
def test_dawid_skene_refuses_bad_input(data: np.ndarray, q: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dawid_skene(data, q)


# ---- resolve: which labels count ---------------------------------------------------------------


def label(
    tid: str, who: str, verdict: str | None, *, first_pass: bool = True, at: str = "2026-01-01T00:00:00Z", settles: bool = False
) -> Label:
    return Label(
        tid, who, first_pass=first_pass, verdict=verdict, updated_at=at, adjudication={"reason": "settled"} if settles else None
    )


def test_resolve_counts_the_final_label_over_the_first_pass() -> None:
    labels = [label("t", "alice", "clean"), label("t", "alice", "cheat", first_pass=False), label("t", "bob", "cheat")]
    assert resolve(labels, ["t"], "majority", Taxonomy.default()) == {"t": Gold("cheat", [], soft(cheat=1.0), "majority", 2)}


def test_resolve_ignores_models_detectors_and_labels_without_verdict() -> None:
    labels = [
        label("t", "alice", "clean"),
        label("t", "bob", None),
        label("t", "model:gpt", "cheat"),
        label("t", "detectors", "cheat"),
    ]
    assert resolve(labels, ["t"], "majority", Taxonomy.default())["t"] == Gold("clean", [], soft(clean=1.0), "majority", 1)


def test_resolve_latest_adjudication_wins_with_a_one_hot_soft_label() -> None:
    labels = [
        label("t", "alice", "cheat"),
        label("t", "bob", "borderline"),
        label("t", "carol", "attempted_cheat", first_pass=False, at="2026-02-01T00:00:00Z", settles=True),
        label("t", "dave", "cheat", first_pass=False, at="2026-03-01T00:00:00Z", settles=True),
    ]
    gold = resolve(labels, ["t"], "dawid-skene", Taxonomy.default())["t"]
    assert gold == Gold("cheat", [], soft(cheat=1.0), "adjudicated", 2)


def test_resolve_an_adjudicating_reviewer_still_votes_with_the_first_pass() -> None:
    # Adjudicating replaces alice's final label; her vote falls back to her blind first pass.
    labels = [
        label("t", "alice", "cheat"),
        label("t", "alice", "borderline", first_pass=False, settles=True),
        label("t", "bob", "clean"),
    ]
    ballots = Ballots.from_labels(labels)
    assert [(v.annotator, v.verdict) for v in ballots.votes["t"]] == [("alice", "cheat"), ("bob", "clean")]
    assert resolve(labels, ["t"], "majority", Taxonomy.default())["t"] == Gold(
        "borderline", [], soft(borderline=1.0), "adjudicated", 2
    )


def test_resolve_tie_and_unlabelled_trajectories() -> None:
    labels = [label("t", "alice", "cheat"), label("t", "bob", "clean")]
    golds = resolve(labels, ["t", "u"], "majority", Taxonomy.default())
    assert golds == {
        "t": Gold(None, ["clean", "cheat"], soft(clean=0.5, cheat=0.5), "majority", 2),
        "u": Gold(None, [], {}, "majority", 0),
    }


def test_resolve_dawid_skene_fits_reviewers_across_trajectories() -> None:
    """carol always contradicts alice and bob; where only alice and carol voted, DS sides with alice."""
    labels = []
    for i in range(8):
        truth, other = ("cheat", "clean") if i % 2 else ("clean", "cheat")
        labels += [label(f"t{i}", "alice", truth), label(f"t{i}", "bob", truth), label(f"t{i}", "carol", other)]
    labels += [label("x", "alice", "cheat"), label("x", "carol", "clean")]
    golds = resolve(labels, [*(f"t{i}" for i in range(8)), "x", "none"], "dawid-skene", Taxonomy.default())
    assert [golds[f"t{i}"].label for i in range(8)] == ["clean", "cheat"] * 4
    assert golds["x"].label == "cheat" and golds["x"].method == "dawid-skene" and golds["x"].n_votes == 2
    assert golds["x"].soft["cheat"] > 0.99 and sum(golds["x"].soft.values()) == pytest.approx(1.0)
    assert golds["none"] == Gold(None, [], {}, "dawid-skene", 0)
    assert resolve(labels, ["x"], "majority", Taxonomy.default())["x"].tie == ["clean", "cheat"]


def test_resolve_supporting_labels_are_the_agreeing_votes_or_the_adjudication() -> None:
    labels = [label("t", "alice", "cheat"), label("t", "bob", "cheat"), label("t", "carol", "clean")]
    ballots = Ballots.from_labels(labels)
    gold = resolve(labels, ["t"], "majority", Taxonomy.default())["t"]
    assert [lb.annotator for lb in ballots.supporting("t", gold)] == ["alice", "bob"]
    tie = Gold(None, ["clean", "cheat"], {}, "majority", 2)
    assert ballots.supporting("t", tie) == []


@pytest.mark.parametrize("bad", ["mode", "dawid_skene"])
def test_resolve_refuses_unknown_method(bad: str) -> None:
    with pytest.raises(ValueError, match=f"unknown aggregation method '{bad}'"):
        resolve([], [], bad, Taxonomy.default())  # type: ignore[arg-type]


def test_resolve_refuses_a_verdict_the_taxonomy_does_not_know() -> None:
    with pytest.raises(ValueError, match="votes not in the category list: retired_code"):
        resolve([label("t", "alice", "retired_code")], ["t"], "majority", Taxonomy.default())
