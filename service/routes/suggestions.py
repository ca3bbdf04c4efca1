"""Staff tools: catalogue-wide pairing suggestions, decisions on them, and the decision audit trail."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from matcher.domain import Profile
from matcher.errors import InvalidInput
from matcher.ranking.score_scale import match_score
from matcher.ranking.suggestions import FRENCH_REGIONS, SuggestionFilters, french_region_code
from matcher.store.audit import Decision
from matcher.themes import parse_theme
from service.deps import CountriesDep, LangDep, MatcherDep, ResourcesDep, StaffKey, StoreDep, limited
from service.schemas.common import CATALOGUE_COUNTRY, MAX_POSITION, THEME_ENUM
from service.schemas.matching import (
    DecisionIn,
    DecisionOut,
    DecisionPage,
    PairSide,
    ReasonOut,
    Status,
    SuggestionOut,
    SuggestionPage,
)
from service.services import staff
from service.services.authorities import check_countries
from service.services.staff import authority_ids, day_after, suggestions_page

router = APIRouter(tags=["staff"])

_STAFF: dict[int | str, dict[str, Any]] = {401: {"description": "No API key"}, 403: {"description": "Not a staff key"}}


@router.get("/suggestions", response_model=SuggestionPage, responses=_STAFF,
            summary="Catalogue-wide pairing suggestions with no partnership yet (staff)")
async def suggestions(
    key: StaffKey, res: ResourcesDep, store: StoreDep, matcher: MatcherDep, lang: LangDep, countries: CountriesDep,
    french_region: Annotated[str | None, Query(max_length=100, description="Région code (e.g. 84) or name",
                                               json_schema_extra={"enum": [*FRENCH_REGIONS,
                                                                           *FRENCH_REGIONS.values()]})] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="Partner country",
                                         json_schema_extra=CATALOGUE_COUNTRY)] = None,
    theme: Annotated[str | None, Query(max_length=100, description="In either side's expertise or needs",
                                       json_schema_extra=THEME_ENUM)] = None,
    min_score: Annotated[float, Query(ge=0, le=1, allow_inf_nan=False)] = 0.0,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    cursor: Annotated[int | None, Query(ge=0, le=MAX_POSITION, description="`next_cursor` of the previous page "
                                                                          "(the position of its first pair)")] = None,
    include_decided: Annotated[bool, Query(description="Keep pairs already accepted or rejected")] = False,
) -> SuggestionPage:
    """Pairs (French authority, foreign authority) ranked by reciprocal score. See ``matcher.ranking.suggestions`` for
    how the list is bounded: a call spends at most ``suggestion_budget_seconds`` extending it."""
    try:
        code = parse_theme(theme) if theme else None
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="theme") from None
    if country:
        check_countries([country.strip().upper()], countries, "country")
    f = SuggestionFilters(french_region=french_region_code(french_region) if french_region else None,
                          country=country.strip().upper() if country else None, theme=code)
    out = await res.admission.run(lambda: suggestions_page(res, store, matcher, f, min_score=min_score,
                                                           include_decided=include_decided, limit=limit,
                                                           cursor=cursor))
    return SuggestionPage(items=[SuggestionOut(
        french=_side(x.french), partner=_side(x.partner), score=x.pair.score,
        match_score=int(match_score(x.pair.score)),
        score_french_to_partner=x.pair.forward, score_partner_to_french=x.pair.backward,
        last_decision=x.last_decision, reasons=[ReasonOut.of(r, lang) for r in x.reasons]) for x in out.items],
        next_cursor=out.next_cursor, complete=out.complete, refreshing=out.refreshing,
        sources_considered=out.considered, sources_total=out.total)


def _side(p: Profile) -> PairSide:
    return PairSide(id=p.id, name=p.name, kind=p.kind.value, country=p.country, admin1_name=p.admin1_name,
                    population=p.population)


@router.post("/suggestions/decisions", response_model=DecisionOut, status_code=201,
             responses={**_STAFF, 404: {"description": "No authority with that id (field named)"}}, dependencies=[limited("write")],
             summary="Record what happened to a suggested pair (staff; appended to the audit trail)")
def add_decision(body: DecisionIn, key: StaffKey, store: StoreDep) -> DecisionOut:
    # The pairs are (French authority, foreign authority), like the suggestions they answer.
    return _decision_out(staff.add_decision(body, key, store), {key.id: key.label})


@router.get("/decisions", response_model=DecisionPage, responses=_STAFF,
            summary="The decision audit trail, newest first (staff)")
def decisions(
    key: StaffKey, store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[int | None, Query(ge=1, le=2**62, description="`next_cursor` of the previous page")] = None,
    status: Annotated[Status | None, Query(description="Only this status")] = None,
    authority: Annotated[str, Query(max_length=200, description="An authority id, or a name: decisions on "
                                                                "pairs with it on either side")] = "",
    since: Annotated[date | None, Query(description="From this day (UTC), included")] = None,
    until: Annotated[date | None, Query(description="To this day (UTC), included")] = None,
) -> DecisionPage:
    page = store.decisions(limit=limit + 1, cursor=cursor, status=status, authority_ids=authority_ids(store, authority),
                           since=since.isoformat() if since else None,
                           until=day_after(until.isoformat()) if until else None)
    labels = {k.id: k.label for k in store.list_keys()}
    items = [_decision_out(d, labels) for d in page[:limit]]
    return DecisionPage(items=items, next_cursor=page[limit - 1].id if len(page) > limit else None)


def _decision_out(d: Decision, labels: dict[str, str]) -> DecisionOut:
    return DecisionOut(id=d.id, french_id=d.french_id, partner_id=d.partner_id, status=d.status, note=d.note,
                       actor=d.actor, actor_label=labels.get(d.actor, ""), created_at=d.created_at)
