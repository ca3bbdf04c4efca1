"""The order of a list as users see it: the calibrated scale on which pairs scored by different models compare
(``scoring.calibrated``), the size-fitted head (``head_keys``), the country diversity re-ranking (``diversify``)
and the top ``k`` with the probability each is shown with (``listed``); ``ranking_scores`` puts every candidate
in that order, for evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.ranking.features import Query, stack
from matcher.ranking.score_scale import probability
from matcher.ranking.scoring import SHORTLIST, Scored, calibrated, columns, prepared, shortlist
from matcher.ranking.size_fit import POOL, TOP_K
from matcher.ranking.state import MatchState


def diversify(scores: np.ndarray, countries: np.ndarray, k: int, diversity: float) -> tuple[np.ndarray, np.ndarray]:
    """Greedy MMR over countries: each pick lowers the others of its country by ``diversity`` per pick.

    Returns (positions into ``scores``, best first; the value each was picked with: its score less its
    country's penalty at that moment, non-increasing). ``diversity=0`` is a plain sort.
    """
    order = np.argsort(-scores, kind="stable")
    if diversity <= 0 or len(scores) <= 1:
        return order[:k], np.asarray(scores)[order[:k]]
    picked: list[int] = []
    values: list[float] = []
    seen: dict[int, int] = {}
    remaining = list(order)
    while remaining and len(picked) < k:
        best_i, best_v = 0, -np.inf
        for j, pos in enumerate(remaining):
            v = scores[pos] - diversity * seen.get(int(countries[pos]), 0)
            if v > best_v:
                best_i, best_v = j, v
        pos = remaining.pop(best_i)
        picked.append(pos)
        values.append(float(best_v))
        seen[int(countries[pos])] = seen.get(int(countries[pos]), 0) + 1
    return np.array(picked, dtype=int), np.array(values)


@dataclass(frozen=True)
class Listed:
    """The top of a list in the order users see it."""

    positions: np.ndarray  # into the Scored, best first
    logits: np.ndarray  # the ranker's logit of each
    #: The probability each is shown with: that of the value that ordered the list (the calibrated logit,
    #: with the head's size offset and the diversity penalty where they moved it): non-increasing. Not
    #: rounded: what displays it rounds.
    scores: np.ndarray


def head_keys(state: MatchState, scored: Scored) -> np.ndarray:
    """An ordering key for every candidate of ``scored``, on the calibrated scale (``calibrated``: so pairs
    scored by different models compare): the first ``calibration.TOP_K`` are chosen among the best
    ``calibration.POOL`` by calibrated logit + size offset (``matcher.ranking.size_fit``: so a list's sizes look
    like real partners'), in that order; everything after them keeps its order and gaps. The offsets order
    the head of a list only: applied to every candidate they cost retrieval (twins HR@50 0.156 -> 0.112)."""
    assert state.ranker is not None
    logits = calibrated(state, scored) if len(scored.logits) else np.zeros(0)
    adjustment = state.ranker.size_adjustment(scored.X) if len(logits) else np.zeros(0)
    return keys_with_head(logits, adjustment)


def keys_with_head(logits: np.ndarray, adjustment: np.ndarray) -> np.ndarray:
    """The ordering keys of calibrated ``logits`` whose first ``TOP_K`` are re-chosen with their size offsets
    (``adjustment``) among the best ``POOL`` (``head_keys``; the cold-start evaluation calls it on stored
    lists)."""
    n = len(logits)
    if not n or not adjustment.any():
        return np.array(logits, dtype=np.float64, copy=True)
    order = np.argsort(-logits, kind="stable")
    pool = order[:POOL]
    head = pool[np.argsort(-(logits[pool] + adjustment[pool]), kind="stable")[:TOP_K]]
    key = logits.copy()
    key[head] = logits[head] + adjustment[head]
    rest = np.ones(n, dtype=bool)
    rest[head] = False
    if rest.any():
        key[rest] -= max(0.0, float(key[rest].max() - key[head].min()) + 1e-6)
    return key


def listed(state: MatchState, scored: Scored, k: int, diversity: float = 0.0) -> Listed:
    """The top ``k`` of ``scored`` as shown: size-fitted head, then the country diversity re-ranking."""
    pos, keys = diversify(head_keys(state, scored), state.arrays.country[scored.rows], k, diversity)
    assert state.ranker is not None
    shown = probability(state.ranker.display_logit(keys))  # the display map: what was measured is shown
    return Listed(positions=pos, logits=np.asarray(scored.logits)[pos], scores=shown)


def ranking_scores(state: MatchState, q: Query, cand: np.ndarray, *, size: int = SHORTLIST,
                   listed_head: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(a score per candidate that orders them exactly as ``rank`` does, with the rest after the
    shortlist in first-stage order; the full feature matrix). For evaluation, where every candidate's
    place is needed. ``listed_head``: order as users see it (``listed``: the size-fitted head first)."""
    assert state.ranker is not None, "a ranker is needed to score"
    q = prepared(state, q)
    cols = columns(state, q, cand)
    X = stack(cols)
    pos = shortlist(state, cols, len(cand), size)
    full = state.ranker.prefilter_score(X)
    full = full - full.max() - 1e6
    full[pos] = state.ranker.decision_function(X[pos])
    if listed_head:
        full = head_keys(state, Scored(cand, X, full))
    return full, X
