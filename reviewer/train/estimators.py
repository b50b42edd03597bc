"""The model kinds `reviewer train --model-kind` offers, fitted the one way every caller fits them.

- logistic (default): L2-regularised logistic regression (liblinear), calibrated enough to read its
  probability, with a weight per feature to explain a prediction.
- naive-bayes: complement naive Bayes, the classic fast text baseline; its probabilities are
  overconfident (the reliability curve shows it), its ranking is often good.

Class weights ("balanced", the default) weigh each class by the inverse of its frequency, so a
rare cheat class is not drowned by clean runs; without them the model learns the base rate.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.utils.class_weight import compute_sample_weight

from reviewer.train import KINDS

C = 1.0  # inverse regularisation strength of the logistic model


def fit(kind: str, X: sp.csr_matrix, y: np.ndarray, *, seed: int, balanced: bool) -> Any:
    """A fitted estimator of `kind` on both classes of `y` (0/1)."""
    if kind == "logistic":
        model = LogisticRegression(
            C=C, solver="liblinear", class_weight="balanced" if balanced else None, random_state=seed, max_iter=1000
        )
        return model.fit(X, y)
    if kind == "naive-bayes":
        return ComplementNB().fit(X, y, sample_weight=compute_sample_weight("balanced", y) if balanced else None)
    raise ValueError(f"unknown model kind {kind!r} (known: {', '.join(KINDS)})")


def probability(model: Any, X: sp.csr_matrix) -> np.ndarray:
    """The probability of class 1 for each row."""
    return np.asarray(model.predict_proba(X)[:, list(model.classes_).index(1)], dtype=np.float64)


def weights(model: Any) -> np.ndarray:
    """Per feature, how much it pushes towards class 1 (a logistic coefficient; for naive Bayes the
    difference of the classes' log probabilities); a row's contributions are its values times these."""
    if isinstance(model, LogisticRegression):
        return np.asarray(model.coef_[0], dtype=np.float64)
    log_prob = model.feature_log_prob_
    one = list(model.classes_).index(1)
    return np.asarray(log_prob[one] - log_prob[1 - one], dtype=np.float64)
