"""Training pairs from known partnerships: positives against sampled negatives, grouped by query.

Each training query is a French authority with known foreign partners. Its features are computed
leave-one-out: the query's own links are removed from every history feature, so a partner is never
explained by the very link we are trying to predict.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from tqdm import tqdm

from matcher.domain import Filters
from matcher.engine import MatchState, eligible_rows, query_from_row
from matcher.features import FEATURE_INDEX, pair_features
from matcher.history import HistoryIndex


def query_rows(state: MatchState, history: HistoryIndex | None = None) -> np.ndarray:
    """Rows of French authorities with at least one known partner abroad (the evaluation queries)."""
    h = history or state.history
    a = state.arrays
    fr = a.country_index("FR")
    src, dst = h.src, h.dst
    ok = (a.country[src] == fr) & (a.country[dst] != fr)
    return np.unique(src[ok])


def partners_abroad(history: HistoryIndex, arrays_country: np.ndarray, row: int) -> np.ndarray:
    d = history.dst[history.src == row]
    return np.unique(d[arrays_country[d] != arrays_country[row]])


def heuristic_prior(X: np.ndarray) -> np.ndarray:
    """A hand-set score used only to pick hard negatives (never to rank)."""
    f = FEATURE_INDEX
    return (X[:, f["direct"]] + X[:, f["near"]] + X[:, f["admin1"]] + 2 * X[:, f["country"]]
            + 5 * X[:, f["country_global"]] - 0.2 * X[:, f["log_distance"]])


def training_set(
    state: MatchState,
    queries: Sequence[int],
    *,
    n_random: int = 60,
    n_hard: int = 60,
    seed: int = 0,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, groups) over ``queries``, using ``state.history`` leave-one-out per query."""
    rng = np.random.default_rng(seed)
    a, h = state.arrays, state.history
    Xs, ys, gs = [], [], []
    for row in tqdm(queries, desc="training pairs", unit="query", disable=not progress):
        pos = partners_abroad(h, a.country, int(row))
        if len(pos) == 0:
            continue
        q = query_from_row(a, int(row), exclude_rows=(int(row),))
        cand = eligible_rows(state, q, None, Filters(include_existing=True))
        cand = cand[~np.isin(cand, pos)]
        if len(cand) == 0:
            continue
        X_all = pair_features(q, a, h, cand, priority=state.priority)
        hard = np.argpartition(-heuristic_prior(X_all), min(n_hard, len(cand) - 1))[:n_hard]
        rand = rng.choice(len(cand), size=min(n_random, len(cand)), replace=False)
        neg = np.union1d(hard, rand)
        X_pos = pair_features(q, a, h, pos, priority=state.priority)
        Xs += [X_pos, X_all[neg]]
        ys += [np.ones(len(pos)), np.zeros(len(neg))]
        gs += [np.full(len(pos) + len(neg), row)]
    if not Xs:
        raise ValueError("no training query has a known partner abroad")
    return np.vstack(Xs), np.concatenate(ys).astype(int), np.concatenate(gs)
