"""Rounds of 1:1 meetings: a maximum-weight matching of the reciprocal scores, round after round.

Rules: nobody is in two meetings in one round; nobody has more than ``max_meetings`` (default: every
round); no pair meets twice; ``avoid`` pairs never meet; ``must_meet`` pairs are placed first, in the
earliest rounds; a ``would_like`` pair's weight is its score plus ``LIKE_BONUS`` per participant who asked
(so a wished meeting beats any unwished one of the same participant); ``locked`` meetings (the organiser's)
stay at their round and table, and the others are planned around them. Each round is solved in two stages:

1. the must-meet pairs still to place: a matching with as many of them as possible (then the best
   scores), and their participants are busy for the round;
2. everybody else still free: a maximum-weight matching of the reciprocal scores. A participant keeps
   capacity for its remaining must-meets (an optional meeting never takes a slot a must-meet needs).

Solvers (all exact for the graph they are given, all deterministic — inputs in event order, no
randomness):

- ``lsa`` when the event has exactly two sides: the graph is bipartite, so scipy's
  ``linear_sum_assignment`` on the full side-by-side score matrix gives the optimum (about 10 ms per
  round for 500 × 500).
- ``milp`` otherwise: the matching integer program (one 0/1 variable per edge, one "at most one
  meeting" row per participant) solved by HiGHS through ``scipy.optimize.milp``. Each participant's
  edges are restricted to its ``top_m`` best available partners (``DEFAULT_TOP_M``; must-meets always
  kept): a participant's optimal partner is almost always among its best few dozen, and the program
  stays small (1,000 participants: about 17,000 variables, under a second per round).
- ``networkx``: ``networkx.max_weight_matching`` on the full graph. Exact but O(n³) in pure Python:
  about 12 s per round for 1,000 participants even on a sparse graph, hence not the default; kept for
  small events and as the reference the tests compare against.
- ``greedy``: the baseline — all pairs sorted by score, taken greedily per round.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.errors import InvalidInput
from matcher.events.batch import EventRanking
from matcher.events.event_records import Event
from matcher.events.options import Answer, Lock, planning_pairs

DEFAULT_TOP_M = 30
ROUND_TIME_LIMIT_S = 30.0
MIN_WEIGHT = 1e-6  # an allowed pair scores at least this: a meeting beats an empty slot
MILP_SCALE = 1e4  # HiGHS stops at an absolute gap of 1e-6: scale so that gap is negligible
METHODS = ("auto", "lsa", "milp", "networkx", "greedy")
LIKE_BONUS = 1.0  # added to a would-like pair's weight per participant who asked (scores are in [0, 1])


@dataclass(frozen=True)
class Meeting:
    round: int  # 1-based
    table: int  # 1-based within the round
    a: str  # participant ids, a before b in event order
    b: str
    score: float  # reciprocal score (0 for a must-meet pair that was not scored)
    must_meet: bool
    locked: bool = False  # kept at its round and table by the organiser


@dataclass(frozen=True)
class Schedule:
    ids: tuple[str, ...]
    rounds: int
    method: str
    meetings: tuple[Meeting, ...]  # by round, then table
    meeting_counts: dict[str, int]
    unmet_must_meet: tuple[tuple[str, str], ...]
    total_score: float
    seconds: float
    notes: tuple[str, ...] = field(default=())

    def for_participant(self, participant_id: str) -> tuple[Meeting, ...]:
        return tuple(m for m in self.meetings if participant_id in (m.a, m.b))

    def in_round(self, r: int) -> tuple[Meeting, ...]:
        return tuple(m for m in self.meetings if m.round == r)


# ---- matching solvers on an edge list ------------------------------------------------------------
def _solve(n: int, ei: np.ndarray, ej: np.ndarray, w: np.ndarray, method: str, left: np.ndarray | None
           ) -> tuple[list[tuple[int, int]], str | None]:
    """A maximum-weight matching over edges (ei[k], ej[k]) with weights w[k] > 0.
    Returns (pairs, note) — the note says when a solver fell back."""
    if len(ei) == 0:
        return [], None
    if method == "lsa":
        assert left is not None
        li, ri = np.where(left[ei], ei, ej), np.where(left[ei], ej, ei)
        rows, r_at = np.unique(li, return_inverse=True)
        cols, c_at = np.unique(ri, return_inverse=True)
        from scipy.optimize import linear_sum_assignment

        M = np.zeros((len(rows), len(cols)))
        M[r_at, c_at] = w
        r, c = linear_sum_assignment(M, maximize=True)
        keep = M[r, c] > 0  # a forced pair on a missing edge is no meeting
        return [(int(rows[a]), int(cols[b])) for a, b in zip(r[keep], c[keep])], None
    if method == "networkx":
        import networkx as nx

        g = nx.Graph()
        g.add_weighted_edges_from((int(a), int(b), round(x * 1e9)) for a, b, x in zip(ei, ej, w))
        return sorted((min(a, b), max(a, b)) for a, b in nx.max_weight_matching(g)), None
    return _milp(n, ei, ej, w)


def _milp(n: int, ei: np.ndarray, ej: np.ndarray, w: np.ndarray) -> tuple[list[tuple[int, int]], str | None]:
    import scipy.sparse as sp
    from scipy.optimize import Bounds, LinearConstraint, milp

    k = len(ei)
    nodes, at = np.unique(np.concatenate([ei, ej]), return_inverse=True)
    A = sp.csr_matrix((np.ones(2 * k), (at, np.concatenate([np.arange(k), np.arange(k)]))), shape=(len(nodes), k))
    res = milp(-w * MILP_SCALE, constraints=LinearConstraint(A, 0, 1), integrality=np.ones(k), bounds=Bounds(0, 1),
               options={"mip_rel_gap": 0.0, "time_limit": ROUND_TIME_LIMIT_S, "presolve": True})
    if res.x is None:  # no solution within the time limit: the greedy answer is still a valid matching
        return _greedy_round(ei, ej, w), f"milp gave no solution ({res.message}); greedy used for a round"
    note = None if res.status == 0 else f"milp stopped early ({res.message}); best solution found kept"
    x = res.x > 0.5
    return [(int(a), int(b)) for a, b in zip(ei[x], ej[x])], note


def _greedy_round(ei: np.ndarray, ej: np.ndarray, w: np.ndarray) -> list[tuple[int, int]]:
    busy: set[int] = set()
    out = []
    for k in np.lexsort((ej, ei, -w)):  # best first, ties in event order
        a, b = int(ei[k]), int(ej[k])
        if a not in busy and b not in busy:
            busy.update((a, b))
            out.append((a, b))
    return out


def _top_m_edges(W: np.ndarray, nodes: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Edges (i < j) among ``nodes`` where W > 0, each node keeping its ``m`` best (union of both ends)."""
    sub = W[np.ix_(nodes, nodes)]
    if len(nodes) > m + 1:
        keep = np.zeros_like(sub, dtype=bool)
        top = np.argpartition(-sub, m, axis=1)[:, :m]
        np.put_along_axis(keep, top, True, axis=1)
        keep |= keep.T
        sub = np.where(keep, sub, 0.0)
    i, j = np.nonzero(np.triu(sub > 0, 1))
    return nodes[i], nodes[j]


# ---- planning ------------------------------------------------------------------------------------
#: A locked meeting: (round, table, position a, position b).
Locked = tuple[int, int, int, int]


def plan_schedule(ids: Sequence[str], weights: np.ndarray, rounds: int, *,
                  must_meet: Iterable[tuple[int, int]] = (), avoid: Iterable[tuple[int, int]] = (),
                  would_like: Mapping[tuple[int, int], int] | None = None, locked: Iterable[Locked] = (),
                  max_meetings: Sequence[int | None] | None = None, sides: Sequence[str | None] | None = None,
                  method: str = "auto", top_m: int = DEFAULT_TOP_M) -> Schedule:
    """Plan ``rounds`` rounds. ``weights[i, j]``: reciprocal score, nan where i and j may not meet
    (a must-meet or would-like pair may meet whatever its weight). Pairs are positions into ``ids``;
    ``would_like``: pair -> number of participants who asked (1 or 2). A locked meeting that can no longer
    be kept (its round beyond ``rounds``, a participant or table taken twice in its round, the pair met
    already, or now avoided) is released, with a note."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; one of {', '.join(METHODS)}")
    if rounds < 1:
        raise InvalidInput("rounds must be at least 1", field="rounds")
    t0 = time.perf_counter()
    n = len(ids)
    score = np.nan_to_num(np.asarray(weights, dtype=np.float64), nan=0.0)
    allowed = ~np.isnan(np.asarray(weights, dtype=np.float64))
    np.fill_diagonal(allowed, False)
    must = np.zeros((n, n), dtype=bool)
    for i, j in must_meet:
        must[i, j] = must[j, i] = True
    side_values = sorted({s for s in (sides or []) if s is not None})
    bipartite = len(side_values) == 2 and all(s is not None for s in (sides or [None]))
    left = np.array([s == side_values[0] for s in sides]) if bipartite and sides is not None else None
    bonus = np.zeros((n, n))
    for (i, j), askers in (would_like or {}).items():
        if i != j and (left is None or left[i] != left[j]):  # with two sides, only pairs across them meet
            bonus[i, j] = bonus[j, i] = LIKE_BONUS * askers
            allowed[i, j] = allowed[j, i] = True
    for i, j in avoid:
        allowed[i, j] = allowed[j, i] = must[i, j] = must[j, i] = False
    allowed |= must
    cap = np.array([rounds if c is None else min(c, rounds) for c in (max_meetings or [None] * n)])
    solver = {"auto": "lsa" if bipartite else "milp", "lsa": "lsa" if bipartite else "milp"}.get(method, method)
    kept, notes = _kept_locks(ids, locked, rounds, allowed)
    weight = np.where(allowed, score + bonus, 0.0)
    if method == "greedy":
        meetings = _plan_greedy(n, weight, allowed, must, cap, rounds, kept)
    else:
        meetings, more = _plan_matching(n, weight, allowed, must, cap, rounds, solver, left, top_m, kept)
        notes += more
    return _schedule(ids, rounds, solver, meetings, score, must, time.perf_counter() - t0, notes, kept)


def _kept_locks(ids: Sequence[str], locked: Iterable[Locked], rounds: int, allowed: np.ndarray
                ) -> tuple[list[Locked], list[str]]:
    kept: list[Locked] = []
    notes: list[str] = []
    busy: set[tuple[int, int]] = set()
    tables: set[tuple[int, int]] = set()
    pairs: set[tuple[int, int]] = set()
    for r, t, i, j in locked:
        i, j = min(i, j), max(i, j)
        what = f"locked meeting {ids[i]} - {ids[j]} (round {r}, table {t}) released"
        if not 1 <= r <= rounds or t < 1:
            notes.append(f"{what}: the schedule has {rounds} round(s)")
        elif i == j or not allowed[i, j]:
            notes.append(f"{what}: the pair may not meet")
        elif (r, i) in busy or (r, j) in busy or (r, t) in tables or (i, j) in pairs:
            notes.append(f"{what}: a participant, the table or the pair is locked already")
        else:
            kept.append((r, t, i, j))
            busy.update(((r, i), (r, j)))
            tables.add((r, t))
            pairs.add((i, j))
    return kept, notes


def _plan_matching(n: int, score: np.ndarray, allowed: np.ndarray, must: np.ndarray, cap: np.ndarray,
                   rounds: int, solver: str, left: np.ndarray | None, top_m: int, kept: Sequence[Locked] = ()
                   ) -> tuple[list[tuple[int, int, int]], list[str]]:
    open_ = allowed.copy()  # pairs that have not met yet
    pending = must.copy()
    count = np.zeros(n, dtype=int)
    for _, _, a, b in kept:  # locked meetings hold their places (and their participants' capacity) first
        open_[a, b] = open_[b, a] = pending[a, b] = pending[b, a] = False
        count[a] += 1
        count[b] += 1
    out: list[tuple[int, int, int]] = []
    notes: list[str] = []
    for r in range(1, rounds + 1):
        busy = np.zeros(n, dtype=bool)
        for lr, _, a, b in kept:
            if lr == r:
                busy[a] = busy[b] = True
        # Stage 1: must-meets. Weight 1 + score/(n+1): the number of pairs first, then their scores.
        can = (count < cap) & ~busy
        mi, mj = np.nonzero(np.triu(pending & can[:, None] & can[None, :], 1))
        # (A must-meet within one side, possible only through this function's own callers, is not
        # bipartite: the integer program takes it.)
        one_side = left is not None and bool((left[mi] == left[mj]).any())
        pairs, note = _solve(n, mi, mj, 1.0 + score[mi, mj] / (n + 1), "milp" if one_side else solver, left)
        notes += [f"round {r}: {note}"] if note else []
        for a, b in pairs:
            busy[a] = busy[b] = True
        # Stage 2: optional meetings for the others, keeping capacity for pending must-meets.
        free = ~busy & (count + pending.sum(axis=1) < cap)
        W = np.where(open_ & ~must & free[:, None] & free[None, :], np.maximum(score, MIN_WEIGHT), 0.0)
        nodes = np.flatnonzero(W.any(axis=1))
        if solver == "milp":
            ei, ej = _top_m_edges(W, nodes, top_m)
        else:
            ei, ej = np.nonzero(np.triu(W[np.ix_(nodes, nodes)] > 0, 1))
            ei, ej = nodes[ei], nodes[ej]
        more, note = _solve(n, ei, ej, W[ei, ej], solver, left)
        notes += [f"round {r}: {note}"] if note else []
        for a, b in pairs + more:
            a, b = min(a, b), max(a, b)
            open_[a, b] = open_[b, a] = pending[a, b] = pending[b, a] = False
            count[a] += 1
            count[b] += 1
            out.append((r, a, b))
    return out, notes


def _plan_greedy(n: int, score: np.ndarray, allowed: np.ndarray, must: np.ndarray, cap: np.ndarray,
                 rounds: int, kept: Sequence[Locked] = ()) -> list[tuple[int, int, int]]:
    """The baseline: every pair sorted (must-meets first, then by score), taken greedily per round."""
    ei, ej = np.nonzero(np.triu(allowed, 1))
    order = np.lexsort((ej, ei, -score[ei, ej], ~must[ei, ej]))
    ei, ej = ei[order].tolist(), ej[order].tolist()
    is_must = must[ei, ej].tolist() if ei else []
    pending = must.sum(axis=1).astype(int)
    count = np.zeros(n, dtype=int)
    met: set[tuple[int, int]] = set()
    for _, _, a, b in kept:
        met.add((a, b))
        count[a] += 1
        count[b] += 1
        if must[a, b]:
            pending[a] -= 1
            pending[b] -= 1
    out: list[tuple[int, int, int]] = []
    for r in range(1, rounds + 1):
        busy: set[int] = {x for lr, _, a, b in kept if lr == r for x in (a, b)}
        for a, b, m in zip(ei, ej, is_must):
            if a in busy or b in busy or (a, b) in met:
                continue
            need = 0 if m else 1  # an optional meeting keeps room for the pending must-meets
            if count[a] + (pending[a] * need) >= cap[a] or count[b] + (pending[b] * need) >= cap[b]:
                continue
            busy.update((a, b))
            met.add((a, b))
            count[a] += 1
            count[b] += 1
            if m:
                pending[a] -= 1
                pending[b] -= 1
            out.append((r, a, b))
            if len(busy) >= n - 1:
                break
    return out


def _schedule(ids: Sequence[str], rounds: int, method: str, placed: list[tuple[int, int, int]], score: np.ndarray,
              must: np.ndarray, seconds: float, notes: list[str], kept: Sequence[Locked] = ()) -> Schedule:
    """Meetings numbered by table within each round: locked ones at their tables, the others at the lowest
    free tables, in event order."""
    taken: dict[int, set[int]] = {}
    rows: list[tuple[int, int, int, int, bool]] = []  # (round, table, a, b, locked)
    for r, t, a, b in kept:
        taken.setdefault(r, set()).add(t)
        rows.append((r, t, a, b, True))
    next_table: dict[int, int] = {}
    for r, a, b in sorted(placed):
        t = next_table.get(r, 1)
        while t in taken.get(r, set()):
            t += 1
        next_table[r] = t + 1
        rows.append((r, t, a, b, False))
    rows.sort()
    meetings = tuple(Meeting(round=r, table=t, a=ids[a], b=ids[b], score=round(float(score[a, b]), 6),
                             must_meet=bool(must[a, b]), locked=lk) for r, t, a, b, lk in rows)
    done = {(a, b) for _, _, a, b, _ in rows}
    mi, mj = np.nonzero(np.triu(must, 1))
    unmet = tuple((ids[a], ids[b]) for a, b in zip(mi.tolist(), mj.tolist()) if (a, b) not in done)
    counts = {pid: 0 for pid in ids}
    for m in meetings:
        counts[m.a] += 1
        counts[m.b] += 1
    total = float(sum(score[a, b] for _, _, a, b, _ in rows))
    return Schedule(ids=tuple(ids), rounds=rounds, method=method, meetings=meetings, meeting_counts=counts,
                    unmet_must_meet=unmet, total_score=round(total, 6), seconds=seconds, notes=tuple(notes))


def schedule_event(event: Event, ranking: EventRanking, rounds: int, *, method: str = "auto",
                   top_m: int = DEFAULT_TOP_M, answers: Mapping[str, Answer] | None = None,
                   locks: Iterable[Lock] = ()) -> Schedule:
    """``plan_schedule`` for a parsed ``Event`` and its ``EventRanking`` (the reciprocal score matrix): the
    file's must-meet / would-like / avoid columns with the participants' ``answers`` through their links
    (``matcher.events.options.planning_pairs``), and the organiser's ``locks`` (a lock naming a
    participant no longer in the event is dropped)."""
    ps = event.participants
    pp = planning_pairs(event.index, event.pairs("must_meet"),
                        [(i, i, event.index[o]) for i, p in enumerate(ps) for o in p.would_like],
                        event.pairs("avoid"), answers or {})
    at = event.index
    locked = [(x.round, x.table, at[x.a], at[x.b]) for x in locks if x.a in at and x.b in at]
    return plan_schedule(event.ids, ranking.mutual, rounds, must_meet=pp.must_meet, avoid=pp.avoid,
                         would_like=pp.would_like, locked=locked, max_meetings=[p.max_meetings for p in ps],
                         sides=[p.side for p in ps] if event.has_sides else None, method=method, top_m=top_m)


__all__ = ["DEFAULT_TOP_M", "LIKE_BONUS", "METHODS", "Locked", "Meeting", "Schedule", "plan_schedule", "schedule_event"]
