"""The agreement coefficients against every worked example (V1–V12) of docs/agreement.md, plus the edges.

Expected values are the reference's, compared to the precision it prints them with (`printed`), so
a drift in the last printed digit fails. Tables are expanded into raw item × rater rows because that
is the only input the module takes: the expansion is part of what is tested.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from reviewer.agreement.metrics import (
    Coefficient,
    Interval,
    RatingMatrix,
    bootstrap_ci,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    prevalence,
    scott_pi,
)

MULTI_RATER = (percent_agreement, fleiss_kappa, gwet_ac1, krippendorff_alpha)
TWO_RATER = (cohen_kappa, scott_pi)


def printed(text: str) -> Any:
    """The value as printed in the reference, within half a unit of its last printed digit."""
    exponent = Decimal(text).as_tuple().exponent
    assert isinstance(exponent, int)
    return pytest.approx(float(text), abs=0.5 * 10.0**exponent)


def value(c: Coefficient) -> float:
    assert c.reason is None, c.reason
    assert c.value is not None
    return c.value


def table_rows(table: Sequence[Sequence[int]], categories: Sequence[Any]) -> list[list[Any]]:
    """Rater A's category is the row, rater B's the column; each cell is that many items."""
    return [[categories[a], categories[b]] for a, line in enumerate(table) for b, count in enumerate(line) for _ in range(count)]


def from_table(table: Sequence[Sequence[int]], categories: Sequence[Any]) -> RatingMatrix:
    return RatingMatrix.from_rows(table_rows(table, categories), categories)


def from_counts(counts: Sequence[Sequence[int]], categories: Sequence[Any]) -> RatingMatrix:
    """One item per line of n_ik; rater j of item i gets the j-th rating in category order."""
    rows = [[categories[k] for k, n in enumerate(line) for _ in range(n)] for line in counts]
    return RatingMatrix.from_rows(rows, categories)


def cell(token: str) -> int | None:
    return None if token == "." else int(token)


def from_coders(*coders: str, categories: Sequence[Any]) -> RatingMatrix:
    """One string per coder (Krippendorff's layout), `.` for missing; transposed to items × raters."""
    per_coder = [[cell(t) for t in line.split()] for line in coders]
    return RatingMatrix.from_rows([list(unit) for unit in zip(*per_coder, strict=True)], categories)


def from_units(text: str, categories: Sequence[Any]) -> RatingMatrix:
    """Units separated by `|` or newlines, one token per observer."""
    units = [u for line in text.strip().splitlines() for u in line.split("|")]
    return RatingMatrix.from_rows([[cell(t) for t in u.split()] for u in units], categories)


# --- V1–V3, V10: two raters ---------------------------------------------------------------------


def test_v1_two_by_two_cohen_scott_ac1_alpha_pa() -> None:
    m = from_table([[20, 5], [10, 15]], ("yes", "no"))
    assert value(cohen_kappa(m)) == printed("0.4000")
    assert value(scott_pi(m)) == printed("0.393939")
    assert value(gwet_ac1(m)) == printed("0.405941")
    assert value(krippendorff_alpha(m)) == printed("0.4000")
    assert value(percent_agreement(m)) == pytest.approx(0.70, abs=1e-12)
    # Fleiss' κ generalises Scott's π, not Cohen's κ (docs/agreement.md, section 1, "Fleiss' κ").
    assert value(fleiss_kappa(m)) == pytest.approx(value(scott_pi(m)), abs=1e-12)


def test_v2_three_by_three_weighted_kappa() -> None:
    m = from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]], (0, 1, 2))
    assert value(cohen_kappa(m)) == printed("0.4842")
    assert value(cohen_kappa(m, "linear")) == printed("0.4701")
    assert value(cohen_kappa(m, "quadratic")) == printed("0.450161")


R2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
R3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]


def test_v3_weighted_kappa_over_the_observed_categories_matches_r_irr() -> None:
    m = RatingMatrix.from_rows(list(zip(R2, R3, strict=True)), (1, 2, 3, 4, 6))
    assert value(cohen_kappa(m)) == printed("-0.006289308")
    assert value(cohen_kappa(m, "linear")) == printed("0.1459075")
    assert value(cohen_kappa(m, "quadratic")) == printed("0.2520325")


def test_v3_weighted_kappa_over_the_full_schema_counts_the_unused_category() -> None:
    m = RatingMatrix.from_rows(list(zip(R2, R3, strict=True)), (1, 2, 3, 4, 5, 6))
    assert value(cohen_kappa(m, "linear")) == printed("0.126214")
    assert value(cohen_kappa(m, "quadratic")) == printed("0.229798")
    # Unweighted κ ignores distances, so the unused category 5 changes nothing.
    assert value(cohen_kappa(m)) == printed("-0.006289308")


def test_v10_gwet_abstractors() -> None:
    m = from_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]], ("ectopic", "aiu", "niu"))
    assert value(percent_agreement(m)) == pytest.approx(0.89, abs=1e-12)
    assert value(cohen_kappa(m)) == printed("0.796")
    assert value(scott_pi(m)) == printed("0.79624")
    assert value(gwet_ac1(m)) == printed("0.849")
    assert value(cohen_kappa(m, "linear")) == printed("0.843")
    assert value(cohen_kappa(m, "quadratic")) == printed("0.892")


def test_cohen_kappa_uses_only_items_both_raters_rated() -> None:
    rows = table_rows([[20, 5], [10, 15]], ("yes", "no"))
    full = RatingMatrix.from_rows(rows, ("yes", "no"))
    padded = RatingMatrix.from_rows(rows + [["yes", None], [None, "no"], [None, None]], ("yes", "no"))
    assert value(cohen_kappa(padded)) == pytest.approx(value(cohen_kappa(full)), abs=1e-12)
    assert value(scott_pi(padded)) == pytest.approx(value(scott_pi(full)), abs=1e-12)


# --- V4–V7: many raters, missing data ------------------------------------------------------------

V4 = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip


def test_v4_fleiss_wikipedia() -> None:
    m = from_counts(V4, (1, 2, 3, 4, 5))
    assert m.data.shape == (10, 14)
    assert value(fleiss_kappa(m)) == printed("0.2099307")
    assert value(percent_agreement(m)) == printed("0.378022")  # P̄


V5 = """444444 222555 233335 555555 222444 113333 333355 113334 114444 555555
144444 124444 222333 144444 224445 333335 111455 111112 224444 133555
555555 244444 224555 114444 144445 222224 111155 224444 133333 555555"""


def test_v5_fleiss_1971_diagnoses() -> None:
    m = RatingMatrix.from_rows([[int(d) for d in patient] for patient in V5.split()], (1, 2, 3, 4, 5))
    assert m.data.shape == (30, 6)
    assert value(fleiss_kappa(m)) == printed("0.4302445")
    assert value(krippendorff_alpha(m)) == printed("0.433410")
    assert value(gwet_ac1(m)) == printed("0.44788")
    assert value(percent_agreement(m)) == printed("0.5556")


V6 = (
    "1 2 3 3 2 1 4 1 2 . . .",
    "1 2 3 3 2 2 4 1 2 5 . 3",
    ". 3 3 3 2 3 4 2 2 5 1 .",
    "1 2 3 3 2 4 4 1 2 5 1 .",
)


def v6() -> RatingMatrix:
    return from_coders(*V6, categories=(1, 2, 3, 4, 5))


def test_v6_krippendorff_with_missing_values_all_levels() -> None:
    m = v6()
    assert value(krippendorff_alpha(m)) == printed("0.7434211")
    assert value(krippendorff_alpha(m, "nominal")) == printed("0.7434211")
    assert value(krippendorff_alpha(m, "ordinal")) == printed("0.8153875")
    assert value(krippendorff_alpha(m, "interval")) == printed("0.8491071")


def test_v6_other_coefficients_with_missing_values() -> None:
    m = v6()
    assert value(percent_agreement(m)) == printed("0.8182")  # pairwise per unit, not Krippendorff's 0.805
    assert value(gwet_ac1(m)) == printed("0.7754")
    assert value(fleiss_kappa(m)) == printed("0.7612")  # Gwet's generalisation


def test_v6_items_without_ratings_change_nothing() -> None:
    m = v6()
    padded = RatingMatrix(np.vstack([m.data, np.full((3, 4), -1)]), m.categories, m.raters, m.items + ("x", "y", "z"))
    for metric in MULTI_RATER:
        assert value(metric(padded)) == pytest.approx(value(metric(m)), abs=1e-12)


def test_v6_single_value_unit_counts_only_in_the_chance_shares() -> None:
    """Unit 12 cannot be paired, so PA and α ignore it; Gwet's π_k (Fleiss, AC1) averages over every rated unit."""
    m = v6()
    without_unit_12 = m.take(np.arange(11))
    for metric in (percent_agreement, krippendorff_alpha):
        assert value(metric(without_unit_12)) == pytest.approx(value(metric(m)), abs=1e-12)
    for metric in (fleiss_kappa, gwet_ac1):
        assert value(metric(without_unit_12)) != pytest.approx(value(metric(m)), abs=1e-6)


V7 = """
1 1 2 . 2 | 1 1 0 1 . | 2 3 3 3 . | . 0 0 . 0 | 0 0 0 . 0 | 0 0 0 . 0 | 1 0 2 . 1 | 1 . 2 0 .
2 2 2 . 2 | 2 1 1 1 . | . 1 0 0 . | 0 0 0 0 . | 1 2 2 2 . | 3 3 2 2 3 | 1 1 1 . 1 | 1 1 1 . 1
2 1 2 . 2 | 1 2 3 3 . | 1 1 0 1 . | 0 0 0 . 0 | 0 0 1 1 . | 0 0 . 0 0 | 2 3 3 3 . | 0 0 0 0 .
1 2 . 2 2 | 0 1 1 1 . | 0 0 0 1 0 | 1 2 1 2 . | 1 1 2 2 . | 1 1 2 . 2 | 1 1 0 . 0 | 2 1 2 1 .
2 2 . 2 2 | 3 2 2 2 . | 2 2 2 . 2 | 2 2 3 . 2 | 2 2 2 . 2 | 2 2 . 1 2 | 2 2 2 2 . | 1 1 1 . 1
"""


def test_v7_hayes_krippendorff_ordinal() -> None:
    m = from_units(V7, (0, 1, 2, 3))
    assert m.data.shape == (40, 5)
    assert value(krippendorff_alpha(m, "ordinal")) == printed("0.759829")
    assert value(krippendorff_alpha(m, "nominal")) == printed("0.4765")
    assert value(krippendorff_alpha(m, "interval")) == printed("0.757378")
    assert value(percent_agreement(m)) == printed("0.6250")
    assert value(gwet_ac1(m)) == printed("0.5093")
    assert value(fleiss_kappa(m)) == printed("0.46968")


# --- V8: prevalence paradox ----------------------------------------------------------------------

V8 = ("3 3 3 3 3", "3 3 3 3 3", "3 3 . . 3", "3 3 3 3 1", "3 . 3 3 3")


def test_v8_prevalence_paradox() -> None:
    m = from_coders(*V8, categories=(1, 3))
    assert value(percent_agreement(m)) == pytest.approx(0.92, abs=1e-12)
    assert value(krippendorff_alpha(m)) == pytest.approx(0.0, abs=1e-12)
    assert value(fleiss_kappa(m)) == printed("-0.0417")
    assert value(gwet_ac1(m)) == printed("0.9133")
    assert prevalence(m, 0) == pytest.approx(1 / 22, abs=1e-12)
    assert prevalence(m, 1) == pytest.approx(21 / 22, abs=1e-12)


def test_ac1_depends_on_the_schema_category_count() -> None:
    """q = 3 (a third, never-used category) lowers chance agreement, so AC1 rises; α does not move."""
    two, three = from_coders(*V8, categories=(1, 3)), from_coders(*V8, categories=(1, 2, 3))
    pi = np.array([0.2 / 5, 0.0, 1 - 0.2 / 5])  # the one "1" is 1/5 of unit 5's ratings
    p_e = float(pi @ (1 - pi)) / 2
    assert value(gwet_ac1(three)) == pytest.approx((0.92 - p_e) / (1 - p_e), abs=1e-12)
    assert value(gwet_ac1(three)) > value(gwet_ac1(two))
    assert value(krippendorff_alpha(three)) == pytest.approx(value(krippendorff_alpha(two)), abs=1e-12)


# --- V9: small α checks --------------------------------------------------------------------------


def test_v9_medkit_three_annotators() -> None:
    a = ["yes", "yes", "no", "no", "yes", None]
    b = [None, "yes", "no", "yes", "yes", "no"]
    c = ["yes", "no", "no", "yes", "yes", None]
    m = RatingMatrix.from_rows([list(u) for u in zip(a, b, c, strict=True)], ("yes", "no"))
    assert value(krippendorff_alpha(m)) == printed("0.422222")


def test_v9_krippendorff_docstring_nominal_and_interval() -> None:
    m = from_coders(
        ". . . . . 3 4 1 2 1 1 3 3 . 3",
        "1 . 2 1 3 3 4 3 . . . . . . .",
        ". . 2 1 3 4 4 . 2 1 1 3 3 . 4",
        categories=(1, 2, 3, 4),
    )
    assert value(krippendorff_alpha(m, "nominal")) == printed("0.691358")
    assert value(krippendorff_alpha(m, "interval")) == printed("0.810845")


def test_v9_missing_is_not_a_category() -> None:
    m = RatingMatrix.from_rows([[1, 1, None], [1, 1, 1], [2, None, 2]], (1, 2))
    assert value(krippendorff_alpha(m)) == pytest.approx(1.0, abs=1e-12)


def test_v9_systematic_swap_is_negative() -> None:
    m = RatingMatrix.from_rows([["A", "B"], ["B", "A"]], ("A", "B"))
    assert value(krippendorff_alpha(m)) == pytest.approx(-0.5, abs=1e-12)


def test_interval_alpha_measures_numeric_categories_by_value_not_position() -> None:
    """Categories 0, 1, 10: the 0–1 disagreement is small next to the 10s, so α is high; by position it would not be.
    By hand: o(0,1) = o(1,0) = 1, o(10,10) = 2; n = (1, 1, 2), n = 4; D_o ∝ 2·1 = 2, D_e ∝ 2·1 + 2·2·100 + 2·2·81 = 726;
    α = 1 − 3·2/726."""
    rows = [[0, 1], [10, 10]]
    assert value(krippendorff_alpha(RatingMatrix.from_rows(rows, (0, 1, 10)), "interval")) == pytest.approx(
        1 - 6 / 726, abs=1e-12
    )
    by_position = RatingMatrix.from_rows([["low", "mid"], ["high", "high"]], ("low", "mid", "high"))
    assert value(krippendorff_alpha(by_position, "interval")) == pytest.approx(1 - 6 / (2 + 2 * 2 * 4 + 2 * 2 * 1), abs=1e-12)


# --- V11: multi-label fields as one binary item per tag ------------------------------------------

V11 = (
    [{"hack"}, {"hack", "motivated"}, set(), {"motivated"}, {"hack"}, set()],
    [{"hack"}, {"hack"}, set(), {"motivated"}, set(), set()],
    [{"hack"}, {"hack", "motivated"}, {"motivated"}, set(), {"hack"}, None],
)


def per_tag(tag: str) -> RatingMatrix:
    rows = [[None if tags is None else tag in tags for tags in item] for item in zip(*V11, strict=True)]
    return RatingMatrix.from_rows(rows, (False, True), raters=("r1", "r2", "r3"))


def test_v11_per_tag_hack() -> None:
    m = per_tag("hack")
    assert value(krippendorff_alpha(m)) == printed("0.777778")
    assert value(percent_agreement(m)) == printed("0.8889")
    assert value(gwet_ac1(m)) == printed("0.7805")
    assert value(fleiss_kappa(m)) == printed("0.775")
    assert prevalence(m, 1) == pytest.approx(8 / 17, abs=1e-12)


def test_v11_per_tag_motivated() -> None:
    m = per_tag("motivated")
    assert value(krippendorff_alpha(m)) == printed("0.200000")
    assert value(percent_agreement(m)) == printed("0.6667")
    assert value(gwet_ac1(m)) == printed("0.4433")
    assert value(fleiss_kappa(m)) == printed("0.1692")
    assert prevalence(m, 1) == pytest.approx(5 / 17, abs=1e-12)


# --- V12 and other undefined cases ---------------------------------------------------------------

ONE_CATEGORY = "every rating is in one category, so no disagreement is expected by chance"


def test_v12_everyone_in_one_category_is_undefined_with_a_reason() -> None:
    m = RatingMatrix.from_rows([["cheat"] * 3] * 4, ("clean", "cheat"))
    for metric in (fleiss_kappa, krippendorff_alpha):
        assert metric(m) == Coefficient(None, ONE_CATEGORY)
    for level in ("ordinal", "interval"):
        assert krippendorff_alpha(m, level) == Coefficient(None, ONE_CATEGORY)
    pair = m.pair(0, 2)
    for weights in (None, "linear", "quadratic"):
        assert cohen_kappa(pair, weights) == Coefficient(None, ONE_CATEGORY)
    assert scott_pi(pair) == Coefficient(None, ONE_CATEGORY)
    # Observed agreement is still reported, and AC1's chance term is 0 there, so it is defined.
    assert percent_agreement(m) == Coefficient(1.0)
    assert gwet_ac1(m) == Coefficient(1.0)


def test_v12_statsmodels_fleiss_minus_half_follows_from_the_formula() -> None:
    """Count table [[1,1,1],[1,1,1]]: nobody agrees and chance is 1/3, so κ = (0 − 1/3)/(1 − 1/3)."""
    m = from_counts([[1, 1, 1], [1, 1, 1]], ("a", "b", "c"))
    assert value(fleiss_kappa(m)) == pytest.approx(-0.5, abs=1e-12)


def test_cohen_and_scott_need_exactly_two_raters() -> None:
    m = v6()
    assert cohen_kappa(m) == Coefficient(None, "Cohen's κ needs exactly 2 raters, got 4")
    assert cohen_kappa(m, "quadratic") == Coefficient(None, "Cohen's κ needs exactly 2 raters, got 4")
    assert scott_pi(m) == Coefficient(None, "Scott's π needs exactly 2 raters, got 4")


def test_cohen_needs_two_items_rated_by_both() -> None:
    m = RatingMatrix.from_rows([["a", "b"], ["a", None], [None, "b"]], ("a", "b"))
    assert cohen_kappa(m) == Coefficient(None, "1 item(s) rated by both raters; at least 2 needed")
    assert scott_pi(m) == Coefficient(None, "1 item(s) rated by both raters; at least 2 needed")


def test_one_pairable_item_gives_percent_agreement_only() -> None:
    m = RatingMatrix.from_rows([["a", "b", None], ["a", None, None]], ("a", "b"))
    assert percent_agreement(m) == Coefficient(0.0)
    reason = "1 item(s) have 2 or more ratings; at least 2 needed"
    for metric in (fleiss_kappa, gwet_ac1, krippendorff_alpha):
        assert metric(m) == Coefficient(None, reason)


def test_ac1_needs_two_schema_categories() -> None:
    m = RatingMatrix.from_rows([["x", "x"], ["x", "x"]], ("x",))
    assert gwet_ac1(m) == Coefficient(None, "the schema has 1 category; AC1 needs 2")


# --- bad input -----------------------------------------------------------------------------------


def test_unknown_value_is_named() -> None:
    with pytest.raises(ValueError, match=r"^'cheet' is not one of the categories \('clean', 'cheat'\)$"):
        RatingMatrix.from_rows([["clean", "cheet"]], ("clean", "cheat"))


@pytest.mark.parametrize("bad", [float("nan"), "3", 2.5, ["a"]])
def test_values_that_only_look_like_categories_are_rejected(bad: Any) -> None:
    with pytest.raises(ValueError, match="is not one of the categories"):
        RatingMatrix.from_rows([[1, bad]], (1, 2, 3))


def test_ragged_rows_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"^item 1 has 1 ratings, expected one per rater \(2\)$"):
        RatingMatrix.from_rows([["a", "b"], ["a"]], ("a", "b"))
    with pytest.raises(ValueError, match=r"^item 0 has 2 ratings, expected one per rater \(3\)$"):
        RatingMatrix.from_rows([["a", "b"]], ("a", "b"), raters=("x", "y", "z"))


def test_repeated_categories_are_rejected() -> None:
    with pytest.raises(ValueError, match="categories repeat a value"):
        RatingMatrix.from_rows([["a", "a"]], ("a", "b", "a"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (np.array([[0, 2]]), r"^cell value 2 is neither -1 \(missing\) nor a position 0\.\.1$"),
        (np.array([[0, -2]]), r"^cell value -2 is neither"),
        (np.array([[0.0, 1.0]]), r"^rating data must be a 2-D integer array, got 2-D float64$"),
        (np.array([0, 1]), r"^rating data must be a 2-D integer array, got 1-D int64$"),
        (np.array([[0, 1, 1]]), r"^rating data has shape \(1, 3\), expected 1 items × 2 raters$"),
    ],
)
def test_constructor_rejects_malformed_data(data: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RatingMatrix(data, ("a", "b"), ("x", "y"), ("i1",))


def test_matrix_is_an_immutable_copy() -> None:
    source = np.array([[0, 1], [1, 1]])
    m = RatingMatrix(source, ("a", "b"), ("x", "y"), ("i1", "i2"))
    source[0, 0] = 1
    assert m.data.tolist() == [[0, 1], [1, 1]]
    with pytest.raises(ValueError, match="read-only"):
        m.data[0, 0] = 1


def test_empty_matrix_is_undefined_everywhere() -> None:
    m = RatingMatrix.from_rows([], ("a", "b"), raters=("x", "y"))
    assert m.data.shape == (0, 2)
    assert m.counts.shape == (0, 2)
    assert percent_agreement(m) == Coefficient(None, "0 item(s) have 2 or more ratings; at least 1 needed")
    for metric in (fleiss_kappa, gwet_ac1, krippendorff_alpha):
        assert metric(m) == Coefficient(None, "0 item(s) have 2 or more ratings; at least 2 needed")
    assert cohen_kappa(m) == Coefficient(None, "0 item(s) rated by both raters; at least 2 needed")
    assert prevalence(m, 0) is None
    assert bootstrap_ci(m, krippendorff_alpha) is None


def test_one_rater_is_undefined_everywhere() -> None:
    m = RatingMatrix.from_rows([["a"], ["b"], ["a"]], ("a", "b"), raters=("alice",))
    for metric in MULTI_RATER:
        assert metric(m) == Coefficient(None, "1 rater(s); at least 2 are needed")
    assert cohen_kappa(m) == Coefficient(None, "Cohen's κ needs exactly 2 raters, got 1")
    assert prevalence(m, 0) == pytest.approx(2 / 3, abs=1e-12)


def test_no_raters_at_all() -> None:
    m = RatingMatrix.from_rows([[], []], ("a", "b"))
    assert m.data.shape == (2, 0)
    assert krippendorff_alpha(m) == Coefficient(None, "0 rater(s); at least 2 are needed")


def test_all_missing_is_undefined_everywhere() -> None:
    m = RatingMatrix.from_rows([[None, None, None]] * 4, ("a", "b"))
    for metric in MULTI_RATER:
        assert metric(m).value is None
        assert metric(m).reason == f"0 item(s) have 2 or more ratings; at least {1 if metric is percent_agreement else 2} needed"
    assert prevalence(m, 1) is None


def test_unknown_options_are_errors_not_undefined() -> None:
    m = v6()
    with pytest.raises(ValueError, match=r"^level must be one of \('nominal', 'ordinal', 'interval'\), not 'ratio'$"):
        krippendorff_alpha(m, "ratio")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^weights must be None, 'linear' or 'quadratic', not 'cubic'$"):
        cohen_kappa(m.pair(0, 1), "cubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^category position 5 is outside 0\.\.4$"):
        prevalence(m, 5)
    with pytest.raises(ValueError, match=r"^category position -1 is outside 0\.\.4$"):
        prevalence(m, -1)


# --- matrix plumbing -----------------------------------------------------------------------------


def test_from_rows_maps_values_to_schema_positions_and_names_defaults() -> None:
    m = RatingMatrix.from_rows([["cheat", None], ["clean", "cheat"]], ("clean", "honest_failure", "cheat"))
    assert m.data.tolist() == [[2, -1], [0, 2]]
    assert m.counts.tolist() == [[0, 0, 1], [1, 0, 1]]
    assert (m.raters, m.items) == (("0", "1"), ("0", "1"))
    assert m.categories == ("clean", "honest_failure", "cheat")


def test_take_and_pair_keep_ids_and_categories() -> None:
    m = from_coders(*V6, categories=(1, 2, 3, 4, 5))
    named = RatingMatrix(m.data, m.categories, ("A", "B", "C", "D"), tuple(f"u{i + 1}" for i in range(12)))
    sample = named.take(np.array([11, 0, 0]))
    assert sample.items == ("u12", "u1", "u1")
    assert sample.data.tolist() == [[-1, 2, -1, -1], [0, 0, -1, 0], [0, 0, -1, 0]]
    pair = named.pair(2, 0)
    assert pair.raters == ("C", "A")
    assert pair.data[:3].tolist() == [[-1, 0], [2, 1], [2, 2]]
    assert pair.categories == named.categories


# --- bootstrap -----------------------------------------------------------------------------------


def test_bootstrap_interval_contains_the_estimate_and_is_reproducible() -> None:
    m = from_units(V7, (0, 1, 2, 3))
    estimate = value(krippendorff_alpha(m, "ordinal"))

    def ordinal(x: RatingMatrix) -> Coefficient:
        return krippendorff_alpha(x, "ordinal")

    ci = bootstrap_ci(m, ordinal, n=500, seed=7)
    assert ci is not None
    assert ci.low < estimate < ci.high
    assert (ci.replicates, ci.undefined) == (500, 0)
    assert bootstrap_ci(m, ordinal, n=500, seed=7) == ci
    assert bootstrap_ci(m, ordinal, n=500, seed=8) != ci


def test_bootstrap_interval_narrows_as_items_grow() -> None:
    m = from_units(V7, (0, 1, 2, 3))
    widths = []
    for copies in (1, 4, 16):
        ci = bootstrap_ci(m.take(np.tile(np.arange(40), copies)), krippendorff_alpha, n=300, seed=0)
        assert ci is not None
        widths.append(ci.high - ci.low)
    assert widths[0] > widths[1] > widths[2]
    assert widths[2] < widths[0] / 2  # roughly 1/sqrt(N): 16× the items, a quarter of the width


def test_bootstrap_counts_undefined_replicates() -> None:
    """Two items, each unanimous in a different category: a resample of one item twice is undefined."""
    m = RatingMatrix.from_rows([["a", "a"], ["b", "b"]], ("a", "b"))
    ci = bootstrap_ci(m, krippendorff_alpha, n=200, seed=0)
    assert ci is not None
    assert (ci.low, ci.high) == (1.0, 1.0)
    assert ci.replicates + ci.undefined == 200
    assert 60 < ci.undefined < 140  # half expected; binomial sd ~7


def test_bootstrap_of_an_undefined_estimate_is_none() -> None:
    m = RatingMatrix.from_rows([["a", "a"], ["a", "a"]], ("a", "b"))
    assert bootstrap_ci(m, krippendorff_alpha) is None


def test_bootstrap_with_no_defined_replicate_is_none() -> None:
    """A one-replicate bootstrap of two items draws one item twice half the time: then nothing is defined."""
    m = RatingMatrix.from_rows([["a", "a"], ["b", "b"]], ("a", "b"))
    results = {bootstrap_ci(m, krippendorff_alpha, n=1, seed=s) for s in range(8)}
    assert None in results
    assert Interval(1.0, 1.0, 1, 0) in results


def test_bootstrap_rejects_bad_settings() -> None:
    m = v6()
    with pytest.raises(ValueError, match=r"^the bootstrap needs at least 1 replicate, not 0$"):
        bootstrap_ci(m, krippendorff_alpha, n=0)
    for level in (0.0, 1.0, 95.0):
        with pytest.raises(ValueError, match=r"^confidence level must be strictly between 0 and 1"):
            bootstrap_ci(m, krippendorff_alpha, level=level)
