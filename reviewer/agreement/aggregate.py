"""Gold labels from several reviewers' verdicts: the adjudication when there is one, else a vote.

Training data needs one target per trajectory, but reviewers disagree. A settled dispute
(adjudication) wins outright; otherwise majority vote or Dawid–Skene (1979), which learns each
reviewer's confusion matrix and so weighs a careless or contrary reviewer less. Ties are reported
as ties, never broken by whoever happens to come first, and the distribution behind the hard label
(vote shares or posteriors) always travels with it as the soft label.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reviewer.agreement.report import pick_labels
from reviewer.errors import LabelMismatch
from reviewer.model import Label, gold_adjudications
from reviewer.taxonomy import Taxonomy

Method = Literal["majority", "dawid-skene"]
GoldMethod = Literal["adjudicated", "majority", "dawid-skene"]
METHODS: tuple[Method, ...] = ("majority", "dawid-skene")

# Pseudo-count added to every confusion-matrix cell and class prior: a reviewer who agreed on every
# item seen so far would otherwise get exact zeros, whose logarithm turns posteriors into NaN.
SMOOTHING = 0.01
# Posteriors this close to the maximum count as tied: EM arithmetic never gives exact equality.
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Gold:
    """A trajectory's gold verdict: `label` None on a tie (the tied codes in `tie`) or without votes.

    `soft` maps every category to its vote share or posterior (empty without votes); `n_votes`
    counts reviewers' verdicts, also under an adjudication.
    """

    label: str | None
    tie: list[str]
    soft: dict[str, float]
    method: GoldMethod
    n_votes: int


def _decide(shares: np.ndarray, n_votes: Sequence[int], categories: Sequence[str], method: GoldMethod) -> list[Gold]:
    """Per row of `shares`: the unique best category, or every category tied for best (schema order) with no label."""
    tops = (shares >= shares.max(axis=1, keepdims=True) - TIE_TOLERANCE).tolist()
    golds = []
    for row, top, n in zip(shares.tolist(), tops, n_votes, strict=True):
        if n == 0:
            golds.append(Gold(None, [], {}, method, 0))
            continue
        tied = [c for c, is_top in zip(categories, top, strict=True) if is_top]
        soft = dict(zip(categories, row, strict=True))
        golds.append(Gold(tied[0], [], soft, method, n) if len(tied) == 1 else Gold(None, tied, soft, method, n))
    return golds


def _positions(votes: Iterable[str], categories: Sequence[str]) -> list[int]:
    """Each vote's index in the schema's category list; an unknown code is an error, not a new class."""
    if len(set(categories)) != len(categories):
        raise ValueError("categories must be distinct")
    index = {c: i for i, c in enumerate(categories)}
    votes = list(votes)
    unknown = sorted(set(votes) - index.keys())
    if unknown:
        raise LabelMismatch(f"votes not in the category list: {', '.join(unknown)}")
    return [index[v] for v in votes]


def _by_majority(counts: np.ndarray, categories: Sequence[str]) -> list[Gold]:
    """Gold per row of an items × categories vote-count matrix."""
    n = counts.sum(axis=1)
    return _decide(counts / np.maximum(n, 1)[:, None], n.tolist(), categories, "majority")


def majority(votes: Sequence[str], categories: Sequence[str]) -> Gold:
    """Majority vote over the schema's categories; a tie is reported with every tied category, never broken."""
    counts = np.bincount(_positions(votes, categories), minlength=len(categories))
    return _by_majority(counts[None, :], categories)[0]


def _check_matrix(data: np.ndarray, q: int) -> None:
    if q < 1:
        raise ValueError("q must be at least 1")
    if data.ndim != 2 or not np.issubdtype(data.dtype, np.integer):
        raise ValueError("data must be a 2-D integer array (items × raters)")
    if data.size and (data.min() < -1 or data.max() >= q):
        raise ValueError(f"data values must be -1 (missing) or 0..{q - 1}")


def _m_step(
    post: np.ndarray, item: np.ndarray, rater: np.ndarray, value: np.ndarray, n_raters: int
) -> tuple[np.ndarray, np.ndarray]:
    """Class priors and per-rater confusion matrices (rater × true × given) from the current posteriors."""
    q = post.shape[1]
    prior = (post.sum(axis=0) + SMOOTHING) / (len(post) + q * SMOOTHING)
    cell = rater * q + value
    counts = np.stack(
        [np.bincount(cell, weights=post[item, k], minlength=n_raters * q).reshape(n_raters, q) for k in range(q)], axis=1
    )
    confusion = (counts + SMOOTHING) / (counts.sum(axis=2, keepdims=True) + q * SMOOTHING)
    return prior, confusion


def _e_step(
    prior: np.ndarray, confusion: np.ndarray, item: np.ndarray, rater: np.ndarray, value: np.ndarray, n_items: int
) -> np.ndarray:
    """Posterior over the true class of each item, computed in log space so many votes cannot underflow."""
    q = len(prior)
    vote_logs = np.log(confusion[rater, :, value])  # votes × q: log P(this vote | true class k)
    log_post = np.log(prior) + np.stack([np.bincount(item, weights=vote_logs[:, k], minlength=n_items) for k in range(q)], axis=1)
    log_post -= log_post.max(axis=1, keepdims=True)
    post = np.exp(log_post)
    return post / post.sum(axis=1, keepdims=True)


def dawid_skene(data: np.ndarray, q: int, max_iter: int = 100, tol: float = 1e-6) -> np.ndarray:
    """Posteriors (items × q) of each item's true class by EM over per-rater confusion matrices.

    `data` holds items × raters category indices, -1 where a rater gave no label. Starts from the
    vote shares (items without a vote: uniform), so the result is deterministic and the classes keep
    their meaning instead of being permuted; stops when no posterior moves by `tol` or more.
    """
    data = np.asarray(data)
    _check_matrix(data, q)
    item, rater = np.nonzero(data >= 0)
    value = data[item, rater]
    n_items, n_raters = data.shape
    counts = np.stack([np.bincount(item, weights=value == k, minlength=n_items) for k in range(q)], axis=1)
    n = counts.sum(axis=1, keepdims=True)
    post = np.divide(counts, n, out=np.full((n_items, q), 1.0 / q), where=n > 0)
    for _ in range(max_iter):
        prior, confusion = _m_step(post, item, rater, value, n_raters)
        new = _e_step(prior, confusion, item, rater, value, n_items)
        moved = np.max(np.abs(new - post), initial=0.0)
        post = new
        if moved < tol:
            break
    return post


@dataclass(frozen=True, slots=True)
class Ballots:
    """What counts towards gold labels, per trajectory: one vote per human reviewer, and the settlement.

    A reviewer's vote is their current final label (not an adjudication) when there is one, else
    their first pass; models and detectors do not vote. Of several settled adjudications the latest
    wins; a draft adjudication (still being worked out in the app) does not count.
    """

    votes: dict[str, list[Label]]
    adjudications: dict[str, Label]

    @classmethod
    def from_labels(cls, labels: Iterable[Label]) -> Ballots:
        labels = list(labels)
        votes: dict[str, list[Label]] = {}
        for (trajectory_id, _), label in sorted(pick_labels(labels, "final", include_models=False).items()):
            if label.verdict is not None:
                votes.setdefault(trajectory_id, []).append(label)
        return cls(votes, gold_adjudications(labels))

    def verdicts(self, trajectory_id: str) -> list[str]:
        return [v.verdict for v in self.votes.get(trajectory_id, []) if v.verdict is not None]

    def counted(self, trajectory_id: str) -> list[Label]:
        """The labels a gold label is made from: the votes, then the adjudication if any."""
        settled = self.adjudications.get(trajectory_id)
        return self.votes.get(trajectory_id, []) + ([settled] if settled is not None else [])

    def supporting(self, trajectory_id: str, gold: Gold) -> list[Label]:
        """The labels whose details (categories, evidence...) stand for the gold label."""
        if gold.method == "adjudicated":
            return [self.adjudications[trajectory_id]]
        return [v for v in self.votes.get(trajectory_id, []) if gold.label is not None and v.verdict == gold.label]


def _majority_golds(ballots: Ballots, ids: Sequence[str], categories: Sequence[str]) -> dict[str, Gold]:
    q = len(categories)
    verdicts = [ballots.verdicts(tid) for tid in ids]
    item = np.array([i for i, votes in enumerate(verdicts) for _ in votes], dtype=np.int64)
    category = np.array(_positions([v for votes in verdicts for v in votes], categories), dtype=np.int64)
    counts = np.bincount(item * q + category, minlength=len(ids) * q).reshape(len(ids), q)
    return dict(zip(ids, _by_majority(counts, categories), strict=True))


def _dawid_skene_golds(ballots: Ballots, ids: Sequence[str], categories: Sequence[str]) -> dict[str, Gold]:
    """One EM fit over every voted trajectory at once: a reviewer's reliability is learnt across items."""
    voted = sorted(tid for tid in set(ids) if ballots.votes.get(tid))
    raters = sorted({v.annotator for tid in voted for v in ballots.votes[tid]})
    column = {r: j for j, r in enumerate(raters)}
    data = np.full((len(voted), len(raters)), -1, dtype=np.int64)
    for i, tid in enumerate(voted):
        data[i, [column[v.annotator] for v in ballots.votes[tid]]] = _positions(ballots.verdicts(tid), categories)
    decided = _decide(dawid_skene(data, len(categories)), [len(ballots.votes[tid]) for tid in voted], categories, "dawid-skene")
    golds = dict(zip(voted, decided, strict=True))
    return {tid: golds.get(tid, Gold(None, [], {}, "dawid-skene", 0)) for tid in ids}


def gold_labels(ballots: Ballots, ids: Sequence[str], method: Method, categories: Sequence[str]) -> dict[str, Gold]:
    """Gold per trajectory id: adjudicated (one-hot soft label) where settled, else by `method`."""
    golds = (_majority_golds if method == "majority" else _dawid_skene_golds)(ballots, ids, categories)
    one_hot = np.eye(len(categories)).tolist()
    for tid in ids:
        settled = ballots.adjudications.get(tid)
        if settled is not None and settled.verdict is not None:
            soft = dict(zip(categories, one_hot[_positions([settled.verdict], categories)[0]], strict=True))
            golds[tid] = Gold(settled.verdict, [], soft, "adjudicated", golds[tid].n_votes)
    return golds


def resolve(labels: Iterable[Label], trajectory_ids: Sequence[str], method: Method, taxonomy: Taxonomy) -> dict[str, Gold]:
    """Gold label of each trajectory from the store's labels, over the taxonomy's verdict codes."""
    if method not in METHODS:
        raise ValueError(f"unknown aggregation method {method!r} (known: {', '.join(METHODS)})")
    return gold_labels(Ballots.from_labels(labels), trajectory_ids, method, taxonomy.codes("verdict"))
