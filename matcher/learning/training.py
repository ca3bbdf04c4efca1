"""Training pairs from known partnerships: positives against sampled negatives, grouped by query.

Each training query is a French authority with known foreign partners. Its features are computed
leave-one-out: the query's own links are removed from every history feature, so a partner is never
explained by the very link we are trying to predict.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from tqdm import tqdm

from matcher.domain import Filters
from matcher.ranking.engine import MatchState, eligible_rows, query_from_row
from matcher.ranking.features import pair_features
from matcher.ranking.history import HistoryIndex
from matcher.store.protocol import ProfileStore
from matcher.store.web import Interest


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


def training_set(
    state: MatchState,
    queries: Sequence[int] | np.ndarray,
    *,
    n_random: int = 200,
    seed: int = 0,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, groups) over ``queries``, using ``state.history`` leave-one-out per query.

    Negatives are drawn uniformly from the query's eligible candidates: the population the ranker
    scores. (Negatives drawn from a shortlist — "hard" negatives — were measured to hurt: they are
    rich in the very history signals that mark partners, so the model learns those signals backwards.)
    """
    rng = np.random.default_rng(seed)
    Xs, ys, gs = [], [], []
    a, h = state.arrays, state.history
    for row in tqdm(queries, desc="training pairs", unit="query", disable=not progress):
        pos = partners_abroad(h, a.country, int(row))
        if len(pos) == 0:
            continue
        q = query_from_row(a, int(row), exclude_rows=(int(row),))
        cand = eligible_rows(state, q, None, Filters(include_existing=True))
        cand = cand[~np.isin(cand, pos)]
        if len(cand) == 0:
            continue
        neg = np.sort(rng.choice(cand, size=min(n_random, len(cand)), replace=False))
        X = pair_features(q, a, h, np.concatenate([pos, neg]), priority=state.priority, level_compat=state.level_compat)
        Xs.append(X)
        ys.append(np.r_[np.ones(len(pos)), np.zeros(len(neg))])
        gs.append(np.full(len(X), row))
    if not Xs:
        raise ValueError("no training query has a known partner abroad")
    return np.vstack(Xs), np.concatenate(ys).astype(int), np.concatenate(gs)


#: Training queries the size offsets are fitted on. 300 left the > 20k band with too few real partners more
#: than 10x larger (in-sample share 0.052, held out 0.072, top-10 ratio 0.62); every query it can get.
SIZE_QUERIES = 1_000


def size_pools(state: MatchState, queries: Sequence[int] | np.ndarray, *, n: int = SIZE_QUERIES, seed: int = 0,
               progress: bool = True) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[np.ndarray]]:
    """What ``PairRanker.fit_size_offsets`` learns from: for up to ``n`` training queries (sampled), the
    decision scores and raw feature rows of their best ``calibration.POOL`` candidates (leave-one-out, as in
    training), and the raw rows of their real partners."""
    from matcher.ranking.listing import ranking_scores
    from matcher.ranking.size_fit import POOL

    rng = np.random.default_rng(seed)
    qs = np.asarray(queries)
    if len(qs) > n:
        qs = np.sort(rng.choice(qs, size=n, replace=False))
    a, h = state.arrays, state.history
    pools, partners = [], []
    for row in tqdm(qs, desc="size calibration", unit="query", disable=not progress):
        pos = partners_abroad(h, a.country, int(row))
        q = query_from_row(a, int(row), exclude_rows=(int(row),))
        cand = eligible_rows(state, q, None, Filters(include_existing=True))
        if not len(pos) or not len(cand):
            continue
        full, X = ranking_scores(state, q, cand)
        top = np.argsort(-full, kind="stable")[:POOL]
        pools.append((full[top], X[top]))
        partners.append(X[np.isin(cand, pos)])
    return pools, partners


def replied_pairs(interests: Sequence[Interest], french_ids: Collection[str]) -> list[tuple[str, str]]:
    """(French id, foreign id) of every pair where an interest message got a reply from the other side:
    both sides showed interest, a positive label for training. One-way messages say nothing yet (an
    unanswered message is not a refusal); pairs of two French or two foreign authorities are not the
    model's pairs."""
    by_id = {i.id: i for i in interests}
    out: dict[tuple[str, str], None] = {}
    for reply in interests:
        first = by_id.get(reply.reply_to) if reply.reply_to is not None else None
        if first is None or reply.sender_id != first.recipient_id:
            continue
        a, b = first.sender_id, first.recipient_id
        if (a in french_ids) == (b in french_ids):
            continue
        out[(a, b) if a in french_ids else (b, a)] = None
    return list(out)


def decision_pairs(store: ProfileStore, state: MatchState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Accepted/rejected staff decisions as labelled pairs (X, y, groups): the latest decision per pair wins."""
    latest = store.latest_decisions()
    a = state.arrays
    # Interest expressed through the web app and answered by the other side is a positive pair too, where
    # staff recorded nothing on it (a staff decision is the stronger word).
    french = {str(a.ids[r]) for r in np.flatnonzero(np.asarray(a.country_codes)[a.country] == "FR")}
    for pair in replied_pairs(store.interests(limit=100_000), french):
        latest.setdefault(pair, "accepted")
    Xs, ys, gs = [], [], []
    for (fid, pid), status in latest.items():
        if status not in ("accepted", "rejected"):
            continue
        qr, cr = a.row(fid), a.row(pid)
        if qr is None or cr is None:
            continue
        q = query_from_row(a, qr, exclude_rows=(qr,))
        Xs.append(pair_features(q, a, state.history, np.array([cr]), priority=state.priority,
                                level_compat=state.level_compat))
        ys.append(1 if status == "accepted" else 0)
        gs.append(qr)
    if not Xs:
        return np.zeros((0, 0)), np.zeros(0, dtype=int), np.zeros(0)
    return np.vstack(Xs), np.array(ys), np.array(gs)
