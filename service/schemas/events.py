"""Response models of the event endpoints (``service.routes.events``), each with its ``of`` from the core's
records. Uploads are files, not models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.events.batch import EventRanking
from matcher.events.options import EventOptions, Timing
from matcher.events.schedule import Schedule
from matcher.ranking.score_scale import match_score
from matcher.store.events import EventRecord
from service.lang import Lang
from service.schemas.matching import MATCH_SCORE_DOC, ReasonOut


class EventOut(BaseModel):
    id: str = Field(description="Pass it to /events/{id}/rankings and /events/{id}/schedule.")
    participants: int
    sides: list[str] = Field(description="Group labels of the file's `side` column; empty when not given "
                                         "(then every pair may meet).")
    catalogue_participants: int = Field(description="Participants recognised as catalogue authorities "
                                                    "(scored with their catalogue profile and history).")
    source: str = Field(description="The uploaded file's name.")
    name: str = Field(description="The event's name: the one given at upload, else the file's name without "
                                  "its extension.")
    created_at: str

    @classmethod
    def of(cls, r: EventRecord) -> EventOut:
        return cls(id=r.id, participants=r.participants, sides=list(r.sides),
                   catalogue_participants=r.catalogue_participants, source=r.filename, name=r.title,
                   created_at=r.created_at)


class EventListOut(BaseModel):
    events: list[EventOut] = Field(description="Newest first: every event for a staff key, an organiser's own "
                                               "for an organiser key.")


class RowErrorOut(BaseModel):
    line: int = Field(description="CSV: physical line (header = 1); XLSX: sheet row; JSON: item number from 1.")
    column: str | None
    reason: str


class FileErrorBody(BaseModel):
    code: Literal["invalid_file"]
    message: str
    field: str | None
    rows: list[RowErrorOut] = Field(description="Every bad row, in file order.")


class FileErrorOut(BaseModel):
    """A participant file that does not validate: the usual error object plus every bad row."""

    error: FileErrorBody


# ---- rankings ------------------------------------------------------------------------------------
class EventPartnerOut(BaseModel):
    rank: int
    partner_id: str
    partner_name: str
    score: float = Field(description="Estimated probability that this pair would partner (0-1), "
                                     "seen from the participant.")
    match_score: int = Field(ge=0, le=100, description=MATCH_SCORE_DOC)
    mutual: float = Field(description="Reciprocal score sqrt(P(a→b)·P(b→a)): high only when both sides gain.")
    reasons: list[ReasonOut]


class ParticipantRankingOut(BaseModel):
    participant_id: str
    participant_name: str
    partners: list[EventPartnerOut]


class EventRankingsOut(BaseModel):
    id: str
    k: int
    lang: Lang
    participants: list[ParticipantRankingOut]

    @classmethod
    def of(cls, event_id: str, ranking: EventRanking, k: int, lang: Lang) -> EventRankingsOut:
        return cls(id=event_id, k=k, lang=lang, participants=[
            ParticipantRankingOut(participant_id=pid, participant_name=name, partners=[
                EventPartnerOut(rank=m.rank, partner_id=m.partner_id, partner_name=m.partner_name, score=m.score,
                                match_score=int(match_score(m.score)),
                                mutual=m.mutual, reasons=[ReasonOut.of(r, lang) for r in m.reasons])
                for m in matches])
            for pid, name, matches in zip(ranking.ids, ranking.names, ranking.rankings)])


# ---- schedule ------------------------------------------------------------------------------------
class MeetingOut(BaseModel):
    table: int
    participant_a: str
    participant_b: str
    name_a: str
    name_b: str
    score: float = Field(description="Reciprocal score of the pair (0 for a must-meet pair that was not scored).")
    must_meet: bool
    locked: bool = Field(description="Kept at this round and table by the organiser (`PUT /events/{id}/options`).")


class RoundOut(BaseModel):
    round: int
    start: str | None = Field(description="ISO 8601, when `start` was given.")
    end: str | None
    meetings: list[MeetingOut]


class PairOut(BaseModel):
    participant_a: str
    participant_b: str


class ScheduleOut(BaseModel):
    id: str
    method: str = Field(description="The matching solver used: lsa (two sides), milp, or greedy.")
    total_score: float
    participant: str | None = Field(description="When given, only this participant's meetings are listed.")
    rounds: list[RoundOut]
    unmet_must_meet: list[PairOut] = Field(description="Must-meet pairs that could not be placed.")
    meeting_counts: dict[str, int] = Field(description="Participant id -> number of meetings.")
    notes: list[str]

    @classmethod
    def of(cls, event_id: str, plan: Schedule, names: dict[str, str], participant: str | None,
           when: Timing) -> ScheduleOut:
        rounds = []
        for r in range(1, plan.rounds + 1):
            slot = when.slot(r)
            rounds.append(RoundOut(
                round=r, start=slot[0].isoformat() if slot else None, end=slot[1].isoformat() if slot else None,
                meetings=[MeetingOut(table=m.table, participant_a=m.a, participant_b=m.b, name_a=names.get(m.a, ""),
                                     name_b=names.get(m.b, ""), score=m.score, must_meet=m.must_meet,
                                     locked=m.locked)
                          for m in plan.in_round(r)]))
        return cls(id=event_id, method=plan.method, total_score=plan.total_score, participant=participant,
                   rounds=rounds, unmet_must_meet=[PairOut(participant_a=a, participant_b=b)
                                                   for a, b in plan.unmet_must_meet],
                   meeting_counts=dict(plan.meeting_counts), notes=list(plan.notes))


class PauseIO(BaseModel):
    model_config = ConfigDict(extra="forbid")
    after_round: int = Field(ge=1, le=19, description="The pause comes between this round and the next.")
    minutes: int = Field(ge=0, le=600)


class LockIO(BaseModel):
    model_config = ConfigDict(extra="forbid")
    round: int = Field(ge=1, le=20)
    table: int = Field(ge=1, le=1000)
    participant_a: str = Field(min_length=1, max_length=200)
    participant_b: str = Field(min_length=1, max_length=200)


class EventOptionsIn(BaseModel):
    """The organiser's planning options: every export and plan of the event uses them unless a request gives
    its own value."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "rounds": 6, "start": "2026-12-01T09:00:00+01:00", "slot_minutes": 20, "break_minutes": 5,
        "pauses": [{"after_round": 3, "minutes": 60}], "locks": []}]})
    rounds: int = Field(default=3, ge=1, le=20)
    start: str | None = Field(default=None, max_length=40, json_schema_extra={"format": "date-time", "pattern": r"^(19|2[0-9])[0-9]{2}-"},
                              description="Start of round 1, e.g. 2026-12-01T09:00:00+01:00 (without an offset: "
                                          "local time); null: no times.")
    slot_minutes: int = Field(default=20, ge=1, le=600, description="Length of a meeting.")
    break_minutes: int = Field(default=5, ge=0, le=600, description="Break between two meetings.")
    pauses: list[PauseIO] = Field(default_factory=list, max_length=5,
                                  description="Longer pauses (lunch) after given rounds, on top of the break.")
    locks: list[LockIO] = Field(default_factory=list, max_length=2000,
                                description="Meetings kept at their round and table when the rest is planned "
                                            "again (a lock that can no longer hold is released, with a note).")


class EventOptionsOut(EventOptionsIn):
    answered: dict[str, str] = Field(description="Participant id -> when it last answered through its own link "
                                                 "(ISO 8601 UTC); the answers themselves shape the plan.")

    @classmethod
    def of(cls, options: EventOptions) -> EventOptionsOut:
        t = options.timing
        return cls(
            rounds=t.rounds, start=t.start.isoformat() if t.start is not None else None,
            slot_minutes=t.slot_minutes, break_minutes=t.break_minutes,
            pauses=[PauseIO(after_round=p.after_round, minutes=p.minutes) for p in t.pauses],
            locks=[LockIO(round=x.round, table=x.table, participant_a=x.a, participant_b=x.b) for x in options.locks],
            answered={pid: a.answered_at for pid, a in sorted(options.answers.items())})
