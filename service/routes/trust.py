"""Trust: staff verify self-registered profiles, town halls claim their catalogue entry, and every such
decision is in the audit trail (``matcher.store.trust``). The writes are ``service.services.trust``'s, as
for the staff pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from matcher.domain import PENDING
from matcher.store.codec import key_id_of
from matcher.store.protocol import ProfileStore
from matcher.store.trust import Claim
from service.deps import MatcherDep, OptionalKey, ResourcesDep, StaffKey, StoreDep, limited
from service.routes.authorities import IdPath
from service.schemas.authorities import AuthorityStaff, OwnerKeyOut
from service.schemas.trust import (
    AuditOut,
    AuditPage,
    ClaimDecided,
    ClaimIn,
    ClaimPage,
    ClaimReceipt,
    ClaimStaff,
    StaffDecisionIn,
    VerificationPage,
    instant_text,
)
from service.services import trust

router = APIRouter(tags=["trust"])

_STAFF: dict[int | str, dict[str, Any]] = {401: {"description": "No or invalid API key"},
                                           403: {"description": "Not a staff key"},
                                           422: {"description": "Invalid parameter (field named)"}}
Cursor = Annotated[int | None, Query(ge=1, le=2**62, description="`next_cursor` of the previous page")]


@router.get("/verifications", response_model=VerificationPage, responses=_STAFF,
            summary="Self-registered profiles waiting for verification, oldest first (staff)")
def verifications(key: StaffKey, store: StoreDep, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  cursor: Cursor = None) -> VerificationPage:
    found = store.pending_ids(limit=limit + 1, cursor=cursor)
    profiles = store.get_many([pid for _, pid in found[:limit]])
    return VerificationPage(items=[AuthorityStaff.of(p) for p in profiles], pending=store.count_by_status()[PENDING],
                            next_cursor=found[limit - 1][0] if len(found) > limit else None)


@router.post("/verifications/{authority_id}", response_model=AuthorityStaff, dependencies=[limited("write")],
             responses={**_STAFF, 404: {"description": "Unknown id"}, 409: {"description": "Not pending"}},
             summary="Verify or reject a pending profile, with a note (staff; in the audit trail)")
def verify(authority_id: IdPath, body: StaffDecisionIn, key: StaffKey, res: ResourcesDep, store: StoreDep,
           matcher: MatcherDep) -> AuthorityStaff:
    return AuthorityStaff.of(trust.verify(authority_id, body, key, res, store, matcher))


@router.post("/authorities/{authority_id}/claims", response_model=ClaimReceipt, status_code=202, dependencies=[limited("claim")],
             responses={401: {"description": "Invalid API key"}, 404: {"description": "Unknown id"},
                        409: {"description": "A claim on it is already waiting"},
                        422: {"description": "Invalid input (field named)"}},
             summary="Ask to manage this catalogue entry (staff check it and issue the owner key)")
def claim(authority_id: IdPath, body: ClaimIn, store: StoreDep, key: OptionalKey) -> ClaimReceipt:
    """For the town hall of an entry already in the catalogue. The name and e-mail are kept private (staff
    only); staff check them against the authority's official contacts and, if they approve, pass the owner
    key on to that e-mail."""
    return ClaimReceipt.of(trust.add_claim(authority_id, body, store, key))


def _claim_staff(store: ProfileStore, c: Claim) -> ClaimStaff:
    names = {p.id: p.name for p in store.get_many([c.authority_id])}
    return ClaimStaff(**ClaimReceipt.of(c).model_dump(), authority_name=names.get(c.authority_id, ""), name=c.name,
                      role=c.role, email=c.email, message=c.message, created_at=c.created_at,
                      decided_at=c.decided_at, decided_by=c.decided_by, note=c.note)


@router.get("/claims", response_model=ClaimPage, responses=_STAFF, summary="Claims of catalogue entries (staff)")
def claims(key: StaffKey, store: StoreDep, status: Annotated[str | None, Query(pattern="^(pending|approved|rejected)$")]
           = "pending", limit: Annotated[int, Query(ge=1, le=200)] = 50, cursor: Cursor = None) -> ClaimPage:
    page = store.claims(status=status, limit=limit + 1, cursor=cursor)
    return ClaimPage(items=[_claim_staff(store, c) for c in page[:limit]],
                     next_cursor=page[limit - 1].id if len(page) > limit else None)


@router.post("/claims/{claim_id}", response_model=ClaimDecided, dependencies=[limited("write")],
             responses={**_STAFF, 404: {"description": "Unknown claim"}, 409: {"description": "Already decided"}},
             summary="Approve (issues the owner key, shown once) or reject a claim (staff)")
def decide_claim(claim_id: Annotated[int, Path(ge=1, le=2**62)], body: StaffDecisionIn, key: StaffKey,
                 store: StoreDep) -> ClaimDecided:
    c, secret = trust.decide_claim(claim_id, body, key, store)
    owner = None
    if secret is not None:
        owner = OwnerKeyOut(id=key_id_of(secret) or "", role="owner", authority_id=c.authority_id, secret=secret)
    return ClaimDecided(claim=_claim_staff(store, c), owner_key=owner)


@router.get("/audit", response_model=AuditPage, responses=_STAFF,
            summary="The audit trail of verifications and claims, newest first (staff)")
def audit(key: StaffKey, store: StoreDep,
          authority_id: Annotated[str | None, Query(max_length=64)] = None,
          action: Annotated[str | None, Query(max_length=40, description="e.g. `claim.` or `profile.verified`")] = None,
          since: Annotated[datetime | None, Query(description="From this instant (ISO 8601; a day alone is its "
                                                                "midnight, a time without offset is UTC), included")
                           ] = None,
          limit: Annotated[int, Query(ge=1, le=200)] = 50, cursor: Cursor = None) -> AuditPage:
    page = store.audit_entries(subject=authority_id, action=action, since=instant_text(since), limit=limit + 1,
                               cursor=cursor)
    names = {p.id: p.name for p in store.get_many({e.subject for e in page})}
    return AuditPage(items=[AuditOut.of(e, names.get(e.subject)) for e in page[:limit]],
                     next_cursor=page[limit - 1].id if len(page) > limit else None)
