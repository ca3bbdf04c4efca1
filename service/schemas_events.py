"""Response models of the event endpoints (``service.routes.events``). Uploads are files, not models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from service.schemas_matching import ReasonOut


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
    mutual: float = Field(description="Reciprocal score sqrt(P(a→b)·P(b→a)): high only when both sides gain.")
    reasons: list[ReasonOut]


class ParticipantRankingOut(BaseModel):
    participant_id: str
    participant_name: str
    partners: list[EventPartnerOut]


class EventRankingsOut(BaseModel):
    id: str
    k: int
    lang: Literal["fr", "en"]
    participants: list[ParticipantRankingOut]


# ---- schedule ------------------------------------------------------------------------------------
class MeetingOut(BaseModel):
    table: int
    participant_a: str
    participant_b: str
    name_a: str
    name_b: str
    score: float = Field(description="Reciprocal score of the pair (0 for a must-meet pair that was not scored).")
    must_meet: bool


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
