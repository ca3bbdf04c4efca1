"""The catalogue: search, read, register, edit, delete. What a write does (the store, then the matcher,
the store undone if the matcher fails) is ``service.services.authorities``, as for the web pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from matcher.domain import VERIFIED, Kind
from service.auth import sees_contact
from service.deps import CountriesDep, MatcherDep, OptionalKey, ResourcesDep, StaffKey, StoreDep, limited
from service.schemas.authorities import (
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
from service.schemas.common import MAX_POSITION
from service.services import authorities

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


@router.get("/{authority_id}", response_model=AuthorityStaff | AuthorityPublic, responses=_ERRORS,
            summary="One profile (contact details for staff keys only)")
def get_authority(authority_id: IdPath, store: StoreDep, key: OptionalKey) -> AuthorityStaff | AuthorityPublic:
    return authority_view(authorities.visible_profile(store, authority_id, key), sees_contact(key))


@router.post("", response_model=AuthorityCreated, status_code=201, responses=_CREATE_ERRORS, dependencies=[limited("registration", staff="write")],
             summary="Register a new authority (returns an owner key, once); pending until staff verify it")
def create_authority(body: AuthorityCreate, res: ResourcesDep, store: StoreDep, matcher: MatcherDep,
                     countries: CountriesDep, key: OptionalKey) -> AuthorityCreated:
    """A self-registered profile is *pending*: its owner (with the key returned here) and staff see it;
    it is in nobody else's search, matches, suggestions or events until staff verify it
    (`POST /verifications/{id}`). It must be plausible: coordinates in the stated country, a population
    plausible for its kind, and a name no verified authority of that country has (that one is claimed
    instead: `POST /authorities/{id}/claims`). Staff registrations are verified at once."""
    done = authorities.register(body, res, store, matcher, countries, key)
    staff = key is not None and key.role == "staff"
    return AuthorityCreated(authority=authority_view(done.profile, staff), owner_key=OwnerKeyOut(
        id=done.owner.id, role="owner", authority_id=done.profile.id, secret=done.secret))


@router.patch("/{authority_id}", response_model=AuthorityStaff | AuthorityPublic, responses=_ERRORS, dependencies=[limited("write")],
              summary="Edit description, expertise, needs, preferences (owner of this id, or staff)")
def update_authority(authority_id: IdPath, body: AuthorityUpdate, res: ResourcesDep, store: StoreDep,
                     matcher: MatcherDep, countries: CountriesDep, key: OptionalKey) -> AuthorityStaff | AuthorityPublic:
    stored = authorities.update(authority_id, body, res, store, matcher, countries, key)
    return authority_view(stored, sees_contact(key))


@router.delete("/{authority_id}", status_code=204, responses=_ERRORS, response_class=Response, dependencies=[limited("write")],
               summary="Delete an authority, its links and its owner keys (staff)")
def delete_authority(authority_id: IdPath, res: ResourcesDep, store: StoreDep, matcher: MatcherDep,
                     key: StaffKey) -> Response:
    authorities.delete(authority_id, res, store, matcher, key)
    return Response(status_code=204)
