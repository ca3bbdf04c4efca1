"""Fair organisers' pages (staff): upload a participants file (errors shown by line and column), the
meeting schedule as a grid by round with table numbers, downloads (XLSX, CSV, one ICS per participant).
Everything is the API's event code (``service.routes.events``): the same validation, storage, plans and
files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import HTMLResponse, Response

from matcher.errors import FileErrors, InvalidInput
from service.routes import events as api
from service.schemas_events import EventRankingsOut
from service.web.context import FormPage, Page, PageDep
from service.web.pages import matcher_of

router = APIRouter()
RoundsQ = Annotated[int, Query(ge=1, le=api.MAX_ROUNDS)]
StartQ = Annotated[str, Query(max_length=40)]


async def _registry(page: Page) -> api.EventRegistry:
    return await api.get_registry(page.res, page.store)


@router.get("/rencontres", response_class=HTMLResponse)
def fairs_home(page: PageDep) -> Response:
    page.require_events()
    return page.render("fairs.html", errors=None, message=None)


@router.post("/rencontres", response_class=HTMLResponse)
async def fairs_upload(page: FormPage, file: Annotated[UploadFile, File()]) -> Response:
    key = page.require_events()
    page.limit("upload")
    matcher_of(page)  # 503 while loading, like the API's upload
    data = await file.read()
    if not data.strip():
        raise InvalidInput("the participant file is empty", field="file")
    name = api.upload_name(file.filename or "", file.content_type or "", data)
    try:
        record = await api.store_event(await _registry(page), page.res, data, name, key.id)
    except FileErrors as exc:
        return page.render("fairs.html", status_code=422, errors=exc.errors, message=exc.message)
    return page.redirect(f"/rencontres/{record.id}")


@router.get("/rencontres/{event_id}", response_class=HTMLResponse)
async def fair(page: PageDep, event_id: str, rounds: RoundsQ = 3, start: StartQ = "") -> Response:
    key = page.require_events()
    reg = await _registry(page)
    loaded = await api.loaded_event(reg, event_id, page.res, key)
    begin = api.parse_start(start) if start else None
    plan = await api._plan(reg, loaded, matcher_of(page), (False, False), rounds, "auto")
    grid = [(r, plan.in_round(r)) for r in range(1, plan.rounds + 1)]
    # Each participant's ranking: the API's own (computed once, kept with the event), read as its schema.
    body = await api.event_rankings(event_id, key, page.res, matcher_of(page), reg, page.lang, k=3)
    rankings = EventRankingsOut.model_validate_json(bytes(body.body)).participants
    return page.render("fair.html", record=loaded.record, grid=grid, names=loaded.names, rounds=rounds,
                       start=start, begin=begin, participants=loaded.event.participants,
                       rankings={r.participant_id: r.partners for r in rankings})


@router.get("/rencontres/{event_id}/planning.{fmt}")
async def fair_schedule(page: PageDep, event_id: str, fmt: str, rounds: RoundsQ = 3) -> Response:
    key = page.require_events()
    if fmt not in ("csv", "xlsx"):
        raise InvalidInput("format must be csv or xlsx", field="format")
    return await api.event_schedule(event_id, key, page.res, matcher_of(page), await _registry(page), rounds,
                                    fmt=fmt)  # type: ignore[arg-type]


@router.get("/rencontres/{event_id}/participants/{participant_id}.ics")
async def fair_calendar(page: PageDep, event_id: str, participant_id: str, start: StartQ,
                        rounds: RoundsQ = 3) -> Response:
    key = page.require_events()
    return await api.participant_calendar(event_id, key, page.res, matcher_of(page), await _registry(page),
                                          participant_id, rounds, start)
