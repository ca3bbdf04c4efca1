"""Request/response models of verification, claims and the audit trail (``service.routes.trust``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.store.trust import AuditEntry, Claim
from service.schemas.authorities import AuthorityStaff, OwnerKeyOut
from service.schemas.common import EMAIL_PATTERN


def instant_text(value: datetime | None) -> str | None:
    """An instant as the audit trail writes its times (UTC, seconds, ``Z``; no offset given = UTC), so that
    they compare as text."""
    if value is None:
        return None
    value = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def real_day(value: str | None) -> str | None:
    """A day ``YYYY-MM-DD`` that exists (empty: no bound)."""
    if value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return value


class StaffDecisionIn(BaseModel):
    """Staff's answer to a pending profile (`POST /verifications/{id}`) or a claim (`POST /claims/{id}`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"decision": "approve", "note": "checked against the town hall's website"}]})

    decision: Literal["approve", "reject"]
    note: str = Field("", max_length=2000)


class VerificationPage(BaseModel):
    items: list[AuthorityStaff]
    pending: int = Field(description="Profiles waiting for verification, in all")
    next_cursor: int | None


class ClaimIn(BaseModel):
    """Who asks to manage the entry. Private: shown to staff only, never in a public response."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Claire Martin", "role": "chargée des relations internationales",
         "email": "relations.internationales@mairie-exemple.fr", "message": "Nous souhaitons compléter notre fiche."}]})

    name: str = Field(min_length=2, max_length=200, description="The person asking (kept private)")
    role: str = Field(min_length=2, max_length=200, description="Their role at the authority, e.g. DGS")
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN,
                       description="An official e-mail of the authority (kept private)")
    message: str = Field("", max_length=2000)


class ClaimReceipt(BaseModel):
    """What the claimant gets back: no personal data, only where the claim stands."""

    id: int
    authority_id: str
    status: Literal["pending", "approved", "rejected"]

    @classmethod
    def of(cls, c: Claim) -> ClaimReceipt:
        return cls(id=c.id, authority_id=c.authority_id, status=c.status)  # type: ignore[arg-type]


class ClaimStaff(ClaimReceipt):
    authority_name: str
    name: str
    role: str
    email: str
    message: str
    created_at: str
    decided_at: str | None
    decided_by: str | None
    note: str


class ClaimPage(BaseModel):
    items: list[ClaimStaff]
    next_cursor: int | None


class ClaimDecided(BaseModel):
    claim: ClaimStaff
    owner_key: OwnerKeyOut | None = Field(description="On approval: the owner key, shown once, for staff to "
                                                       "pass on to the claimant's official e-mail")


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str = Field(description="The key id that acted (never a secret), or 'anonymous'")
    action: str
    subject: str = Field(description="The authority id acted on")
    subject_name: str | None = Field(description="Its name, when it still exists")
    note: str

    @classmethod
    def of(cls, e: AuditEntry, name: str | None) -> AuditOut:
        return cls(id=e.id, at=e.at, actor=e.actor, action=e.action, subject=e.subject, subject_name=name,
                   note=e.note)


class AuditPage(BaseModel):
    items: list[AuditOut]
    next_cursor: int | None
