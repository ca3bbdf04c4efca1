"""The catalogue's profiles: who may see one, register, edit, delete; every write through to the matcher.

A write is: the store (one transaction), then ``matcher.profile_written`` (re-embeds that profile only),
so the next match query sees it without a restart. If the in-memory update fails, the store write is
undone, so the database and the matcher never disagree (``write_through``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from matcher.catalogue.files import Country
from matcher.catalogue.plausibility import check_plausible, same_name
from matcher.domain import PENDING, VERIFIED, Profile
from matcher.errors import Conflict, Forbidden, InvalidInput, NotFound
from matcher.ranking.engine import Matcher
from matcher.store.audit import ApiKey
from matcher.store.protocol import ProfileStore
from service.auth import can_see_unverified, check_can_edit, check_staff
from service.deps import Resources
from service.schemas.authorities import AuthorityCreate, AuthorityUpdate

log = logging.getLogger("twinmatch.service")


def visible_profile(store: ProfileStore, authority_id: str, key: ApiKey | None) -> Profile:
    """The profile if the caller may see it: a verified one, or a pending/rejected one for staff and its
    owner. Anyone else gets the same 404 as for an unknown id (a pending registration is not public)."""
    p = store.get(authority_id)
    if p.is_verified or can_see_unverified(key, authority_id):
        return p
    raise NotFound(f"no authority with id {authority_id!r}", field="id")


def check_countries(countries: Iterable[str], known: dict[str, Country], field: str) -> None:
    for code in countries:
        if code not in known:
            raise InvalidInput(f"unknown country code {code!r}", field=field)


def write_through(do: Callable[[], Profile], undo: Callable[[], object], matcher: Matcher) -> Profile:
    """Store write, then the in-memory update; undo the store write if the latter fails."""
    stored = do()
    try:
        matcher.profile_written(stored)
    except BaseException:
        log.exception("in-memory update failed for %s; undoing the store write", stored.id)
        undo()
        raise
    return stored


@dataclass(frozen=True)
class Registered:
    """A new profile and its owner key (the secret is shown once)."""

    profile: Profile
    owner: ApiKey
    secret: str


def register(body: AuthorityCreate, res: Resources, store: ProfileStore, matcher: Matcher,
             countries: dict[str, Country], key: ApiKey | None) -> Registered:
    """A self-registration is *pending* and must be plausible (coordinates in the stated country, a
    population plausible for its kind, a name no verified authority of that country has); a staff
    registration is verified at once and may choose the id."""
    staff = key is not None and key.role == "staff"
    if not res.settings.open_registration:
        check_staff(key)
    if body.id is not None and not staff:
        raise Forbidden("only staff may choose an authority id", field="id")
    check_countries([body.country], countries, "country")
    check_countries(body.preferred_countries, countries, "preferred_countries")
    _check_partners(store, body.known_partners)
    if not staff:
        draft = body.to_profile("draft", source="user")
        check_plausible(draft, matcher.state.arrays, countries,
                        [h.id for h in same_name(store, draft.name, draft.country)])
    with res.write_lock:
        stored = _add_new(store, matcher, body, VERIFIED if staff else PENDING)
        owner, secret = store.create_key("owner", stored.id, label=f"registration of {stored.id}")
        store.record_audit(key.id if staff and key else owner.id, "profile.registered", stored.id)
    log.info("authority %s registered (%s)", stored.id, "staff " + key.id if staff and key else "self-service")
    return Registered(stored, owner, secret)


def _add_new(store: ProfileStore, matcher: Matcher, body: AuthorityCreate, status: str) -> Profile:
    """Add under the given id (Conflict if taken) or a fresh ``U-<8 hex>`` id (retried on a collision)."""
    for attempt in range(3):
        profile = body.to_profile(body.id or f"U-{uuid.uuid4().hex[:8]}", source="user").with_changes(status=status)
        try:
            return write_through(lambda: store.add(profile), lambda: store.delete(profile.id), matcher)  # noqa: B023
        except Conflict:
            if body.id is not None or attempt == 2:  # a staff-chosen id that is taken: say so
                raise
    raise AssertionError("unreachable")


def _check_partners(store: ProfileStore, ids: Iterable[str]) -> None:
    """Known partners are verified authorities: a pending or rejected id is refused with the words of an
    unknown one (the answer does not tell whether such a registration exists)."""
    ids = list(ids)
    verified = {p.id for p in store.get_many(set(ids)) if p.is_verified}
    for pid in ids:
        if pid not in verified:
            raise InvalidInput(f"known partner {pid!r} is not in the catalogue", field="known_partners")


def update(authority_id: str, body: AuthorityUpdate, res: Resources, store: ProfileStore, matcher: Matcher,
           countries: dict[str, Country], key: ApiKey | None) -> Profile:
    """Edit a profile (its owner, or staff): the profile as stored after the edit."""
    check_can_edit(key, authority_id)
    visible_profile(store, authority_id, key)
    changes = body.changes()
    check_countries(body.preferred_countries, countries, "preferred_countries")
    with res.write_lock:
        old = store.get(authority_id)
        if not changes:
            return old
        new = old.with_changes(**changes)
        return write_through(lambda: store.update(new), lambda: store.update(old), matcher)


def delete(authority_id: str, res: Resources, store: ProfileStore, matcher: Matcher, key: ApiKey) -> None:
    """Delete a profile, its links and its owner keys (staff: the caller checks the key's role)."""
    with res.write_lock:
        store.get(authority_id)  # 404 before anything changes
        store.delete(authority_id)
        matcher.profile_deleted(authority_id)
    log.info("authority %s deleted by key %s", authority_id, key.id)
