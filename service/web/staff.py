"""CNCD staff pages: the verification queue (approve or reject with a note), the claims queue, the audit
trail with names. Decisions go through the API's own functions (``service.routes.trust``): the same
checks, the same audit entries, the same write-through to the matcher."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from matcher.domain import PENDING
from matcher.suggestions import FRENCH_REGIONS
from service.deps import get_countries
from service.routes.suggestions import add_decision, suggestions
from service.routes.trust import decide_claim, verify
from service.schemas_matching import DecisionIn
from service.schemas_trust import StaffDecisionIn
from service.web.context import FormPage, PageDep, validated
from service.web.pages import matcher_of

router = APIRouter()
Decision = Annotated[Literal["approve", "reject"], Form()]
Note = Annotated[str, Form(max_length=2000)]
#: What the audit trail records (matcher.store_trust): the status filter of its page.
AUDIT_ACTIONS = ("profile.verified", "profile.rejected", "profile.pending", "claim.created", "claim.approved",
                 "claim.rejected")


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
    verify(authority_id, StaffDecisionIn(decision=decision, note=note), key, page.res, page.store,
           matcher_of(page))
    return page.redirect(f"/equipe?done={authority_id}")


@router.post("/equipe/revendications/{claim_id}", response_class=HTMLResponse)
def staff_claim(page: FormPage, claim_id: int, decision: Decision, note: Note = "") -> Response:
    key = page.require_staff()
    page.limit("write")
    out = decide_claim(claim_id, StaffDecisionIn(decision=decision, note=note), key, page.store)
    # The owner key is shown once, to staff, who pass it on to the official e-mail of the claim.
    return page.render("claim_decided.html", claim=out.claim, owner_key=out.owner_key)


@router.get("/equipe/journal", response_class=HTMLResponse)
def staff_audit(page: PageDep, authority_id: Annotated[str | None, Query(max_length=64)] = None,
                action: Annotated[str | None, Query(max_length=40)] = None,
                since: Annotated[str | None, Query(pattern=r"^(\d{4}-\d{2}-\d{2}.*)?$", max_length=30)] = None
                ) -> Response:
    page.require_staff()
    entries = page.store.audit_entries(subject=authority_id or None, action=action or None, since=since or None,
                                       limit=200)
    names = {p.id: p.display_name(page.lang) for p in page.store.get_many({e.subject for e in entries})}
    actors = {k.id: k.label or k.id for k in page.store.list_keys()}  # key labels: staff names, never secrets
    return page.render("audit.html", entries=entries, names=names, actions=AUDIT_ACTIONS, actors=actors,
                       known={f"audit.{a}" for a in AUDIT_ACTIONS},
                       form={"authority_id": authority_id or "", "action": action or "", "since": since or ""})


@router.get("/equipe/suggestions", response_class=HTMLResponse)
async def staff_suggestions(page: PageDep, french_region: Annotated[str, Query(max_length=100)] = "",
                            country: Annotated[str, Query(max_length=2)] = "",
                            theme: Annotated[str, Query(max_length=100)] = "",
                            cursor: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
                            done: str = "") -> Response:
    """Catalogue-wide pairs with one-click decisions: the API's ``GET /suggestions`` (same filters, same
    bounded computation), drawn as a page."""
    from starlette.concurrency import run_in_threadpool

    key = page.require_staff()
    if country and (len(country) != 2 or not country.isalpha()):
        from matcher.errors import InvalidInput

        raise InvalidInput("country must be an ISO alpha-2 code", field="country")
    countries = await get_countries(page.res, page.store)
    out = await run_in_threadpool(lambda: suggestions(
        key, page.res, page.store, matcher_of(page), page.lang, countries, french_region=french_region or None,
        country=country or None, theme=theme or None, min_score=0.0, limit=20, cursor=cursor,
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
    add_decision(body, key, page.store)
    target = back if back.startswith("/equipe/suggestions") else "/equipe/suggestions"
    sep = "&" if "?" in target else "?"
    return page.redirect(f"{target}{sep}done={french_id}")
