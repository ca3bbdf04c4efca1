"""Rankers fitted on synthetic known answers, and a matcher wrapper that checks every list it returns."""

from __future__ import annotations

import numpy as np

from matcher.ranking.features import FEATURE_INDEX, FEATURES
from matcher.ranking.ranker import PairRanker
from matcher.ranking.score_scale import match_score


def synthetic_ranker(seed: int = 0) -> PairRanker:
    """A ranker fitted on synthetic pairs where history and proximity signal a partnership."""
    rng = np.random.default_rng(seed)
    n = 2000
    X = np.zeros((n, len(FEATURES)))
    f = FEATURE_INDEX
    y = rng.random(n) < 0.2
    X[:, f["log_distance"]] = np.log1p(rng.uniform(200, 8000, n)) - 0.5 * y
    X[:, f["direct"]] = np.log1p(rng.poisson(0.1 + 1.5 * y))
    X[:, f["near"]] = np.log1p(rng.exponential(0.1 + 0.5 * y))
    X[:, f["admin1"]] = np.log1p(rng.poisson(0.2 + 1.0 * y))
    X[:, f["country"]] = np.log10(rng.beta(1 + 2 * y, 4) * (rng.random(n) < 0.5 + 0.3 * y) + 1e-2)
    X[:, f["country_global"]] = np.log10(rng.beta(1, 6, n) + 1e-3)  # uninformative here, ~0 in the real model
    X[:, f["admin1_global"]] = np.log10(rng.beta(1, 30, n) + 1e-4)  # uninformative here, weak in the real model
    X[:, f["near_global"]] = np.log1p(rng.exponential(0.2 + 0.4 * y))
    X[:, f["degree"]] = np.log1p(rng.poisson(1 + y))
    X[:, f["pop_ratio"]] = rng.exponential(0.8 - 0.3 * y)
    for b in ("same_continent", "shared_language", "francophone", "priority_zone"):
        X[:, f[b]] = rng.random(n) < 0.3 + 0.1 * y
    X[:, f["level_compat"]] = 1.0
    return PairRanker().fit(X, y.astype(int))


def three_model_ranker(seed: int = 5) -> PairRanker:
    """``synthetic_ranker`` with a text model (both sides wrote: ``text_dense`` decides) and a one-sided model
    (only the query wrote: ``theme_geo`` decides) learned on known answers (``PairRanker`` docstring)."""
    r = synthetic_ranker()
    rng = np.random.default_rng(seed)
    n = 600
    f = FEATURE_INDEX
    y = (rng.random(n) < 0.15).astype(int)
    Xt = np.zeros((n, len(FEATURES)))
    Xt[:, f["text_dense"]] = rng.normal(size=n) + 2.5 * y
    Xt[:, f["query_text"]] = Xt[:, f["cand_text"]] = 1.0
    r.fit_text(Xt, y)
    Xo = np.zeros((n, len(FEATURES)))
    Xo[:, f["theme_geo"]] = rng.normal(size=n) + 2.0 * y
    Xo[:, f["query_text"]] = 1.0
    return r.fit_one_sided(Xo, y)


class MonotoneLists:
    """A matcher whose every list is checked: the shown scores never increase down a list (what orders a
    list is what is shown). The real-catalogue tests wrap their matcher in it."""

    def __init__(self, matcher: object) -> None:
        self._m = matcher

    def __getattr__(self, name: str) -> object:
        return getattr(self._m, name)

    def recommend(self, *args: object, **kwargs: object) -> list:
        got = self._m.recommend(*args, **kwargs)  # type: ignore[attr-defined]
        scores = [x.score for x in got]
        assert scores == sorted(scores, reverse=True), scores
        points = match_score(np.asarray(scores, dtype=float)).tolist() if scores else []
        assert points == sorted(points, reverse=True), points  # the 0–100 score people read, too
        return got
