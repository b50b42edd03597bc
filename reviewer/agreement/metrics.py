"""Agreement coefficients over an items × raters matrix, vectorised with numpy.

Formulas and test vectors: `docs/agreement.md`. Every coefficient starts from one
of two summaries built without a Python loop over items: the items × categories count matrix n_ik
(`RatingMatrix.counts`) or, for two raters, their joint table. Chance-corrected coefficients are all
written as 1 − observed disagreement / expected disagreement, so "undefined" has one meaning
everywhere: nothing could disagree by chance (every rating in one category).

Undefined results come back as `Coefficient(None, reason)` rather than NaN or an exception, because
a report must still show percent agreement and counts next to them (rare cheat tags hit this often).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from numbers import Real
from typing import Any, Literal, get_args

import numpy as np

Level = Literal["nominal", "ordinal", "interval"]
Weights = Literal[None, "linear", "quadratic"]

MISSING = -1
_TINY = 1e-12  # expected disagreement at or below this is zero: only rounding separates it from "one category"


@dataclass(frozen=True)
class Coefficient:
    value: float | None  # None when undefined
    reason: str | None = None  # why undefined (one short sentence); None when defined


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    replicates: int  # defined replicates used
    undefined: int  # replicates that came out undefined (reported, not dropped silently)


@dataclass(frozen=True, eq=False)
class RatingMatrix:
    """Items × raters; cells are category positions 0..q-1 in the schema's order, or -1 for missing.

    `categories` is the schema's full ordered list, never just the observed values: weighted κ, AC1
    (through q) and interval distances change with it, and a report must not drift with the data.
    The data is copied and made read-only so the cached counts can never go stale.
    """

    data: np.ndarray
    categories: tuple[Any, ...]
    raters: tuple[str, ...]
    items: tuple[str, ...]

    def __post_init__(self) -> None:
        data = np.asarray(self.data)
        if data.ndim != 2 or data.dtype.kind not in "iu":
            raise ValueError(f"rating data must be a 2-D integer array, got {data.ndim}-D {data.dtype}")
        categories, raters, items = tuple(self.categories), tuple(self.raters), tuple(self.items)
        if data.shape != (len(items), len(raters)):
            raise ValueError(f"rating data has shape {data.shape}, expected {len(items)} items × {len(raters)} raters")
        if len(set(categories)) != len(categories):
            raise ValueError(f"categories repeat a value: {categories!r}")
        outside = data[(data < MISSING) | (data >= len(categories))]
        if outside.size:
            raise ValueError(f"cell value {int(outside[0])} is neither -1 (missing) nor a position 0..{len(categories) - 1}")
        data = data.astype(np.int64)
        data.flags.writeable = False
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "raters", raters)
        object.__setattr__(self, "items", items)

    @classmethod
    def from_rows(
        cls,
        rows: Sequence[Sequence[Any | None]],
        categories: Sequence[Any],
        raters: Sequence[str] | None = None,
        items: Sequence[str] | None = None,
    ) -> RatingMatrix:
        """One list per item, one value per rater (None = missing); values are mapped to schema positions."""
        categories = tuple(categories)
        width = len(raters) if raters is not None else len(rows[0]) if rows else 0
        for i, row in enumerate(rows):
            if len(row) != width:
                raise ValueError(f"item {i} has {len(row)} ratings, expected one per rater ({width})")
        position = {c: i for i, c in enumerate(categories)}

        def cell(value: Any) -> int:
            if value is None:
                return MISSING
            try:
                return position[value]
            except (KeyError, TypeError):
                raise ValueError(f"{value!r} is not one of the categories {categories!r}") from None

        data = np.array([[cell(v) for v in row] for row in rows], dtype=np.int64).reshape(len(rows), width)
        return cls(
            data,
            categories,
            tuple(raters) if raters is not None else tuple(str(j) for j in range(width)),
            tuple(items) if items is not None else tuple(str(i) for i in range(len(rows))),
        )

    @cached_property
    def counts(self) -> np.ndarray:
        """Items × categories: n_ik, how many raters put item i in category k (the input of every multi-rater coefficient)."""
        n, q = self.data.shape[0], len(self.categories)
        # Shift by one so "missing" lands in a column of its own, then drop that column.
        slots = (np.arange(n)[:, None] * (q + 1) + self.data + 1).ravel()
        return np.bincount(slots, minlength=n * (q + 1)).reshape(n, q + 1)[:, 1:]

    @cached_property
    def rated(self) -> np.ndarray:
        """Ratings per item (n_i), shared by every coefficient computed on this matrix."""
        return self.counts.sum(axis=1)

    @cached_property
    def _item_array(self) -> np.ndarray:
        """Item ids as an array, so `take` picks ids for a bootstrap sample without a Python loop."""
        return np.array(self.items, dtype=object)

    def take(self, item_indices: np.ndarray) -> RatingMatrix:
        """The given items (repeats allowed, as in a bootstrap sample), raters unchanged."""
        return RatingMatrix(self.data[item_indices], self.categories, self.raters, tuple(self._item_array[item_indices].tolist()))

    def pair(self, a: int, b: int) -> RatingMatrix:
        """Raters a and b only: the input of the pairwise (Cohen) coefficients."""
        return RatingMatrix(self.data[:, [a, b]], self.categories, (self.raters[a], self.raters[b]), self.items)


def _ratio(observed: float, expected: float) -> Coefficient:
    """1 − observed/expected disagreement: the shared form of κ, π, Fleiss' κ, AC1 and α."""
    if expected <= _TINY:
        return Coefficient(None, "every rating is in one category, so no disagreement is expected by chance")
    return Coefficient(float(1.0 - observed / expected))


def _too_few(m: RatingMatrix, units: int) -> str | None:
    """Why `m` cannot support a coefficient that needs `units` items with two or more ratings, if it cannot."""
    if len(m.raters) < 2:
        return f"{len(m.raters)} rater(s); at least 2 are needed"
    pairable = int((m.rated >= 2).sum())
    if pairable < units:
        return f"{pairable} item(s) have 2 or more ratings; at least {units} needed"
    return None


def _percent(m: RatingMatrix) -> float:
    """Mean over items with n_i >= 2 of the share of agreeing ordered rater pairs (callers ensure one exists)."""
    keep = m.rated >= 2
    c, n = m.counts[keep], m.rated[keep]
    return float(((c * (c - 1)).sum(axis=1) / (n * (n - 1))).mean())


def _shares(m: RatingMatrix) -> np.ndarray:
    """π_k: mean over items with a rating of n_ik/n_i (Gwet), so items with fewer raters weigh the same."""
    keep = m.rated > 0
    return (m.counts[keep] / m.rated[keep, None]).mean(axis=0)


def percent_agreement(m: RatingMatrix) -> Coefficient:
    reason = _too_few(m, 1)
    return Coefficient(None, reason) if reason else Coefficient(_percent(m))


def fleiss_kappa(m: RatingMatrix) -> Coefficient:
    """Fleiss' κ in Gwet's generalisation, which reduces to Fleiss (1971) when every item has every rating."""
    reason = _too_few(m, 2)
    if reason:
        return Coefficient(None, reason)
    pi = _shares(m)
    return _ratio(1.0 - _percent(m), 1.0 - float(pi @ pi))


def gwet_ac1(m: RatingMatrix) -> Coefficient:
    """Gwet's AC1, with q from the schema: resists the prevalence paradox that makes κ and α swing on rare tags."""
    q = len(m.categories)
    reason = _too_few(m, 2) or (f"the schema has {q} categor{'y' if q == 1 else 'ies'}; AC1 needs 2" if q < 2 else None)
    if reason:
        return Coefficient(None, reason)
    pi = _shares(m)
    return _ratio(1.0 - _percent(m), 1.0 - float(pi @ (1.0 - pi)) / (q - 1))


def _joint(m: RatingMatrix, name: str) -> tuple[np.ndarray | None, str | None]:
    """Two raters' joint distribution over the items both rated (q × q proportions), or why there is none."""
    if len(m.raters) != 2:
        return None, f"{name} needs exactly 2 raters, got {len(m.raters)}"
    both = (m.data >= 0).all(axis=1)
    if both.sum() < 2:
        return None, f"{int(both.sum())} item(s) rated by both raters; at least 2 needed"
    q = len(m.categories)
    a, b = m.data[both, 0], m.data[both, 1]
    return np.bincount(a * q + b, minlength=q * q).reshape(q, q) / both.sum(), None


def _disagreement(q: int, weights: Weights) -> np.ndarray:
    """Disagreement weights over schema positions (not raw values), so every pair of raters is scored on one scale."""
    gap = np.subtract.outer(np.arange(q), np.arange(q))
    if weights is None:
        return (gap != 0).astype(float)
    if weights == "linear":
        return np.abs(gap).astype(float)
    if weights == "quadratic":
        return (gap**2).astype(float)
    raise ValueError(f"weights must be None, 'linear' or 'quadratic', not {weights!r}")


def cohen_kappa(m: RatingMatrix, weights: Weights = None) -> Coefficient:
    """Cohen's κ (weighted when asked) over the items both raters rated; chance from each rater's own marginals."""
    v = _disagreement(len(m.categories), weights)
    p, reason = _joint(m, "Cohen's κ")
    if p is None:
        return Coefficient(None, reason)
    return _ratio(float((v * p).sum()), float((v * np.outer(p.sum(axis=1), p.sum(axis=0))).sum()))


def scott_pi(m: RatingMatrix) -> Coefficient:
    """Scott's π: as Cohen's κ but chance from the pooled marginals (the two-rater case of Fleiss' κ)."""
    p, reason = _joint(m, "Scott's π")
    if p is None:
        return Coefficient(None, reason)
    pooled = (p.sum(axis=0) + p.sum(axis=1)) / 2
    return _ratio(1.0 - float(np.trace(p)), 1.0 - float(pooled @ pooled))


def _coordinates(categories: tuple[Any, ...]) -> np.ndarray:
    """Where interval distances measure from: the category values when they are numbers, else their positions."""
    numeric = all(isinstance(c, Real) and not isinstance(c, bool) for c in categories)
    return np.array(categories, dtype=float) if numeric else np.arange(len(categories), dtype=float)


def _distance(level: Level, n_c: np.ndarray, categories: tuple[Any, ...]) -> np.ndarray:
    """δ² between categories. Ordinal δ is the difference of mid-ranks cum(n)_g − n_g/2, which equals
    Σ_{g=c..k} n_g − (n_c + n_k)/2 for c ≤ k without a loop over category pairs."""
    if level == "nominal":
        return 1.0 - np.eye(len(n_c))
    where = np.cumsum(n_c) - n_c / 2 if level == "ordinal" else _coordinates(categories)
    return np.subtract.outer(where, where) ** 2


def krippendorff_alpha(m: RatingMatrix, level: Level = "nominal") -> Coefficient:
    """Krippendorff's α from the coincidence matrix; items with fewer than 2 ratings are not pairable and drop out."""
    if level not in get_args(Level):
        raise ValueError(f"level must be one of {get_args(Level)}, not {level!r}")
    reason = _too_few(m, 2)
    if reason:
        return Coefficient(None, reason)
    keep = m.rated >= 2
    c = m.counts[keep]
    w = 1.0 / (m.rated[keep] - 1)
    coincidences = (c * w[:, None]).T @ c - np.diag(w @ c)
    n_c = c.sum(axis=0).astype(float)
    n = n_c.sum()
    delta = _distance(level, n_c, m.categories)
    return _ratio(float((coincidences * delta).sum()) / n, float((np.outer(n_c, n_c) * delta).sum()) / (n * (n - 1)))


def prevalence(m: RatingMatrix, category: int) -> float | None:
    """Share of non-missing ratings equal to `category` (a position); None when there are no ratings.

    Shown beside every per-tag figure: a rare tag explains a low κ/α next to a high percent agreement."""
    if not 0 <= category < len(m.categories):
        raise ValueError(f"category position {category} is outside 0..{len(m.categories) - 1}")
    per_category = m.counts.sum(axis=0)
    total = int(per_category.sum())
    return float(per_category[category] / total) if total else None


def bootstrap_ci(
    m: RatingMatrix,
    metric: Callable[[RatingMatrix], Coefficient],
    n: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Interval | None:
    """Percentile interval from resampling items with replacement (raters fixed).

    None when the point estimate is undefined, or when not one replicate is defined (nothing to take
    a percentile of). Undefined replicates are counted in the result rather than silently dropped,
    because a tag with few positives produces many of them and the interval then means less."""
    if n < 1:
        raise ValueError(f"the bootstrap needs at least 1 replicate, not {n}")
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be strictly between 0 and 1, not {level}")
    if metric(m).value is None:
        return None
    rng = np.random.default_rng(seed)
    size = len(m.items)
    values = [metric(m.take(rng.integers(0, size, size))).value for _ in range(n)]
    defined = np.array([v for v in values if v is not None])
    if not defined.size:
        return None
    low, high = np.quantile(defined, [(1 - level) / 2, (1 + level) / 2])
    return Interval(float(low), float(high), int(defined.size), n - int(defined.size))
