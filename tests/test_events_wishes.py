"""Participants' wishes, the organiser's locks and timing (matcher.events.options, matcher.events.schedule):
known answers on small events."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import numpy as np
import pytest

from matcher.errors import InvalidInput
from matcher.events.options import (
    Answer,
    EventOptions,
    Lock,
    Pause,
    Timing,
    from_json,
    planning_pairs,
    slot_times,
    timing,
    to_json,
)
from matcher.events.schedule import plan_schedule

NAN = np.nan
#: Two sides: fr = A, B; partner = C, D, E.
IDS = ["A", "B", "C", "D", "E"]
SIDES = ["fr", "fr", "partner", "partner", "partner"]


def five() -> np.ndarray:
    """A–C 0.9, B–D 0.9, A–D 0.3, B–C 0.3, A–E 0.2, B–E 0.1: without wishes, round 1 is A–C and B–D."""
    W = np.full((5, 5), NAN)
    for i, j, w in [(0, 2, 0.9), (1, 3, 0.9), (0, 3, 0.3), (1, 2, 0.3), (0, 4, 0.2), (1, 4, 0.1)]:
        W[i, j] = W[j, i] = w
    return W


def pairs(s, r=None):
    return {(m.a, m.b) for m in s.meetings if r is None or m.round == r}


def test_without_wishes_the_best_scores_meet_first():
    s = plan_schedule(IDS, five(), 1, sides=SIDES)
    assert pairs(s) == {("A", "C"), ("B", "D")}


@pytest.mark.parametrize("method", ["auto", "milp", "greedy"])
def test_a_would_like_beats_a_better_score(method):
    # A would like E (0.2 < A–C's 0.9): A meets E in the only round; B keeps D.
    s = plan_schedule(IDS, five(), 1, sides=SIDES, would_like={(0, 4): 1}, method=method)
    assert pairs(s) == {("A", "E"), ("B", "D")}
    assert [m.score for m in s.meetings if (m.a, m.b) == ("A", "E")] == [0.2]  # the real score, not the bonus


def test_must_meet_comes_before_would_like_and_no_thanks_is_never_paired():
    # A must meet D, would like E; B says no thanks to D. Round 1: A–D (must) first; B–D never.
    s = plan_schedule(IDS, five(), 3, sides=SIDES, must_meet=[(0, 3)], would_like={(0, 4): 1}, avoid=[(1, 3)])
    assert ("A", "D") in pairs(s, 1)
    assert ("A", "E") in pairs(s, 2)  # the wish, before A–C (0.9)
    assert ("B", "D") not in pairs(s)
    assert s.unmet_must_meet == ()


def test_planning_pairs_merge_the_file_and_the_links():
    index = {pid: i for i, pid in enumerate(IDS)}
    answers = {"A": Answer({"D": "must", "E": "like", "C": "no"}, "2026-11-01T10:00:00Z"),
               "E": Answer({"A": "like", "B": "no", "zz": "must"}, "2026-11-01T10:05:00Z"),
               "B": Answer({"C": "like"}, "x")}
    pp = planning_pairs(index, file_must=[(1, 2)], file_like=[(1, 1, 3)], file_avoid=[], answers=answers)
    assert pp.must_meet == {(0, 3), (1, 2)}  # B–C must (file) wins over B's "like"
    assert pp.avoid == {(0, 2), (1, 4)}  # "no thanks" from either side
    assert pp.would_like == {(0, 4): 2, (1, 3): 1}  # both A and E asked; unknown "zz" ignored
    # A "no thanks" beats the other participant's must-meet.
    pp = planning_pairs(index, [(0, 2)], [], [], {"C": Answer({"A": "no"}, "")})
    assert pp.must_meet == set() and pp.avoid == {(0, 2)}


def test_locked_meetings_stay_and_the_rest_is_planned_around_them():
    # Lock B–C (0.3) at round 1, table 2. Round 1 then holds A with D or E (C is taken), never A–C.
    s = plan_schedule(IDS, five(), 2, sides=SIDES, locked=[(1, 2, 1, 2)])
    first = {(m.a, m.b): m for m in s.meetings if m.round == 1}
    assert first[("B", "C")].table == 2 and first[("B", "C")].locked
    assert first[("A", "D")].table == 1 and not first[("A", "D")].locked
    assert ("B", "C") not in pairs(s, 2)  # a locked pair does not meet again
    for r in (1, 2):  # nobody twice in a round
        seen = Counter(x for m in s.meetings if m.round == r for x in (m.a, m.b))
        assert max(seen.values()) == 1


@pytest.mark.parametrize("method", ["auto", "greedy"])
def test_re_planning_keeps_locks_and_respects_a_new_no_thanks(method):
    before = plan_schedule(IDS, five(), 3, sides=SIDES, method=method)
    locks = [(m.round, m.table, IDS.index(m.a), IDS.index(m.b)) for m in before.meetings if m.a == "A"]
    # Then B says no thanks to D, and would like E: planned again with A's meetings locked.
    after = plan_schedule(IDS, five(), 3, sides=SIDES, method=method, locked=locks, avoid=[(1, 3)],
                          would_like={(1, 4): 1})
    kept = {(m.round, m.table, m.a, m.b) for m in after.meetings if m.locked}
    assert kept == {(m.round, m.table, m.a, m.b) for m in before.meetings if m.a == "A"}
    assert ("B", "D") not in pairs(after)
    assert ("B", "E") in pairs(after)
    for r in (1, 2, 3):
        seen = Counter(x for m in after.meetings if m.round == r for x in (m.a, m.b))
        assert max(seen.values()) == 1
        tables = [m.table for m in after.meetings if m.round == r]
        assert len(tables) == len(set(tables))


def test_a_lock_that_cannot_hold_is_released_with_a_note():
    s = plan_schedule(IDS, five(), 1, sides=SIDES, locked=[(2, 1, 0, 2), (1, 1, 1, 3)], avoid=[(1, 3)])
    assert not any(m.locked for m in s.meetings)
    assert len(s.notes) == 2 and "round 2" in s.notes[0] and "may not meet" in s.notes[1]


def test_slot_times_with_breaks_and_a_lunch_pause():
    start = datetime(2026, 12, 1, 9, 0)
    t = timing(rounds=4, start=start, slot_minutes=30, break_minutes=10, pauses=[(2, 60)])
    assert [t.slot(r) for r in (1, 2, 3, 4)] == [
        (datetime(2026, 12, 1, 9, 0), datetime(2026, 12, 1, 9, 30)),
        (datetime(2026, 12, 1, 9, 40), datetime(2026, 12, 1, 10, 10)),
        (datetime(2026, 12, 1, 11, 20), datetime(2026, 12, 1, 11, 50)),  # 10:20 + 60 min pause
        (datetime(2026, 12, 1, 12, 0), datetime(2026, 12, 1, 12, 30))]
    assert slot_times(start, 2, 20, 5) == (datetime(2026, 12, 1, 9, 25), datetime(2026, 12, 1, 9, 45))
    assert Timing().slot(1) is None


@pytest.mark.parametrize("kwargs, field", [
    ({"rounds": 0}, "rounds"), ({"rounds": "trois"}, "rounds"), ({"slot_minutes": 0}, "slot_minutes"),
    ({"break_minutes": -5}, "break_minutes"), ({"rounds": 3, "pauses": [(3, 30)]}, "pause_after"),
    ({"rounds": 3, "pauses": [(1, 30), (1, 20)]}, "pause_after"), ({"pauses": [(1, 601)]}, "pause_minutes"),
])
def test_timing_is_validated(kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        timing(**kwargs)
    assert exc.value.field == field


def test_options_round_trip_through_json():
    opts = EventOptions(timing=Timing(4, datetime(2026, 12, 1, 9, 0), 25, 5, (Pause(2, 45),)),
                        locks=(Lock(1, 2, "a", "b"),), answers={"a": Answer({"b": "like", "c": "no"}, "t")})
    assert from_json(to_json(opts)) == opts
    assert from_json("") == EventOptions() and from_json("[1]") == EventOptions()
    assert from_json('{"rounds": 99}') == EventOptions()  # a bad stored value never reaches the planner
