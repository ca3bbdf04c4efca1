"""Fair pages (organisers and staff): one's fairs, upload a participants file (its format and templates on
the page, every error said in the page's language), the meeting schedule as a grid by round with table
numbers, downloads (XLSX, CSV for a spreadsheet of the page's language, one ICS per participant).

An organiser sees its own fairs only (``service.events_store.visible_events``, the API's rule); the
validation, storage, plans and files are the API's event code (``service.routes.events``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, Response

from matcher.errors import FileErrors, InvalidInput, MatcherError, NotFound
from matcher.events.exports import SCHEDULE_COLUMNS, schedule_csv, schedule_xlsx
from matcher.events.participants import COLUMNS, FRENCH_COLUMNS
from matcher.events.spreadsheet import SheetStyle, for_people
from matcher.events.templates import template_csv, template_xlsx
from matcher.wording import integer
from service.events_store import visible_events
from service.routes import events as api
from service.schemas_events import EventRankingsOut
from service.web.context import FormPage, Page, PageDep
from service.web.i18n_fairs import file_error, row_error, size_text
from service.web.pages import XLSX, matcher_of

router = APIRouter()
RoundsQ = Annotated[int, Query(ge=1, le=api.MAX_ROUNDS)]
StartQ = Annotated[str, Query(max_length=40)]


async def _registry(page: Page) -> api.EventRegistry:
    return await api.get_registry(page.res, page.store)


def _form_context(page: Page) -> dict[str, Any]:
    """What the upload page shows besides errors: one's fairs, the format, the limits."""
    key = page.require_events()
    return {"events": visible_events(page.store, key), "columns": [(c, FRENCH_COLUMNS[c]) for c in COLUMNS],
            "limit": page.t("events.size_limit", size=size_text(page.res.settings.max_body_bytes, page.lang),
                            n=integer(api.MAX_EVENT_PARTICIPANTS, page.lang)),
            "max_bytes": page.res.settings.max_body_bytes}


def upload_page(page: Page, status_code: int = 200, message: str | None = None,
                errors: list[str] | None = None, name: str = "") -> Response:
    """The fairs page: one's fairs, the upload form (with an error above it, if any), the format."""
    return page.render("fairs.html", status_code=status_code, errors=errors, message=message, name=name,
                       **_form_context(page))


@router.get("/rencontres", response_class=HTMLResponse)
def fairs_home(page: PageDep) -> Response:
    return upload_page(page)


@router.get("/rencontres/modele-participants.{fmt}")
def fair_template(page: PageDep, fmt: str) -> Response:
    """The participants file template, headed in the page's language (public: it holds no data)."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound(page.t("error.not_found"), field="format")
    body = template_csv(page.lang) if fmt == "csv" else template_xlsx(page.lang)
    name = f"{'modele-participants' if page.lang == 'fr' else 'participants-template'}.{fmt}"
    return page.finish(Response(body, media_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX,
                                headers={"Content-Disposition": f'attachment; filename="{name}"'}))


@router.post("/rencontres", response_class=HTMLResponse)
async def fairs_upload(page: FormPage, file: Annotated[UploadFile, File()],
                       name: Annotated[str, Form(max_length=1000)] = "") -> Response:
    key = page.require_events()
    page.limit("upload")
    matcher_of(page)  # 503 while loading, like the API's upload
    data = await file.read()
    try:
        title = api.event_name(name)
        if not data.strip():
            raise InvalidInput("the participant file is empty", field="file", key="empty_file")
        filename = api.upload_name(file.filename or "", file.content_type or "", data)
        record = await api.store_event(await _registry(page), page.res, data, filename, key.id, title)
    except FileErrors as exc:
        return upload_page(page, 422, errors=[row_error(e, page.lang) for e in exc.errors], name=name)
    except MatcherError as exc:
        if exc.field not in ("file", "name"):
            raise
        message = page.t("events.file.name_too_long") if exc.field == "name" else file_error(exc, page.lang)
        return upload_page(page, exc.status, message, name=name)
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


def schedule_style(page: Page) -> SheetStyle:
    """The schedule's CSV / XLSX for a spreadsheet in the page's language."""
    headers = {c: page.t(f"events.sched.{c}") for c in SCHEDULE_COLUMNS}
    return for_people(page.lang, {**headers, "round_n": page.t("events.round", n="{n}")})


@router.get("/rencontres/{event_id}/planning.{fmt}")
async def fair_schedule(page: PageDep, event_id: str, fmt: str, rounds: RoundsQ = 3) -> Response:
    key = page.require_events()
    if fmt not in ("csv", "xlsx"):
        raise NotFound(page.t("error.not_found"), field="format")
    reg = await _registry(page)
    loaded = await api.loaded_event(reg, event_id, page.res, key)
    plan = await api._plan(reg, loaded, matcher_of(page), (False, False), rounds, "auto")
    style = schedule_style(page)
    body = schedule_csv(plan, loaded.names, style) if fmt == "csv" else schedule_xlsx(plan, loaded.names, style)
    name = f"{event_id}-{'planning' if page.lang == 'fr' else 'schedule'}.{fmt}"
    return page.finish(Response(body, media_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX,
                                headers={"Content-Disposition": f'attachment; filename="{name}"'}))


@router.get("/rencontres/{event_id}/participants/{participant_id}.ics")
async def fair_calendar(page: PageDep, event_id: str, participant_id: str, start: StartQ,
                        rounds: RoundsQ = 3) -> Response:
    key = page.require_events()
    return await api.participant_calendar(event_id, key, page.res, matcher_of(page), await _registry(page),
                                          participant_id, rounds, start)
