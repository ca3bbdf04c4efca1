"""Events (staff and organisers): upload a participant file, then download its rankings and a plan of 1:1 meetings.

The same code as ``twinmatch event`` does the work (``matcher.events``): the file is read and validated
by ``readers`` / ``participants.validate`` against the catalogue, ranked by ``batch.rank_event``, planned
by ``schedule.schedule_event`` and written by ``exports``.

Who may call: staff and organiser keys (``service.auth.check_events``), every endpoint; an organiser
sees, plans and deletes only the events it uploaded (another's is a 404, as if it did not exist), staff
every event. An event's file may hold people's preferences (``avoid``) and authorities that are in no
public catalogue, and every computation costs seconds of CPU (a public endpoint would be an easy way to
saturate two cores).

The organiser's options (rounds, start, slot length, breaks and pauses, locked meetings) are kept with the
event (``PUT /events/{id}/options``) and used by every plan and export unless a request gives its own
value; the participants' answers through their own links (``service.web.fairs``) shape the plan too.
What routes and pages share is ``service.services.events``.

A bad file is a 422 in the usual error shape, whose ``error`` object also lists every bad row
(``rows``: line, column, reason); nothing is stored then. Storage, caches and the heavy-job limiter:
``service.services.event_registry``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from matcher.errors import FileErrors, InvalidInput, NotFound
from matcher.events.batch import EventRanking
from matcher.events.exports import ics_filename, ranking_csv, ranking_xlsx, schedule_csv, schedule_xlsx
from matcher.events.options import Lock, timing
from matcher.store.audit import ApiKey
from service.deps import EventsKey, LangDep, MatcherDep, Resources, ResourcesDep, StoreDep, limited
from service.lang import Lang
from service.routes.event_params import (
    ERRORS,
    MISSING_COLUMNS,
    STAFF,
    START_DOC,
    BreakMinutes,
    EventIdPath,
    IncludeExisting,
    IncludeSameCountry,
    Method,
    Pauses,
    Rounds,
    SlotMinutes,
    file_errors_response,
    pauses_of,
    read_upload,
)
from service.schemas.events import (
    EventListOut,
    EventOptionsIn,
    EventOptionsOut,
    EventOut,
    EventRankingsOut,
    FileErrorOut,
    ScheduleOut,
)
from service.services import events as svc
from service.services.event_registry import EventRegistry, Flags, LoadedEvent, visible_events
from service.services.events import (
    MAX_EVENT_NAME,
    XLSX,
    loaded_event,
    store_event,
    visible,
)

router = APIRouter(prefix="/events", tags=["events"])

MAX_K = 200


async def get_registry(res: ResourcesDep, store: StoreDep) -> EventRegistry:
    """The app's event registry (``service.services.events.get_registry``)."""
    return await svc.get_registry(res, store)


RegistryDep = Annotated[EventRegistry, Depends(get_registry)]


# ---- upload ----------------------------------------------------------------------------------------
# The request body in the spec is the multipart form only. The file itself as the body is taken too
# (application/octet-stream, text/csv, the XLSX media type, or application/json with a list of participant
# objects: see the description) but not listed: generated clients (openapi-python-client, default
# configuration) break on an operation with several request media types.
@router.post("", response_model=EventOut, status_code=201, dependencies=[limited("upload")],
             responses={**STAFF, 413: {"description": "Body over the size limit, or too many participants"},
                        415: {"description": "Unsupported content type"},
                        422: {"model": FileErrorOut, "description": "Bad file: `error.rows` lists every bad row. "
                              "What no schema can say: the file's columns (`name` and `country` required), its rows "
                              "(values, countries and catalogue ids that exist), at most 2,000 participants.",
                              "content": {"application/json": {"example": MISSING_COLUMNS}}}},
             summary="Upload an event's participant file (staff, organisers)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {
                     "schema": {"type": "object", "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"},
                                               "name": {"type": "string", "maxLength": MAX_EVENT_NAME}}},
                     "example": {"file": "participants.csv"}}}}})
async def create_event(request: Request, key: EventsKey, res: ResourcesDep, matcher: MatcherDep,
                       reg: RegistryDep) -> Response:
    """The body is either `multipart/form-data` with the file in the field `file` (`.csv`, `.xlsx` or
    `.json`, known by the file name, else the part's content type, else the content), or the file itself as the body
    (`application/octet-stream`, the format read from the content; `text/csv` or the XLSX media type; or
    `application/json` with a list of participant objects). The event's name: the multipart field `name` or the query's `?name=` (default: the file's
    name without its extension).

    Columns: `name` and `country` required; optional `id`, `kind`, `population`, `lat`, `lon`,
    `languages`, `expertise`, `needs`, `description`, `themes`, `side`, `must_meet`, `avoid`,
    `max_meetings` (lists separated by `;`) — the same file as `twinmatch event`; the French column names
    (`nom`, `pays`, `besoins`…) are accepted too (`matcher.events.participants.ALIASES`). At most 2,000
    participants. A bad file is a 422 whose `error.rows` lists every bad row (CSV: physical line,
    the header being line 1; XLSX: sheet row; JSON: item number from 1); nothing is stored then."""
    # ``matcher`` is not used here, but taking it makes an upload a 503 while the service is loading,
    # like the rankings it is uploaded for.
    data, filename, name = await read_upload(request)
    try:
        record = await store_event(reg, res, data, filename, key.id, name)
    except FileErrors as exc:
        return file_errors_response(exc)
    return JSONResponse(EventOut.of(record).model_dump(), status_code=201,
                        headers={"Location": f"/events/{record.id}"})


@router.get("", response_model=EventListOut, responses=STAFF,
            summary="The events one may see: all for staff, one's own for an organiser")
def list_events(key: EventsKey, reg: RegistryDep) -> EventListOut:
    return EventListOut(events=[EventOut.of(r) for r in visible_events(reg.store, key)])


@router.get("/{event_id}", response_model=EventOut, responses=ERRORS,
            summary="An event's summary (staff, its organiser)")
def get_event(event_id: EventIdPath, key: EventsKey, reg: RegistryDep) -> EventOut:
    loaded = reg.loaded(event_id)
    record = loaded.record if loaded is not None else reg.store.get_event(event_id)
    return EventOut.of(visible(record, event_id, key))


@router.delete("/{event_id}", status_code=204, responses=ERRORS, dependencies=[limited("write")],
               summary="Delete an event: its file and everything computed from it (staff, its organiser)")
def delete_event(event_id: EventIdPath, key: EventsKey, reg: RegistryDep) -> Response:
    visible(reg.store.get_event(event_id), event_id, key)
    found = reg.store.delete_event(event_id)
    found = reg.forget(event_id) or found
    if not found:
        raise NotFound(f"no event with id {event_id!r}", field="id")
    return Response(status_code=204)


# ---- rankings --------------------------------------------------------------------------------------
def _download(body: bytes, fmt: str, filename: str) -> Response:
    if fmt == "json":
        return Response(body, media_type="application/json")
    media = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX, "ics": "text/calendar; charset=utf-8"}[fmt]
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _rankings_body(event_id: str, ranking: EventRanking, k: int, lang: Lang, fmt: str) -> bytes:
    if fmt == "csv":
        return ranking_csv(ranking, lang)
    if fmt == "xlsx":
        return ranking_xlsx(ranking, lang)
    return EventRankingsOut.of(event_id, ranking, k, lang).model_dump_json().encode()


_DOWNLOADS: dict[str, Any] = {"content": {"text/csv": {}, XLSX: {}}}


@router.get("/{event_id}/rankings", response_model=EventRankingsOut, responses={200: _DOWNLOADS, **ERRORS},
            summary="Every participant's top-k partners among the others, with reasons (staff, its organiser)")
async def event_rankings(
    event_id: EventIdPath, key: EventsKey, res: ResourcesDep, matcher: MatcherDep, reg: RegistryDep, lang: LangDep,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    fmt: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "json",
    include_existing: Annotated[bool, Query(description="Also pair authorities already partnered")] = False,
    include_same_country: Annotated[bool, Query(description="Also pair participants of one country")] = False,
) -> Response:
    """Pairs are ranked across sides only (when the file has sides), never with an `avoid`ed participant;
    a `must_meet` or `would_like` pair is always scored. Computed on first request (seconds for 1,000
    participants), then served from memory. CSV columns:
    `participant_id,rank,partner_id,partner_name,score,reasons`."""
    loaded = await loaded_event(reg, event_id, res, key)
    flags: Flags = (include_existing, include_same_country)
    cache_key = (event_id, "rankings", flags, k, lang, fmt)
    body = reg.rendered(cache_key)
    if body is None:
        ranking = await svc.ranking(reg, loaded, matcher, flags, k)
        body = await run_in_threadpool(_rankings_body, event_id, ranking, k, lang, fmt)
        reg.put_rendered(cache_key, body)
    return _download(body, fmt, f"{event_id}-rankings.{fmt}")


# ---- options ---------------------------------------------------------------------------------------
@router.get("/{event_id}/options", response_model=EventOptionsOut, responses=ERRORS,
            summary="The organiser's planning options and who answered through their link (staff, its organiser)")
async def get_options(event_id: EventIdPath, key: EventsKey, res: ResourcesDep, reg: RegistryDep,
                      matcher: MatcherDep) -> EventOptionsOut:
    return EventOptionsOut.of(svc.options_of(await loaded_event(reg, event_id, res, key)))


@router.put("/{event_id}/options", response_model=EventOptionsOut, responses=ERRORS,
            dependencies=[limited("write")],
            summary="Set the rounds, start, slot length, breaks, pauses and locked meetings (staff, its organiser)")
async def put_options(event_id: EventIdPath, body: EventOptionsIn, key: EventsKey, res: ResourcesDep,
                      reg: RegistryDep, matcher: MatcherDep) -> EventOptionsOut:
    """Every later plan and export of the event (schedule, CSV, XLSX, calendars) uses these values unless a
    request gives its own. The participants' answers are kept as they are. A lock names two participants of
    the event; one that can no longer hold (its round beyond `rounds`, a participant or table taken twice,
    the pair now refused) is released when planning, with a note in the schedule."""
    loaded = await loaded_event(reg, event_id, res, key)
    new_timing = timing(rounds=body.rounds, start=svc.parse_start(body.start) if body.start else None,
                        slot_minutes=body.slot_minutes, break_minutes=body.break_minutes,
                        pauses=[(p.after_round, p.minutes) for p in body.pauses])
    for x in body.locks:
        for pid in (x.participant_a, x.participant_b):
            if pid not in loaded.event.index:
                raise InvalidInput(f"no participant with id {pid!r} in event {event_id}", field="locks")
    locks = tuple(Lock(x.round, x.table, x.participant_a, x.participant_b) for x in body.locks)
    saved = await svc.update_options(reg, loaded, lambda o: replace(o, timing=new_timing, locks=locks))
    return EventOptionsOut.of(saved)


# ---- schedule --------------------------------------------------------------------------------------
async def _event_with(reg: EventRegistry, event_id: str, res: Resources, participant: str | None,
                      key: ApiKey) -> LoadedEvent:
    """The event, and the participant in it (404 first: parameters are checked for an event that exists)."""
    loaded = await loaded_event(reg, event_id, res, key)
    if participant is not None and participant not in loaded.event.index:
        raise NotFound(f"no participant with id {participant!r} in event {event_id}", field="participant")
    return loaded


@router.get("/{event_id}/schedule", response_model=ScheduleOut,
            responses={200: {"content": {"text/csv": {}, XLSX: {}}}, **ERRORS},
            summary="Rounds of 1:1 meetings maximising the reciprocal scores (staff, its organiser)")
async def event_schedule(
    event_id: EventIdPath, key: EventsKey, res: ResourcesDep, matcher: MatcherDep, reg: RegistryDep,
    rounds: Rounds = None,
    fmt: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "json",
    participant: Annotated[str | None, Query(min_length=1, max_length=200,
                                             description="A participant id: only its meetings")] = None,
    start: Annotated[str | None, Query(max_length=40, json_schema_extra=START_DOC,
                                       description="Start of round 1 (each round's times in every format), e.g. "
                                                   "2026-12-01T09:00:00+01:00 (default: the event's "
                                                   "options)")] = None,
    slot_minutes: SlotMinutes = None,
    break_minutes: BreakMinutes = None,
    pauses: Pauses = None,
    method: Method = "auto",
    include_existing: IncludeExisting = False,
    include_same_country: IncludeSameCountry = False,
) -> Response:
    """Nobody meets twice in a round or the same partner twice; `avoid` pairs and a participant's "no
    thanks" never meet; `must_meet` pairs come first; `would_like` pairs are weighted up; locked meetings
    stay at their round and table; `max_meetings` is respected. CSV columns:
    `round,participant_a,participant_b,score,must_meet,table,name_a,name_b,start,end`; XLSX adds a sheet of
    participants. A participant's calendar: `GET /events/{id}/participants/{participant_id}/schedule.ics`."""
    loaded = await _event_with(reg, event_id, res, participant, key)
    when = svc.timing_for(loaded, rounds=rounds, start=start, slot_minutes=slot_minutes,
                                     break_minutes=break_minutes, pauses=pauses_of(pauses))
    flags: Flags = (include_existing, include_same_country)
    plan = await svc.plan(reg, loaded, matcher, flags, when.rounds, method)
    names = loaded.names
    if fmt == "json":
        body = await run_in_threadpool(lambda: ScheduleOut.of(event_id, svc.only_for(plan, participant), names,
                                                              participant, when).model_dump_json().encode())
        return _download(body, fmt, "")
    suffix = f"-{ics_filename(participant)}" if participant is not None else ""
    writer = schedule_csv if fmt == "csv" else schedule_xlsx
    body = await run_in_threadpool(lambda: writer(svc.only_for(plan, participant), names, timing=when))
    return _download(body, fmt, f"{event_id}-schedule{suffix}.{fmt}")


@router.get("/{event_id}/participants/{participant_id}/schedule.ics",
            responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}, **ERRORS},
            response_class=Response, summary="One participant's meetings as a calendar (ICS, staff, its organiser)")
async def participant_calendar(
    event_id: EventIdPath, key: EventsKey, res: ResourcesDep, matcher: MatcherDep, reg: RegistryDep, lang: LangDep,
    participant_id: Annotated[str, Path(min_length=1, max_length=200)],
    rounds: Rounds = None,
    start: Annotated[str | None, Query(max_length=40, json_schema_extra=START_DOC,
                                       description="Start of round 1, e.g. 2026-12-01T09:00:00+01:00 (without an "
                                                   "offset: floating local time); default: the event's options "
                                                   "(a 422 when neither gives one)")] = None,
    slot_minutes: SlotMinutes = None,
    break_minutes: BreakMinutes = None,
    pauses: Pauses = None,
    method: Method = "auto",
    include_existing: IncludeExisting = False,
    include_same_country: IncludeSameCountry = False,
) -> Response:
    """Each meeting an event in the language asked for (`lang`, or `Accept-Language`: French or English):
    the partner's name, the table, whether it was asked for, and the reasons of the pair as this
    participant reads them; the same plan as `GET /events/{id}/schedule` with the same options."""
    loaded = await _event_with(reg, event_id, res, participant_id, key)
    when = svc.timing_for(loaded, rounds=rounds, start=start, slot_minutes=slot_minutes,
                                     break_minutes=break_minutes, pauses=pauses_of(pauses))
    flags: Flags = (include_existing, include_same_country)
    body = await svc.calendar(reg, loaded, matcher, participant_id, when, lang, flags, method)
    return _download(body, "ics", f"{ics_filename(participant_id)}.ics")
