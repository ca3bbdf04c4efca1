"""Joining: register a new authority (pending until staff verify it) or claim a catalogue entry. Both go
through the services the API calls (``service.services.authorities.register``,
``service.services.trust.add_claim``): the same plausibility checks, the same pending status; the same rate
limits (``page.limit``). A registration signs the new owner in and shows the owner key
once (it is the way back in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from matcher.catalogue.plausibility import same_name
from matcher.domain import Kind, Profile
from matcher.errors import Conflict, InvalidInput
from service.deps import get_countries
from service.schemas.authorities import AuthorityCreate
from service.schemas.trust import ClaimIn
from service.services import authorities, trust
from service.services.authorities import visible_profile
from service.web.context import FormPage, Page, PageDep, validated
from service.web.pages import matcher_of

router = APIRouter()
Text = Annotated[str, Form(max_length=5000)]
Short = Annotated[str, Form(max_length=254)]


def _number(text: str) -> float | None:
    text = text.strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
    return float(text) if text else None


def _register_form(page: Page, form: dict[str, str], status_code: int = 200, *, error: str = "",
                   detail: str = "", taken: list[Profile] | None = None) -> Response:
    kinds = [k.value for k in Kind]
    countries = sorted(page.res.countries.values(), key=lambda c: page.country_name(c.code))
    return page.render("register.html", status_code, kinds=kinds, countries=countries, form=form, error=error,
                       detail=detail, taken=taken or [], where=lambda p: _where(page, p))


def _where(page: Page, p: Profile) -> str:
    """Where a homonym is, to tell it apart: its département (or admin-2), else its région, else its country."""
    return p.admin2_name or p.admin1_name or page.country_name(p.country)


@router.get("/inscription", response_class=HTMLResponse)
def register_form(page: PageDep) -> Response:
    return _register_form(page, {"kind": Kind.COMMUNE.value, "country": "FR"})


@router.post("/inscription", response_class=HTMLResponse)
async def register(page: FormPage, name: Short, kind: Short, country: Short, population: Short = "",
                   lat: Short = "", lon: Short = "", description: Text = "", expertise_text: Text = "",
                   needs_text: Text = "", contact_email: Short = "") -> Response:
    """A refused registration draws the form again with what was typed and the reason in the page's
    language; a name already in the catalogue links to the claim of that entry (its town hall asks to
    manage it rather than registering a second one)."""
    from starlette.concurrency import run_in_threadpool

    form = {"name": name, "kind": kind, "country": country, "population": population, "lat": lat, "lon": lon,
            "description": description, "expertise_text": expertise_text, "needs_text": needs_text,
            "contact_email": contact_email}
    page.limit("registration")
    try:
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
        if not page.staff:  # staff may register a homonym (the API lets them); anyone else claims it
            taken = same_name(page.store, body.name, body.country)
            if taken:
                return _register_form(page, form, Conflict.status, taken=taken[:5])
        countries = await get_countries(page.res, page.store)
        created = await run_in_threadpool(authorities.register, body, page.res, page.store, matcher_of(page),
                                          countries, page.key if page.staff else None)
    except (InvalidInput, Conflict) as exc:
        error, detail = exc.message, ""
        if exc.field and page.lang == "fr":  # the checks' wording is English: say it in French, keep it
            error, detail = page.t("form.invalid", field=exc.field), exc.message
        return _register_form(page, form, exc.status, error=error, detail=detail)
    if page.key is None:  # a staff registering an entry stays signed in as staff
        page.start_session(created.owner)
    return page.render("registered.html", authority=created.profile, secret=created.secret)


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
    receipt = trust.add_claim(authority_id, body, page.store, page.key)
    return page.render("claim.html", p=p, sent=receipt)
