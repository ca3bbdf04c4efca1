"""API keys and roles.

A key is sent as ``Authorization: Bearer <secret>`` or ``X-API-Key: <secret>``. Reading public data
needs no key; a key that is sent must be valid (401 otherwise), so a typo never silently downgrades a
staff user to the public view. Roles:

- ``staff``: everything, and sees private contact fields;
- ``owner``: bound to one authority id; may edit that profile only;
- ``organiser``: partnership fairs only: uploads events and sees, plans and deletes its own (not another
  organiser's); sees nothing else that needs a key (no verification, suggestions, contacts).

Secrets are never stored (the store keeps salted hashes) and never logged; the key *id* is what the
audit trail records.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from matcher.errors import Forbidden, Unauthorized
from matcher.store.audit import ApiKey
from matcher.store.protocol import ProfileStore

# Security schemes: they read the headers and make /docs show an "Authorize" button.
bearer_scheme = HTTPBearer(auto_error=False, description="`Authorization: Bearer tm_<id>_<secret>`")
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="The same secret, another header.")

MAX_SECRET_LENGTH = 200


def secret_from(bearer: HTTPAuthorizationCredentials | None, api_key: str | None,
                headers: Mapping[str, str] | None = None) -> str | None:
    """The secret sent by the client, if any. A header that is present but not a key — ``Authorization``
    that is not ``Bearer <secret>`` (``Token x``, ``Basic …``, an empty ``Bearer``), an empty
    ``X-API-Key`` — is a 401, never a silent downgrade to anonymous; so are two headers with different
    secrets."""
    if headers is not None:
        raw = headers.get("authorization")
        if raw is not None:
            scheme, _, token = raw.strip().partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("the Authorization header must be 'Bearer <API key>'")
        if "x-api-key" in headers and not headers["x-api-key"].strip():
            raise Unauthorized("the X-API-Key header is empty")
    a = bearer.credentials.strip() if bearer is not None else None
    b = api_key.strip() if api_key else None
    if a and b and a != b:
        raise Unauthorized("Authorization and X-API-Key carry different keys")
    return a or b or None


def authenticate(store: ProfileStore, secret: str | None) -> ApiKey | None:
    """The live key for ``secret``; None when no key was sent; ``Unauthorized`` for a bad one."""
    if secret is None:
        return None
    if len(secret) > MAX_SECRET_LENGTH:
        raise Unauthorized("invalid API key")
    key = store.key_for_secret(secret)
    if key is None:
        raise Unauthorized("invalid or revoked API key")
    return key


def check_staff(key: ApiKey | None) -> ApiKey:
    if key is None:
        raise Unauthorized("this endpoint needs a staff API key")
    if key.role != "staff":
        raise Forbidden("this endpoint is for staff keys only")
    return key


EVENT_ROLES = ("staff", "organiser")


def check_events(key: ApiKey | None) -> ApiKey:
    """Events are run by staff and organiser keys."""
    if key is None:
        raise Unauthorized("this endpoint needs a staff or organiser API key")
    if key.role not in EVENT_ROLES:
        raise Forbidden("this endpoint is for staff and organiser keys only")
    return key


def can_see_event(key: ApiKey, created_by: str) -> bool:
    """Staff see every event; an organiser the events it created."""
    return key.role == "staff" or (key.role == "organiser" and key.id == created_by)


def check_can_edit(key: ApiKey | None, authority_id: str) -> ApiKey:
    """Staff may edit any profile; an owner key only the authority it is bound to."""
    if key is None:
        raise Unauthorized("editing a profile needs an API key (its owner's, or staff)")
    if key.role == "staff" or (key.role == "owner" and key.authority_id == authority_id):
        return key
    raise Forbidden("this key may not edit this authority")


def can_see_unverified(key: ApiKey | None, authority_id: str) -> bool:
    """A pending or rejected profile is seen by staff and by its owner only."""
    return key is not None and (key.role == "staff" or (key.role == "owner" and key.authority_id == authority_id))


def sees_contact(key: ApiKey | None) -> bool:
    """Private contact details are for staff only."""
    return key is not None and key.role == "staff"


def actor_of(key: ApiKey) -> str:
    """What the audit trail records for a key: its public id (never the secret)."""
    return key.id
