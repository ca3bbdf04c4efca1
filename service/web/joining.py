"""Joining: register a new authority (pending until staff verify it) or claim a catalogue entry. Both go
through the API's own route functions (``create_authority``, ``claim``): the same plausibility checks, the
same rate limits, the same pending status. A registration signs the new owner in and shows the owner key
once (it is the way back in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from matcher.domain import Kind
from matcher.errors import InvalidInput
from service.deps import get_countries
from service.routes.authorities import create_authority, visible_profile
from service.routes.trust import claim
from service.schemas import AuthorityCreate
from service.schemas_trust import ClaimIn
from service.web.context import FormPage, PageDep, validated
from service.web.pages import matcher_of

router = APIRouter()
Text = Annotated[str, Form(max_length=5000)]
Short = Annotated[str, Form(max_length=254)]


def _number(text: str) -> float | None:
    text = text.strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
    return float(text) if text else None


@router.get("/inscription", response_class=HTMLResponse)
def register_form(page: PageDep) -> Response:
    kinds = [k.value for k in Kind]
    return page.render("register.html", kinds=kinds, countries=sorted(page.res.countries.values(),
                                                                     key=lambda c: page.country_name(c.code)))


@router.post("/inscription", response_class=HTMLResponse)
async def register(page: FormPage, name: Short, kind: Short, country: Short, population: Short = "",
                   lat: Short = "", lon: Short = "", description: Text = "", expertise_text: Text = "",
                   needs_text: Text = "", contact_email: Short = "") -> Response:
    from starlette.concurrency import run_in_threadpool

    page.limit("registration")
    try:
        pop, la, lo = _number(population), _number(lat), _number(lon)
    except ValueError:
        raise InvalidInput("population, latitude and longitude must be numbers", field="population") from None
    body = validated(AuthorityCreate, {
        "name": name, "kind": kind, "country": country.strip().upper(),
        **({"population": int(pop)} if pop is not None else {}), **({"lat": la} if la is not None else {}),
        **({"lon": lo} if lo is not None else {}), "description": description,
        "expertise": {"text": expertise_text}, "needs": {"text": needs_text},
        **({"contact": {"email": contact_email}} if contact_email.strip() else {})})
    countries = await get_countries(page.res, page.store)
    created = await run_in_threadpool(create_authority, body, page.res, page.store, matcher_of(page), countries,
                                      page.key if page.staff else None)
    key = page.store.key_for_secret(created.owner_key.secret)
    if key is not None and page.key is None:  # a staff registering an entry stays signed in as staff
        page.start_session(key)
    return page.render("registered.html", authority=created.authority, secret=created.owner_key.secret)


@router.get("/collectivites/{authority_id}/revendiquer", response_class=HTMLResponse)
def claim_form(page: PageDep, authority_id: str) -> Response:
    p = visible_profile(page.store, authority_id, page.key)
    return page.render("claim.html", p=p, sent=None)


@router.post("/collectivites/{authority_id}/revendiquer", response_class=HTMLResponse)
def send_claim(page: FormPage, authority_id: str, name: Short, role: Short, email: Short,
               message: Annotated[str, Form(max_length=2000)] = "") -> Response:
    page.limit("claim")
    p = visible_profile(page.store, authority_id, page.key)
    body = validated(ClaimIn, {"name": name, "role": role, "email": email, "message": message})
    receipt = claim(authority_id, body, page.store, page.key)
    return page.render("claim.html", p=p, sent=receipt)
