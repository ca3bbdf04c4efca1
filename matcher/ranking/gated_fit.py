"""The fit of a gated model (the ranker's text and one-sided models): a logistic regression on a few features
beside the structural logit ``s``, whose coefficient (≥ 0) says how much structure still counts, or with that
coefficient fixed (an offset in the logit, which scikit-learn's ``LogisticRegression`` cannot take).

Pure: arrays in, weights out; ``PairRanker.fit_text`` and ``PairRanker.fit_one_sided`` keep them.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from matcher.ranking.score_scale import probability


def fit_beside(F: np.ndarray, s: np.ndarray, y: np.ndarray, *, C: float, max_iter: int,
               structure: float | None = None) -> tuple[np.ndarray, float, float]:
    """(w, structure weight, intercept) of P(y) = logistic(structure · s + F w + b). ``structure`` None:
    learned, and 0 (structure left out, the features refitted alone) where it would count backwards; a
    number: fixed, the rest learned around it (``offset_logistic``)."""
    y = np.asarray(y)
    if structure is not None:
        w, b = offset_logistic(F, y, float(structure) * s, C=C)
        return w, float(structure), b
    lr = LogisticRegression(C=C, max_iter=max_iter).fit(np.column_stack([F, s]), y)
    weight = float(lr.coef_.ravel()[-1])
    if weight < 0:  # structure would count backwards: leave it out rather than invert it
        lr = LogisticRegression(C=C, max_iter=max_iter).fit(F, y)
        return lr.coef_.ravel(), 0.0, float(lr.intercept_[0])
    return lr.coef_.ravel()[:-1], weight, float(lr.intercept_[0])


def offset_logistic(X: np.ndarray, y: np.ndarray, offset: np.ndarray, *, C: float) -> tuple[np.ndarray, float]:
    """(w, b) of the L2-penalised logistic regression of ``y`` (bool or 0/1) on ``X`` with a fixed ``offset``
    in the logit: P(y) = logistic(offset + X w + b), penalty ||w||² / 2C, as ``LogisticRegression``."""
    y = np.asarray(y, dtype=float)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = offset + X @ theta[:-1] + theta[-1]
        # log(1 + e^z) - y z, summed, stably
        nll = float(np.sum(np.logaddexp(0.0, z) - y * z)) + float(theta[:-1] @ theta[:-1]) / (2 * C)
        g = probability(z) - y
        return nll, np.concatenate([X.T @ g + theta[:-1] / C, [g.sum()]])

    res = minimize(loss, np.zeros(X.shape[1] + 1), jac=True, method="L-BFGS-B")
    return res.x[:-1], float(res.x[-1])
