"""CNCD staff pages: the verification queue (approve or reject with a note), the claims queue, the
suggested pairings with one-click decisions (the decisions page and the journal: ``service.web.staff_log``).
Decisions go through the services the API calls (``service.services.trust``, ``service.services.staff``):
the same checks, the same audit entries, the same write-through to the matcher."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from matcher.domain import PENDING
from matcher.errors import InvalidInput
from matcher.ranking.suggestions import FRENCH_REGIONS, SuggestionFilters, french_region_code
from matcher.themes import parse_theme
from service.schemas.matching import DecisionIn
from service.schemas.trust import StaffDecisionIn
from service.services import staff, trust
from service.services.staff import suggestions_page
from service.web.context import FormPage, PageDep, validated
from service.web.pages import matcher_of

router = APIRouter()
Decision = Annotated[Literal["approve", "reject"], Form()]
Note = Annotated[str, Form(max_length=2000)]


@router.get("/equipe", response_class=HTMLResponse)
def staff_home(page: PageDep, done: str = "") -> Response:
    page.require_staff()
    found = page.store.pending_ids(limit=50)
    pending = page.store.get_many([pid for _, pid in found])
    claims = page.store.claims(status="pending", limit=50)
    names = {p.id: p.display_name(page.lang) for p in page.store.get_many({c.authority_id for c in claims})}
    done_name = page.store.get(done).display_name(page.lang) if done and page.store.exists(done) else ""
    return page.render("staff.html", pending=pending, claims=claims, names=names,
                       counts=page.store.count_by_status(), done=done_name, status=PENDING)


@router.post("/equipe/verifications/{authority_id}")
def staff_verify(page: FormPage, authority_id: str, decision: Decision, note: Note = "") -> Response:
    key = page.require_staff()
    page.limit("write")
    trust.verify(authority_id, StaffDecisionIn(decision=decision, note=note), key, page.res, page.store,
                 matcher_of(page))
    return page.redirect(f"/equipe?done={authority_id}")


@router.post("/equipe/revendications/{claim_id}", response_class=HTMLResponse)
def staff_claim(page: FormPage, claim_id: int, decision: Decision, note: Note = "") -> Response:
    key = page.require_staff()
    page.limit("write")
    claim, secret = trust.decide_claim(claim_id, StaffDecisionIn(decision=decision, note=note), key, page.store)
    # The owner key is shown once, to staff, who pass it on to the official e-mail of the claim.
    return page.render("claim_decided.html", claim=claim, secret=secret)


@router.get("/equipe/suggestions", response_class=HTMLResponse)
async def staff_suggestions(page: PageDep, french_region: Annotated[str, Query(max_length=100)] = "",
                            country: Annotated[str, Query(max_length=2)] = "",
                            theme: Annotated[str, Query(max_length=100)] = "",
                            cursor: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
                            done: str = "") -> Response:
    """Catalogue-wide pairs with one-click decisions and each pair's latest decision (the same list as the
    API's ``GET /suggestions``: ``service.services.staff.suggestions_page``)."""
    page.require_staff()
    if country and (len(country) != 2 or not country.isalpha()):
        raise InvalidInput("country must be an ISO alpha-2 code", field="country")
    if theme:
        theme = parse_theme(theme)
    f = SuggestionFilters(french_region=french_region_code(french_region) if french_region else None,
                          country=country.upper() or None, theme=theme or None)
    matcher, store = matcher_of(page), page.store
    out = await page.res.admission.run(lambda: suggestions_page(page.res, store, matcher, f, cursor=cursor,
                                                                include_decided=False))
    return page.render("suggestions.html", out=out, regions=FRENCH_REGIONS, done=done,
                       form={"french_region": french_region, "country": country, "theme": theme})


@router.post("/equipe/suggestions/decision")
def staff_decision(page: FormPage, french_id: Annotated[str, Form(max_length=64)],
                   partner_id: Annotated[str, Form(max_length=64)],
                   status: Annotated[Literal["proposed", "contacted", "accepted", "rejected"], Form()],
                   note: Note = "", back: Annotated[str, Form(max_length=500)] = "") -> Response:
    key = page.require_staff()
    page.limit("write")
    body = validated(DecisionIn, {"french_id": french_id, "partner_id": partner_id, "status": status, "note": note})
    staff.add_decision(body, key, page.store)
    target = back if back.startswith("/equipe/suggestions") else "/equipe/suggestions"
    sep = "&" if "?" in target else "?"
    return page.redirect(f"{target}{sep}done={french_id}")
