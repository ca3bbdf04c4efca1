"""Trust: staff verify self-registered profiles, town halls claim their catalogue entry; every such
decision is in the audit trail (``matcher.store.trust``).

A verification changes what is matched, so it goes through the matcher like any write
(``service.services.authorities.write_through``): a verified profile joins the arrays, a rejected one
leaves them.
"""

from __future__ import annotations

import logging

from matcher.domain import PENDING, REJECTED, VERIFIED, Profile
from matcher.errors import Conflict
from matcher.ranking.engine import Matcher
from matcher.store.audit import ApiKey
from matcher.store.protocol import ProfileStore
from matcher.store.trust import Claim
from service.auth import actor_of
from service.deps import Resources
from service.schemas.trust import ClaimIn, StaffDecisionIn
from service.services.authorities import write_through

log = logging.getLogger("twinmatch.service")


def verify(authority_id: str, body: StaffDecisionIn, key: ApiKey, res: Resources, store: ProfileStore,
           matcher: Matcher) -> Profile:
    """Approve or reject a pending profile (staff): the profile as stored; ``Conflict`` if not pending."""
    status = VERIFIED if body.decision == "approve" else REJECTED
    with res.write_lock:
        if store.get(authority_id).status != PENDING:
            raise Conflict(f"{authority_id} is not waiting for verification", field="authority_id")
        # As every profile write: the store, then the matcher, the store undone if the matcher fails.
        stored = write_through(
            lambda: store.set_status(authority_id, status, actor=actor_of(key), note=body.note),
            lambda: store.set_status(authority_id, PENDING, actor=actor_of(key),
                                     note="undone: in-memory update failed"), matcher)
    log.info("authority %s %s by key %s", authority_id, status, key.id)
    return stored


def add_claim(authority_id: str, body: ClaimIn, store: ProfileStore, key: ApiKey | None) -> Claim:
    """A town hall asks to manage its catalogue entry (its name and e-mail are for staff only)."""
    return store.add_claim(authority_id, name=body.name.strip(), role=body.role.strip(), email=body.email.strip(),
                           message=body.message.strip(), actor=actor_of(key) if key else "anonymous")


def decide_claim(claim_id: int, body: StaffDecisionIn, key: ApiKey, store: ProfileStore) -> tuple[Claim, str | None]:
    """Approve (the new owner key's secret, shown once) or reject a claim (staff)."""
    c, secret = store.decide_claim(claim_id, approve=body.decision == "approve", actor=actor_of(key),
                                   note=body.note)
    log.info("claim %s %s by key %s", claim_id, c.status, key.id)
    return c, secret
