"""An event's planning options, chosen by its organiser, and the participants' own wishes (pure).

Stored as JSON in the event's ``options`` (``matcher.store.events``, table ``event_options``), read back
with the same validation as a form or an API body, so a bad stored value cannot reach the planner.

- ``Timing``: rounds, start of round 1, slot length, the break between two slots and longer pauses after
  given rounds (lunch): ``slot_times`` gives each round's start and end.
- ``Wish``: what a participant answered through its own link about another participant: ``must`` (must
  meet), ``like`` (would like to meet) or ``no`` (no thanks); with the file's ``must_meet`` /
  ``would_like`` / ``avoid`` columns, ``planning_pairs`` gives the planner its pair sets: a "no thanks"
  from either side wins over everything, a must-meet over a would-like.
- ``Lock``: a meeting the organiser keeps at its round and table when the rest is planned again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from matcher.errors import InvalidInput

WISHES = ("must", "like", "no")
MAX_ROUNDS = 20
MAX_MINUTES = 600
MAX_PAUSES = 5
DEFAULT_ROUNDS = 3
DEFAULT_SLOT_MINUTES = 20
DEFAULT_BREAK_MINUTES = 5


#: The years a schedule may run in: every slot of the longest schedule (20 rounds of 20 hours) is then a date
#: Python can write (year 9999 ends the calendar), and a year has four digits.
MIN_YEAR, MAX_YEAR = 1000, 9998


@dataclass(frozen=True)
class Pause:
    after_round: int  # 1-based: the pause comes between this round and the next
    minutes: int


@dataclass(frozen=True)
class Timing:
    rounds: int = DEFAULT_ROUNDS
    start: datetime | None = None  # None: no times (a grid of rounds only)
    slot_minutes: int = DEFAULT_SLOT_MINUTES
    break_minutes: int = DEFAULT_BREAK_MINUTES
    pauses: tuple[Pause, ...] = ()

    def slot(self, r: int) -> tuple[datetime, datetime] | None:
        """Round ``r``'s (start, end), or None without a start."""
        if self.start is None:
            return None
        return slot_times(self.start, r, self.slot_minutes, self.break_minutes, self.pauses)


@dataclass(frozen=True)
class Lock:
    round: int
    table: int
    a: str  # participant ids
    b: str


@dataclass(frozen=True)
class Answer:
    """One participant's answers through its link: other participant id -> ``must`` / ``like`` / ``no``."""

    wishes: Mapping[str, str]
    answered_at: str  # ISO 8601 UTC


@dataclass(frozen=True)
class EventOptions:
    timing: Timing = field(default_factory=Timing)
    locks: tuple[Lock, ...] = ()
    answers: Mapping[str, Answer] = field(default_factory=dict)  # participant id -> its answers

    def with_answer(self, participant_id: str, answer: Answer) -> EventOptions:
        return replace(self, answers={**self.answers, participant_id: answer})


def slot_times(start: datetime, r: int, slot_minutes: int, break_minutes: int,
               pauses: Iterable[Pause] = ()) -> tuple[datetime, datetime]:
    """Round ``r`` (1-based) starts after ``r - 1`` slots, their breaks, and the pauses after earlier rounds."""
    extra = sum(p.minutes for p in pauses if p.after_round < r)
    begin = start + timedelta(minutes=(r - 1) * (slot_minutes + break_minutes) + extra)
    return begin, begin + timedelta(minutes=slot_minutes)


# ---- validation ----------------------------------------------------------------------------------
def _int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be a whole number", field=name, key="not_whole_number",
                           params={"value": str(value)})
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number, not {value!r}", field=name, key="not_whole_number",
                           params={"value": str(value)}) from None
    if not low <= n <= high:
        raise InvalidInput(f"{name} must be between {low} and {high}", field=name, key="out_of_range",
                           params={"value": n, "low": low, "high": high})
    return n


def timing(*, rounds: Any = DEFAULT_ROUNDS, start: datetime | None = None, slot_minutes: Any = DEFAULT_SLOT_MINUTES,
           break_minutes: Any = DEFAULT_BREAK_MINUTES, pauses: Iterable[tuple[Any, Any]] = ()) -> Timing:
    """A validated ``Timing`` (``InvalidInput`` naming the field). A pause after the last round or twice
    after one round is an error; pauses of 0 minutes are dropped."""
    n = _int(rounds, "rounds", 1, MAX_ROUNDS)
    out: dict[int, int] = {}
    for after, minutes in pauses:
        r, m = _int(after, "pause_after", 1, max(n - 1, 1)), _int(minutes, "pause_minutes", 0, MAX_MINUTES)
        if r >= n:
            raise InvalidInput(f"a pause after round {r} comes after the last round", field="pause_after",
                               key="pause_after_last", params={"value": r})
        if r in out:
            raise InvalidInput(f"two pauses after round {r}", field="pause_after", key="pause_twice",
                               params={"value": r})
        if m:
            out[r] = m
    if len(out) > MAX_PAUSES:
        raise InvalidInput(f"at most {MAX_PAUSES} pauses", field="pause_after")
    t = Timing(rounds=n, start=start, slot_minutes=_int(slot_minutes, "slot_minutes", 1, MAX_MINUTES),
               break_minutes=_int(break_minutes, "break_minutes", 0, MAX_MINUTES),
               pauses=tuple(Pause(r, m) for r, m in sorted(out.items())))
    if start is not None and not MIN_YEAR <= start.year <= MAX_YEAR:
        raise InvalidInput(f"start must be between the years {MIN_YEAR} and {MAX_YEAR}", field="start")
    return t


# ---- JSON ----------------------------------------------------------------------------------------
def to_json(options: EventOptions) -> str:
    t = options.timing
    data = {"rounds": t.rounds, "start": t.start.isoformat() if t.start is not None else None,
            "slot_minutes": t.slot_minutes, "break_minutes": t.break_minutes,
            "pauses": [[p.after_round, p.minutes] for p in t.pauses],
            "locks": [[x.round, x.table, x.a, x.b] for x in options.locks],
            "answers": {pid: {"wishes": dict(a.wishes), "answered_at": a.answered_at}
                        for pid, a in sorted(options.answers.items())}}
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def from_json(text: str | None) -> EventOptions:
    """The stored options; an empty or unreadable value gives the defaults (it is never shown as data)."""
    try:
        data = json.loads(text or "{}")
        if not isinstance(data, dict):
            return EventOptions()
        start = datetime.fromisoformat(data["start"]) if data.get("start") else None
        t = timing(rounds=data.get("rounds", DEFAULT_ROUNDS), start=start,
                   slot_minutes=data.get("slot_minutes", DEFAULT_SLOT_MINUTES),
                   break_minutes=data.get("break_minutes", DEFAULT_BREAK_MINUTES),
                   pauses=[(a, m) for a, m in data.get("pauses", [])])
        locks = tuple(Lock(int(r), int(tb), str(a), str(b)) for r, tb, a, b in data.get("locks", []))
        answers = {str(pid): Answer({str(k): str(v) for k, v in a.get("wishes", {}).items() if v in WISHES},
                                    str(a.get("answered_at", "")))
                   for pid, a in data.get("answers", {}).items()}
    except (ValueError, TypeError, KeyError, InvalidInput):
        return EventOptions()
    return EventOptions(timing=t, locks=locks, answers=answers)


# ---- wishes → the planner's pairs ------------------------------------------------------------------
@dataclass(frozen=True)
class PlanningPairs:
    """Unordered position pairs (i < j) for ``matcher.events.schedule.plan_schedule``."""

    must_meet: frozenset[tuple[int, int]]
    would_like: Mapping[tuple[int, int], int]  # pair -> how many of the two asked (1 or 2)
    avoid: frozenset[tuple[int, int]]


def planning_pairs(index: Mapping[str, int], file_must: Iterable[tuple[int, int]],
                   file_like: Iterable[tuple[int, int, int]], file_avoid: Iterable[tuple[int, int]],
                   answers: Mapping[str, Answer]) -> PlanningPairs:
    """The file's pairs and the link answers together. ``file_like``: (asker, other) positions, with the
    pair. An answer naming a participant no longer in the event is ignored. A "no thanks" from either
    side wins; then a must-meet; a would-like counts once per participant who asked."""
    def key(i: int, j: int) -> tuple[int, int]:
        return (min(i, j), max(i, j))

    must = {key(i, j) for i, j in file_must}
    avoid = {key(i, j) for i, j in file_avoid}
    askers: dict[tuple[int, int], set[int]] = {}
    for asker, i, j in file_like:
        askers.setdefault(key(i, j), set()).add(asker)
    for pid, answer in answers.items():
        me = index.get(pid)
        if me is None:
            continue
        for other, wish in answer.wishes.items():
            you = index.get(other)
            if you is None or you == me:
                continue
            k = key(me, you)
            if wish == "no":
                avoid.add(k)
            elif wish == "must":
                must.add(k)
            elif wish == "like":
                askers.setdefault(k, set()).add(me)
    must -= avoid
    like = {k: len(v) for k, v in askers.items() if k not in avoid and k not in must}
    return PlanningPairs(frozenset(must), like, frozenset(avoid))


__all__ = ["DEFAULT_BREAK_MINUTES", "DEFAULT_ROUNDS", "DEFAULT_SLOT_MINUTES", "MAX_MINUTES", "MAX_ROUNDS", "WISHES",
           "Answer", "EventOptions", "Lock", "Pause", "PlanningPairs", "Timing", "from_json", "planning_pairs",
           "slot_times", "timing", "to_json"]
