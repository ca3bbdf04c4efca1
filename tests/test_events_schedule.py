"""The meeting planner: a known optimum, constraints on random events, the greedy baseline."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import pytest

from matcher.errors import InvalidInput
from matcher.events.schedule import plan_schedule

NAN = np.nan
IDS4 = ["A", "B", "C", "D"]


def four() -> np.ndarray:
    """Greedy takes A–B (0.9) then only C–D (0.1) is left: 1.0. The optimum is A–C + B–D = 1.6."""
    W = np.full((4, 4), NAN)
    for i, j, w in [(0, 1, 0.9), (0, 2, 0.8), (1, 3, 0.8), (2, 3, 0.1)]:
        W[i, j] = W[j, i] = w
    return W


@pytest.mark.parametrize("method, sides", [
    ("milp", None), ("networkx", None), ("auto", None),
    ("auto", ["x", "y", "y", "x"]),  # A, D on one side: bipartite -> linear_sum_assignment
])
def test_known_optimum_beats_greedy(method, sides):
    best = plan_schedule(IDS4, four(), 1, method=method, sides=sides)
    greedy = plan_schedule(IDS4, four(), 1, method="greedy", sides=sides)
    assert greedy.total_score == pytest.approx(1.0)
    assert best.total_score == pytest.approx(1.6)
    assert {(m.a, m.b) for m in best.meetings} == {("A", "C"), ("B", "D")}
    assert {(m.a, m.b) for m in greedy.meetings} == {("A", "B"), ("C", "D")}
    assert best.method == ("lsa" if sides else "networkx" if method == "networkx" else "milp")


def test_second_round_takes_the_rest_and_no_pair_meets_twice():
    s = plan_schedule(IDS4, four(), 3, method="milp")
    assert [(m.round, m.a, m.b) for m in s.meetings] == [(1, "A", "C"), (1, "B", "D"), (2, "A", "B"), (2, "C", "D")]
    assert s.meeting_counts == {"A": 2, "B": 2, "C": 2, "D": 2}
    assert [m.table for m in s.meetings] == [1, 2, 1, 2]


def random_event(seed: int, n: int, sides: bool, density: float = 0.8):
    rng = np.random.default_rng(seed)
    W = rng.random((n, n)) ** 2
    W = np.triu(W, 1)
    W = W + W.T
    W[rng.random((n, n)) > density] = NAN
    W = np.where(np.isnan(W) | np.isnan(W.T), NAN, W)
    side = [("fr" if i % 2 else "partner") for i in range(n)] if sides else None
    if side:
        for i in range(n):
            for j in range(n):
                if side[i] == side[j]:
                    W[i, j] = NAN
    np.fill_diagonal(W, NAN)
    # Must-meets: a few disjoint allowed pairs (so all are feasible in round 1); avoids: other pairs.
    order = rng.permutation(n)
    must, avoid = [], []
    for a, b in zip(order[0::2], order[1::2]):
        if len(must) < 3 and (not side or side[a] != side[b]):
            must.append((int(min(a, b)), int(max(a, b))))
        elif len(avoid) < 4:
            avoid.append((int(min(a, b)), int(max(a, b))))
    cap = [None if rng.random() < 0.7 else int(rng.integers(1, 4)) for _ in range(n)]
    for a, b in must:  # a must-meet partner has room for it
        cap[a] = cap[a] if cap[a] is None else max(cap[a], 1)
        cap[b] = cap[b] if cap[b] is None else max(cap[b], 1)
    return W, must, avoid, cap, side


@pytest.mark.parametrize("seed, n, rounds, sides, method", [
    (1, 12, 3, False, "milp"),
    (2, 25, 5, False, "milp"),
    (3, 40, 6, True, "auto"),
    (4, 33, 8, True, "milp"),
    (5, 60, 4, False, "milp"),
    (6, 20, 10, True, "greedy"),
    (7, 30, 5, False, "greedy"),
    (8, 16, 4, False, "networkx"),
    (9, 90, 8, True, "auto"),
])
def test_constraints_on_random_events(seed, n, rounds, sides, method):
    W, must, avoid, cap, side = random_event(seed, n, sides)
    ids = [f"p{i}" for i in range(n)]
    s = plan_schedule(ids, W, rounds, must_meet=must, avoid=avoid, max_meetings=cap, sides=side, method=method)
    at = {pid: i for i, pid in enumerate(ids)}
    for r in range(1, rounds + 1):
        people = [x for m in s.in_round(r) for x in (m.a, m.b)]
        assert len(people) == len(set(people)), "nobody is in two meetings in one round"
    pairs = [(at[m.a], at[m.b]) for m in s.meetings]
    assert len(pairs) == len(set(pairs)), "no pair meets twice"
    assert all(a < b for a, b in pairs)
    assert not set(pairs) & set(avoid), "avoid pairs never meet"
    must_set = set(must)
    for a, b in pairs:
        assert (a, b) in must_set or not np.isnan(W[a, b]), "only allowed pairs meet"
        if side:
            assert side[a] != side[b]
    counts = Counter(x for m in s.meetings for x in (m.a, m.b))
    for i, pid in enumerate(ids):
        assert counts[pid] == s.meeting_counts[pid] <= (rounds if cap[i] is None else cap[i])
    # Must-meets are disjoint and allowed: all placed, in the first round.
    assert s.unmet_must_meet == ()
    assert {(at[m.a], at[m.b]) for m in s.meetings if m.must_meet} == must_set
    assert all(m.round == 1 for m in s.meetings if m.must_meet)
    assert s.total_score == pytest.approx(sum(0 if np.isnan(W[a, b]) else W[a, b] for a, b in pairs), abs=1e-4)


@pytest.mark.parametrize("seed, n, sides", [(11, 10, False), (12, 24, False), (13, 31, False), (14, 30, True)])
def test_one_round_is_a_maximum_weight_matching(seed, n, sides):
    """Without constraints, round 1 is exactly networkx's maximum-weight matching."""
    W, _, _, _, side = random_event(seed, n, sides)
    g = nx.Graph()
    g.add_weighted_edges_from((i, j, W[i, j]) for i in range(n) for j in range(i + 1, n) if not np.isnan(W[i, j]))
    best = sum(W[a, b] for a, b in nx.max_weight_matching(g))
    got = plan_schedule([str(i) for i in range(n)], W, 1, sides=side, method="auto")
    assert got.total_score == pytest.approx(best, abs=1e-5)
    greedy = plan_schedule([str(i) for i in range(n)], W, 1, sides=side, method="greedy")
    assert greedy.total_score <= got.total_score + 1e-9


def test_top_m_restriction_keeps_must_meets_and_stays_close():
    W, must, _, _, _ = random_event(21, 80, False)
    full = plan_schedule([str(i) for i in range(80)], W, 2, must_meet=must, method="milp", top_m=79)
    small = plan_schedule([str(i) for i in range(80)], W, 2, must_meet=must, method="milp", top_m=5)
    assert small.unmet_must_meet == () and small.total_score >= 0.97 * full.total_score


def test_capacity_is_kept_for_pending_must_meets():
    # B must meet A and C, and can only do one per round. A (max 1 meeting) must wait for B: it takes
    # no optional meeting with D in round 1, even though A-D scores well.
    W = np.full((4, 4), NAN)
    for i, j, w in [(0, 1, 0.1), (1, 2, 0.2), (0, 3, 0.9), (2, 3, 0.3)]:
        W[i, j] = W[j, i] = w
    s = plan_schedule(IDS4, W, 2, must_meet=[(0, 1), (1, 2)], max_meetings=[1, None, None, None], method="milp")
    assert s.unmet_must_meet == ()
    assert s.for_participant("A") == tuple(m for m in s.meetings if m.a == "A")
    assert [(m.b, m.must_meet) for m in s.for_participant("A")] == [("B", True)]
    g = plan_schedule(IDS4, W, 2, must_meet=[(0, 1), (1, 2)], max_meetings=[1, None, None, None], method="greedy")
    assert g.unmet_must_meet == () and g.meeting_counts["A"] == 1


def test_unmet_must_meets_are_reported():
    W = four()
    s = plan_schedule(IDS4, W, 1, must_meet=[(0, 1), (0, 2)])
    assert len(s.unmet_must_meet) == 1 and s.unmet_must_meet[0][0] == "A"
    s0 = plan_schedule(IDS4, W, 2, must_meet=[(0, 1)], max_meetings=[0, None, None, None])
    assert s0.unmet_must_meet == (("A", "B"),) and s0.meeting_counts["A"] == 0


def test_deterministic_and_validated():
    W, must, avoid, cap, _ = random_event(5, 50, False)
    ids = [f"p{i}" for i in range(50)]
    a = plan_schedule(ids, W, 4, must_meet=must, avoid=avoid, max_meetings=cap)
    b = plan_schedule(ids, W, 4, must_meet=must, avoid=avoid, max_meetings=cap)
    assert a.meetings == b.meetings
    with pytest.raises(InvalidInput):
        plan_schedule(ids, W, 0)
    with pytest.raises(ValueError):
        plan_schedule(ids, W, 1, method="magic")


def test_schedule_event_end_to_end(state, encoder):
    from pathlib import Path

    from profiles_fixture import COUNTRIES, LINKS, PROFILES

    from matcher.events.batch import rank_event
    from matcher.events.event_records import CatalogueView
    from matcher.events.participants import read_participants_file
    from matcher.events.schedule import schedule_event

    cat = CatalogueView.build(PROFILES, {c.code: c for c in COUNTRIES}, LINKS)
    event = read_participants_file(Path(__file__).parent / "fixtures" / "events" / "participants.csv", cat)
    ranking = rank_event(event, state=state, encoder=encoder, k=3)
    s = schedule_event(event, ranking, 3)
    assert s.method == "lsa"
    first = {(m.a, m.b): m for m in s.meetings}
    assert first[("reg", "kan")].must_meet and first[("reg", "kan")].round == 1
    assert ("eau", "ndi") in first  # the best pair of the event meets
    assert not any({m.a, m.b} == {"eau", "row-9"} for m in s.meetings)
    assert s.meeting_counts["row-9"] <= 2
