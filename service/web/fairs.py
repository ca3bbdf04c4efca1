"""Fair pages (organisers and staff): one's fairs, upload a participants file (its format and templates on
the page, every error said in the page's language), the meeting schedule as a grid by round with table
numbers and times, the organiser's options (rounds, start, slot length, breaks, a pause), locked meetings
and re-planning, each participant's wish link and whether it answered, downloads (XLSX, CSV for a
spreadsheet of the page's language, one ICS per participant in the page's language).

An organiser sees its own fairs only (``service.services.event_registry.visible_events``, the API's rule); the
validation, storage, plans and files are ``service.services.events``'s, as for the API.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from matcher.errors import FileErrors, InvalidInput, MatcherError, NotFound
from matcher.events.exports import SCHEDULE_COLUMNS, ics_filename, schedule_csv, schedule_xlsx
from matcher.events.options import MAX_ROUNDS, Lock, Timing
from matcher.events.participants import COLUMNS, FRENCH_COLUMNS
from matcher.events.spreadsheet import SheetStyle, for_people
from matcher.events.templates import template_csv, template_xlsx
from matcher.explain.quantities import integer
from service.services import events as svc
from service.services.event_registry import EventRegistry, LoadedEvent, visible_events
from service.web.context import FormPage, Page, PageDep
from service.web.fair_wishes import wish_path
from service.web.i18n_fairs import file_error, option_error, row_error, size_text
from service.web.pages import XLSX, matcher_of

router = APIRouter()
RoundsQ = Annotated[int | None, Query(ge=1, le=MAX_ROUNDS)]
StartQ = Annotated[str, Query(max_length=40)]
FLAGS = (False, False)


async def _registry(page: Page) -> EventRegistry:
    return await svc.get_registry(page.res, page.store)


def _form_context(page: Page) -> dict[str, Any]:
    """What the upload page shows besides errors: one's fairs, the format, the limits."""
    key = page.require_events()
    return {"events": visible_events(page.store, key), "columns": [(c, FRENCH_COLUMNS[c]) for c in COLUMNS],
            "limit": page.t("events.size_limit", size=size_text(page.res.settings.max_body_bytes, page.lang),
                            n=integer(svc.MAX_EVENT_PARTICIPANTS, page.lang)),
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
        title = svc.event_name(name)
        if not data.strip():
            raise InvalidInput("the participant file is empty", field="file", key="empty_file")
        filename = svc.upload_name(file.filename or "", file.content_type or "", data)
        record = await svc.store_event(await _registry(page), page.res, data, filename, key.id, title)
    except FileErrors as exc:
        return upload_page(page, 422, errors=[row_error(e, page.lang) for e in exc.errors], name=name)
    except MatcherError as exc:
        if exc.field not in ("file", "name"):
            raise
        message = page.t("events.file.name_too_long") if exc.field == "name" else file_error(exc, page.lang)
        return upload_page(page, exc.status, message, name=name)
    return page.redirect(f"/rencontres/{record.id}")


async def _event(page: Page, event_id: str) -> tuple[EventRegistry, LoadedEvent]:
    key = page.require_events()
    reg = await _registry(page)
    return reg, await svc.loaded_event(reg, event_id, page.res, key)


def _timing(loaded: LoadedEvent, rounds: int | None, start: str) -> Timing:
    """The event's options, with this page's ``rounds`` / ``start`` when given (not stored)."""
    return svc.timing_for(loaded, rounds=rounds, start=start or None)


async def fair_page(page: Page, reg: EventRegistry, loaded: LoadedEvent, when: Timing, status_code: int = 200,
                    option_message: str | None = None, form: dict[str, str] | None = None) -> Response:
    matcher = matcher_of(page)
    plan = await svc.plan(reg, loaded, matcher, FLAGS, when.rounds)
    grid = [(r, when.slot(r), plan.in_round(r)) for r in range(1, plan.rounds + 1)]
    ranking = await svc.ranking(reg, loaded, matcher, FLAGS, 3)  # each participant's own top partners
    options = svc.options_of(loaded)
    secret = svc.link_secret(page.res, page.store)
    base = str(page.request.base_url).rstrip("/")
    links = {p.id: f"{base}{wish_path(loaded.record.id, p.id, svc.link_token(secret, loaded.record.id, p.id))}"
             for p in loaded.event.participants}
    kept = {(m.round, m.table, frozenset((m.a, m.b))) for m in plan.meetings if m.locked}
    released = [x for x in options.locks if (x.round, x.table, frozenset((x.a, x.b))) not in kept]
    stored = options.timing
    form = form or {"rounds": str(stored.rounds),
                    "start": stored.start.strftime("%Y-%m-%dT%H:%M") if stored.start is not None else "",
                    "slot_minutes": str(stored.slot_minutes), "break_minutes": str(stored.break_minutes),
                    "pause_after": str(stored.pauses[0].after_round) if stored.pauses else "",
                    "pause_minutes": str(stored.pauses[0].minutes) if stored.pauses else ""}
    return page.render("fair.html", status_code=status_code, record=loaded.record, grid=grid, names=loaded.names,
                       when=when, participants=loaded.event.participants, links=links,
                       answered={pid: a.answered_at[:10] for pid, a in options.answers.items()},
                       rankings=dict(zip(ranking.ids, ranking.rankings)), notes=plan.notes,
                       unmet=plan.unmet_must_meet, released=released, option_message=option_message, form=form)


@router.get("/rencontres/{event_id}", response_class=HTMLResponse)
async def fair(page: PageDep, event_id: str, rounds: RoundsQ = None, start: StartQ = "") -> Response:
    reg, loaded = await _event(page, event_id)
    return await fair_page(page, reg, loaded, _timing(loaded, rounds, start))


@router.post("/rencontres/{event_id}/options", response_class=HTMLResponse)
async def fair_options(page: FormPage, event_id: str, request: Request) -> Response:
    """The organiser's rounds, start, slot length, break and one pause: validated, stored with the event (an
    error is said in the form, in the page's language, the values kept)."""
    page.limit("write")
    reg, loaded = await _event(page, event_id)
    form = {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}
    fields = {k: form.get(k, "").strip() for k in ("rounds", "start", "slot_minutes", "break_minutes",
                                                   "pause_after", "pause_minutes")}
    try:
        pause = ([(fields["pause_after"], fields["pause_minutes"] or "0")] if fields["pause_after"] else [])
        when = svc.timing_for(loaded, rounds=fields["rounds"] or None, start=fields["start"] or None,
                              slot_minutes=fields["slot_minutes"] or None,
                              break_minutes=fields["break_minutes"] or None, pauses=pause)
        if not fields["start"]:
            when = replace(when, start=None)
    except InvalidInput as exc:
        stored = svc.options_of(loaded).timing
        return await fair_page(page, reg, loaded, stored, 422, option_error(exc, page.lang), fields)
    await svc.update_options(reg, loaded, lambda o: replace(o, timing=when))
    return page.redirect(f"/rencontres/{event_id}#planning")


@router.post("/rencontres/{event_id}/verrous", response_class=HTMLResponse)
async def fair_locks(page: FormPage, event_id: str, request: Request) -> Response:
    """Lock the meetings ticked in the grid (the others are released) and plan the rest again."""
    page.limit("write")
    reg, loaded = await _event(page, event_id)
    when = svc.options_of(loaded).timing
    plan = await svc.plan(reg, loaded, matcher_of(page), FLAGS, when.rounds)
    ticked = {v for k, v in (await request.form()).multi_items() if k == "lock" and isinstance(v, str)}
    locks = tuple(Lock(m.round, m.table, m.a, m.b) for m in plan.meetings if f"{m.round}-{m.table}" in ticked)
    await svc.update_options(reg, loaded, lambda o: replace(o, locks=locks))
    return page.redirect(f"/rencontres/{event_id}#planning")


def schedule_style(page: Page) -> SheetStyle:
    """The schedule's CSV / XLSX for a spreadsheet in the page's language."""
    headers = {c: page.t(f"events.sched.{c}") for c in SCHEDULE_COLUMNS}
    return for_people(page.lang, {**headers, "round_n": page.t("events.round", n="{n}")})


@router.get("/rencontres/{event_id}/planning.{fmt}")
async def fair_schedule(page: PageDep, event_id: str, fmt: str, rounds: RoundsQ = None) -> Response:
    if fmt not in ("csv", "xlsx"):
        page.require_events()
        raise NotFound(page.t("error.not_found"), field="format")
    reg, loaded = await _event(page, event_id)
    when = _timing(loaded, rounds, "")
    plan = await svc.plan(reg, loaded, matcher_of(page), FLAGS, when.rounds)
    style = schedule_style(page)
    writer = schedule_csv if fmt == "csv" else schedule_xlsx
    body = writer(plan, loaded.names, style, timing=when)
    name = f"{event_id}-{'planning' if page.lang == 'fr' else 'schedule'}.{fmt}"
    return page.finish(Response(body, media_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX,
                                headers={"Content-Disposition": f'attachment; filename="{name}"'}))


@router.get("/rencontres/{event_id}/participants/{participant_id}.ics")
async def fair_calendar(page: PageDep, event_id: str, participant_id: str, start: StartQ = "",
                        rounds: RoundsQ = None) -> Response:
    """A participant's calendar in the page's language, at the organiser's times, with the reasons."""
    reg, loaded = await _event(page, event_id)
    if participant_id not in loaded.event.index:
        raise NotFound(page.t("error.not_found"), field="participant")
    when = _timing(loaded, rounds, start)
    body = await svc.calendar(reg, loaded, matcher_of(page), participant_id, when, page.lang)
    name = ics_filename(participant_id)
    return page.finish(Response(body, media_type="text/calendar; charset=utf-8",
                                headers={"Content-Disposition": f'attachment; filename="{name}.ics"'}))
