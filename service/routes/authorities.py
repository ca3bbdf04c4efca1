"""The catalogue: search, read, register, edit, delete.

A write is: the store (one transaction), then ``matcher.profile_written`` (re-embeds that profile only),
so the next match query sees it without a restart. If the in-memory update fails, the store write is
undone, so the database and the matcher never disagree.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from matcher.catalogue.plausibility import check_plausible, same_name
from matcher.domain import PENDING, VERIFIED, Kind, Profile
from matcher.errors import Conflict, Forbidden, InvalidInput, NotFound
from matcher.ranking.engine import Matcher
from matcher.store.protocol import ApiKey, ProfileStore
from service.auth import can_see_unverified, check_can_edit, check_staff, sees_contact
from service.deps import CountriesDep, MatcherDep, OptionalKey, ResourcesDep, StaffKey, StoreDep, limited
from service.schemas import (
    MAX_POSITION,
    AuthorityCreate,
    AuthorityCreated,
    AuthorityPage,
    AuthorityPublic,
    AuthorityStaff,
    AuthoritySummary,
    AuthorityUpdate,
    OwnerKeyOut,
    authority_view,
)

log = logging.getLogger("twinmatch.service")
router = APIRouter(prefix="/authorities", tags=["authorities"])

IdPath = Annotated[str, Path(min_length=1, max_length=64, description="Catalogue id, e.g. FR-COM-35238.")]
_ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "Missing or invalid API key"}, 403: {"description": "Wrong role or authority"},
           404: {"description": "Unknown id"}, 422: {"description": "Invalid input (field named)"}}
def _example(message: str, field: str) -> dict[str, Any]:
    return {"value": {"error": {"code": "invalid_input", "message": message, "field": field}}}


#: What a schema cannot say, because it depends on the catalogue as it stands: documented with its 422.
_CREATE_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS, 409: {"description": "The id, or the name in that country, is taken (claim that entry instead)"},
    422: {"description": "Invalid input (field named). Besides the schema, checked against the catalogue: "
                         "`country` and `preferred_countries` must be countries of the catalogue; every "
                         "`known_partners` id must be a catalogue authority; and a self-registration must be "
                         "plausible: coordinates inside the stated country, a population plausible for its "
                         "kind and country, a name that is a name. A valid-looking "
                         '`{"country": "AD", "kind": "state", "lat": 0, "lon": 0, "name": "0"}` is refused so.',
          "content": {"application/json": {"examples": {
              "coordinates": _example("the coordinates (0.0, 0.0) are not in AD: the nearest authority is in "
                                      "…, and AD's nearest is … km away", "lat"),
              "known_partner": _example("known partner '000' is not in the catalogue", "known_partners"),
              "country": _example("unknown country code 'ZZ'", "country")}}}}}


def check_countries(countries: Iterable[str], known: CountriesDep, field: str) -> None:
    for code in countries:
        if code not in known:
            raise InvalidInput(f"unknown country code {code!r}", field=field)


@router.get("", response_model=AuthorityPage, summary="Search the catalogue (accent-insensitive), paged")
def search_authorities(
    store: StoreDep,
    q: Annotated[str, Query(max_length=100, description="Name or part of a name; accents and case ignored.")] = "",
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO alpha-2")] = None,
    kind: Kind | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[int | None, Query(ge=0, le=MAX_POSITION, description="`next_cursor` of the previous page "
                                                                          "(the position of its first hit)")] = None,
    key: OptionalKey = None,
) -> AuthorityPage:
    """Verified authorities; with a staff key also pending and rejected ones (see `status`), with an owner
    key also the owner's own profile whatever its status."""
    staff = key is not None and key.role == "staff"
    own = key.authority_id if key is not None and key.role == "owner" else None
    page, nxt = store.search(q, country=country, kind=kind.value if kind else None, limit=limit, cursor=cursor,
                             statuses=None if staff else (VERIFIED,), own=own)
    return AuthorityPage(items=[AuthoritySummary.of(p) for p in page], next_cursor=nxt)


def visible_profile(store: ProfileStore, authority_id: str, key: ApiKey | None) -> Profile:
    """The profile if the caller may see it: a verified one, or a pending/rejected one for staff and its
    owner. Anyone else gets the same 404 as for an unknown id (a pending registration is not public)."""
    p = store.get(authority_id)
    if p.is_verified or can_see_unverified(key, authority_id):
        return p
    raise NotFound(f"no authority with id {authority_id!r}", field="id")


@router.get("/{authority_id}", response_model=AuthorityStaff | AuthorityPublic, responses=_ERRORS,
            summary="One profile (contact details for staff keys only)")
def get_authority(authority_id: IdPath, store: StoreDep, key: OptionalKey) -> AuthorityStaff | AuthorityPublic:
    return authority_view(visible_profile(store, authority_id, key), sees_contact(key))


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


@router.post("", response_model=AuthorityCreated, status_code=201, responses=_CREATE_ERRORS, dependencies=[limited("registration", staff="write")],
             summary="Register a new authority (returns an owner key, once); pending until staff verify it")
def create_authority(body: AuthorityCreate, res: ResourcesDep, store: StoreDep, matcher: MatcherDep,
                     countries: CountriesDep, key: OptionalKey) -> AuthorityCreated:
    """A self-registered profile is *pending*: its owner (with the key returned here) and staff see it;
    it is in nobody else's search, matches, suggestions or events until staff verify it
    (`POST /verifications/{id}`). It must be plausible: coordinates in the stated country, a population
    plausible for its kind, and a name no verified authority of that country has (that one is claimed
    instead: `POST /authorities/{id}/claims`). Staff registrations are verified at once."""
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
        check_plausible(draft, matcher.state.arrays, countries, [h.id for h in same_name(store, draft.name, draft.country)])
    with res.write_lock:
        stored = _add_new(store, matcher, body, VERIFIED if staff else PENDING)
        owner, secret = store.create_key("owner", stored.id, label=f"registration of {stored.id}")
        store.record_audit(key.id if staff and key else owner.id, "profile.registered", stored.id)
    log.info("authority %s registered (%s)", stored.id, "staff " + key.id if staff and key else "self-service")
    return AuthorityCreated(authority=authority_view(stored, staff), owner_key=OwnerKeyOut(
        id=owner.id, role="owner", authority_id=stored.id, secret=secret))


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


@router.patch("/{authority_id}", response_model=AuthorityStaff | AuthorityPublic, responses=_ERRORS, dependencies=[limited("write")],
              summary="Edit description, expertise, needs, preferences (owner of this id, or staff)")
def update_authority(authority_id: IdPath, body: AuthorityUpdate, res: ResourcesDep, store: StoreDep,
                     matcher: MatcherDep, countries: CountriesDep, key: OptionalKey) -> AuthorityStaff | AuthorityPublic:
    check_can_edit(key, authority_id)
    visible_profile(store, authority_id, key)
    changes = body.changes()
    check_countries(body.preferred_countries, countries, "preferred_countries")
    with res.write_lock:
        old = store.get(authority_id)
        if not changes:
            return authority_view(old, sees_contact(key))
        new = old.with_changes(**changes)
        stored = write_through(lambda: store.update(new), lambda: store.update(old), matcher)
    return authority_view(stored, sees_contact(key))


@router.delete("/{authority_id}", status_code=204, responses=_ERRORS, response_class=Response, dependencies=[limited("write")],
               summary="Delete an authority, its links and its owner keys (staff)")
def delete_authority(authority_id: IdPath, res: ResourcesDep, store: StoreDep, matcher: MatcherDep,
                     key: StaffKey) -> Response:
    with res.write_lock:
        store.get(authority_id)  # 404 before anything changes
        store.delete(authority_id)
        matcher.profile_deleted(authority_id)
    log.info("authority %s deleted by key %s", authority_id, key.id)
    return Response(status_code=204)
