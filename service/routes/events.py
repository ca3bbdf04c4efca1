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
What routes and pages share is ``service.events_service``.

A bad file is a 422 in the usual error shape, whose ``error`` object also lists every bad row
(``rows``: line, column, reason); nothing is stored then. Storage, caches and the heavy-job limiter:
``service.events_store``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from matcher.errors import FileErrors, InvalidInput, MatcherError, NotFound
from matcher.events.batch import EventRanking
from matcher.events.exports import ics_filename, ranking_csv, ranking_xlsx, schedule_csv, schedule_xlsx
from matcher.events.options import EventOptions, Lock, Timing, timing
from matcher.events.schedule import Schedule
from matcher.ranking.scoring import match_score
from matcher.store.protocol import ApiKey
from service import events_service
from service.deps import EventsKey, Lang, LangDep, MatcherDep, Resources, ResourcesDep, StoreDep, limited
from service.events_service import (
    MAX_EVENT_NAME,
    MEDIA_SUFFIX,
    XLSX,
    event_name,
    loaded_event,
    store_event,
    upload_name,
    visible,
)
from service.events_store import EventRecord, EventRegistry, Flags, LoadedEvent, visible_events
from service.routes.matches import reason_out
from service.schemas_events import (
    EventListOut,
    EventOptionsIn,
    EventOptionsOut,
    EventOut,
    EventPartnerOut,
    EventRankingsOut,
    FileErrorOut,
    LockIO,
    MeetingOut,
    PairOut,
    ParticipantRankingOut,
    PauseIO,
    RoundOut,
    ScheduleOut,
)

router = APIRouter(prefix="/events", tags=["events"])

MAX_K = 200
MAX_ROUNDS = 20

#: The 422 of a CSV without its required columns (``POST /events``'s documented example).
MISSING_COLUMNS = {"error": {
    "code": "invalid_file", "field": "name",
    "message": "2 bad row(s): line 1, column 'name': required column is missing; line 1, column 'country': "
               "required column is missing",
    "rows": [{"line": 1, "column": "name", "reason": "required column is missing"},
             {"line": 1, "column": "country", "reason": "required column is missing"}]}}

EventIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The id returned by POST /events.")]
_STAFF: dict[int | str, dict[str, Any]] = {401: {"description": "No API key"},
                                           403: {"description": "Not a staff or organiser key"}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    **_STAFF, 404: {"description": "Unknown event id (or participant), or another organiser's event"},
    409: {"description": "The stored file no longer validates against the catalogue (after a restart)"},
    422: {"description": "Invalid parameter (field named)"}}


class UnsupportedMediaType(MatcherError):
    status = 415
    code = "unsupported_media_type"


async def get_registry(res: ResourcesDep, store: StoreDep) -> EventRegistry:
    """The app's event registry (``service.events_service.get_registry``)."""
    return await events_service.get_registry(res, store)


RegistryDep = Annotated[EventRegistry, Depends(get_registry)]


def file_errors_response(exc: FileErrors) -> JSONResponse:
    """The one error shape, plus ``rows``: every bad row (not only the 20 the message names)."""
    rows = [{"line": e.line, "column": e.column, "reason": e.reason} for e in exc.errors]
    body = {"error": {"code": exc.code, "message": exc.message, "field": exc.field, "rows": rows}}
    return JSONResponse(body, status_code=exc.status)


def _event_out(r: EventRecord) -> EventOut:
    return EventOut(id=r.id, participants=r.participants, sides=list(r.sides),
                    catalogue_participants=r.catalogue_participants, source=r.filename, name=r.title,
                    created_at=r.created_at)


# ---- upload ----------------------------------------------------------------------------------------
async def _upload(request: Request) -> tuple[bytes, str, str]:
    """(bytes, file name, event name) of a multipart ``file`` field (and ``name`` field), or of a raw CSV /
    XLSX / JSON body (the name then from the query's ``name``)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    title = event_name(request.query_params.get("name"))
    if media == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=20)
        try:
            given = form.get("name")
            if isinstance(given, str) and given.strip():
                title = event_name(given)
            part = form.get("file")
            if part is None:
                raise InvalidInput("send the participant file in the multipart field 'file'", field="file")
            if not isinstance(part, UploadFile):
                raise InvalidInput("the field 'file' must be a file (e.g. curl -F file=@participants.csv)",
                                   field="file")
            data = await part.read()
            name = upload_name(part.filename or "", part.content_type or "", data)
        finally:
            await form.close()
    elif media in MEDIA_SUFFIX or media.endswith("+json") or media == "application/octet-stream":
        data = await request.body()
        name = upload_name("", media, data)  # octet-stream: the format read from the content
    else:
        raise UnsupportedMediaType(f"unsupported content type {media or '(none)'!r}: send multipart/form-data "
                                   "with a 'file' field, or a JSON list, CSV or XLSX body")
    if not data.strip():
        raise InvalidInput("the participant file is empty", field="file", key="empty_file")
    return data, name, title


# The request body in the spec is the multipart form only. The file itself as the body is taken too
# (application/octet-stream, text/csv, the XLSX media type, or application/json with a list of participant
# objects: see the description) but not listed: generated clients (openapi-python-client, default
# configuration) break on an operation with several request media types.
@router.post("", response_model=EventOut, status_code=201, dependencies=[limited("upload")],
             responses={**_STAFF, 413: {"description": "Body over the size limit, or too many participants"},
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
    data, filename, name = await _upload(request)
    try:
        record = await store_event(reg, res, data, filename, key.id, name)
    except FileErrors as exc:
        return file_errors_response(exc)
    return JSONResponse(_event_out(record).model_dump(), status_code=201,
                        headers={"Location": f"/events/{record.id}"})


@router.get("", response_model=EventListOut, responses=_STAFF,
            summary="The events one may see: all for staff, one's own for an organiser")
def list_events(key: EventsKey, reg: RegistryDep) -> EventListOut:
    return EventListOut(events=[_event_out(r) for r in visible_events(reg.store, key)])


@router.get("/{event_id}", response_model=EventOut, responses=_ERRORS,
            summary="An event's summary (staff, its organiser)")
def get_event(event_id: EventIdPath, key: EventsKey, reg: RegistryDep) -> EventOut:
    loaded = reg.loaded(event_id)
    record = loaded.record if loaded is not None else reg.store.get_event(event_id)
    return _event_out(visible(record, event_id, key))


@router.delete("/{event_id}", status_code=204, responses=_ERRORS, dependencies=[limited("write")],
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


def render_rankings(event_id: str, ranking: EventRanking, k: int, lang: Lang, fmt: str) -> bytes:
    if fmt == "csv":
        return ranking_csv(ranking, lang)
    if fmt == "xlsx":
        return ranking_xlsx(ranking, lang)
    out = EventRankingsOut(id=event_id, k=k, lang=lang, participants=[
        ParticipantRankingOut(participant_id=pid, participant_name=name, partners=[
            EventPartnerOut(rank=m.rank, partner_id=m.partner_id, partner_name=m.partner_name, score=m.score,
                            match_score=int(match_score(m.score)),
                            mutual=m.mutual, reasons=[reason_out(r, lang) for r in m.reasons])
            for m in matches])
        for pid, name, matches in zip(ranking.ids, ranking.names, ranking.rankings)])
    return out.model_dump_json().encode()


_DOWNLOADS: dict[str, Any] = {"content": {"text/csv": {}, XLSX: {}}}


@router.get("/{event_id}/rankings", response_model=EventRankingsOut, responses={200: _DOWNLOADS, **_ERRORS},
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
        ranking = await events_service.ranking(reg, loaded, matcher, flags, k)
        body = await run_in_threadpool(render_rankings, event_id, ranking, k, lang, fmt)
        reg.put_rendered(cache_key, body)
    return _download(body, fmt, f"{event_id}-rankings.{fmt}")


# ---- options ---------------------------------------------------------------------------------------
def options_out(options: EventOptions) -> EventOptionsOut:
    t = options.timing
    return EventOptionsOut(
        rounds=t.rounds, start=t.start.isoformat() if t.start is not None else None, slot_minutes=t.slot_minutes,
        break_minutes=t.break_minutes, pauses=[PauseIO(after_round=p.after_round, minutes=p.minutes) for p in t.pauses],
        locks=[LockIO(round=x.round, table=x.table, participant_a=x.a, participant_b=x.b) for x in options.locks],
        answered={pid: a.answered_at for pid, a in sorted(options.answers.items())})


@router.get("/{event_id}/options", response_model=EventOptionsOut, responses=_ERRORS,
            summary="The organiser's planning options and who answered through their link (staff, its organiser)")
async def get_options(event_id: EventIdPath, key: EventsKey, res: ResourcesDep, reg: RegistryDep,
                      matcher: MatcherDep) -> EventOptionsOut:
    return options_out(events_service.options_of(await loaded_event(reg, event_id, res, key)))


@router.put("/{event_id}/options", response_model=EventOptionsOut, responses=_ERRORS,
            dependencies=[limited("write")],
            summary="Set the rounds, start, slot length, breaks, pauses and locked meetings (staff, its organiser)")
async def put_options(event_id: EventIdPath, body: EventOptionsIn, key: EventsKey, res: ResourcesDep,
                      reg: RegistryDep, matcher: MatcherDep) -> EventOptionsOut:
    """Every later plan and export of the event (schedule, CSV, XLSX, calendars) uses these values unless a
    request gives its own. The participants' answers are kept as they are. A lock names two participants of
    the event; one that can no longer hold (its round beyond `rounds`, a participant or table taken twice,
    the pair now refused) is released when planning, with a note in the schedule."""
    loaded = await loaded_event(reg, event_id, res, key)
    new_timing = timing(rounds=body.rounds, start=events_service.parse_start(body.start) if body.start else None,
                        slot_minutes=body.slot_minutes, break_minutes=body.break_minutes,
                        pauses=[(p.after_round, p.minutes) for p in body.pauses])
    for x in body.locks:
        for pid in (x.participant_a, x.participant_b):
            if pid not in loaded.event.index:
                raise InvalidInput(f"no participant with id {pid!r} in event {event_id}", field="locks")
    locks = tuple(Lock(x.round, x.table, x.participant_a, x.participant_b) for x in body.locks)
    saved = await events_service.update_options(reg, loaded, lambda o: replace(o, timing=new_timing, locks=locks))
    return options_out(saved)


# ---- schedule --------------------------------------------------------------------------------------
def _only(plan: Schedule, participant: str | None) -> Schedule:
    if participant is None:
        return plan
    return replace(plan, meetings=plan.for_participant(participant),
                   meeting_counts={participant: plan.meeting_counts.get(participant, 0)},
                   unmet_must_meet=tuple(p for p in plan.unmet_must_meet if participant in p))


def render_schedule_json(event_id: str, plan: Schedule, names: dict[str, str], participant: str | None,
                         when: Timing) -> bytes:
    rounds = []
    for r in range(1, plan.rounds + 1):
        slot = when.slot(r)
        rounds.append(RoundOut(
            round=r, start=slot[0].isoformat() if slot else None, end=slot[1].isoformat() if slot else None,
            meetings=[MeetingOut(table=m.table, participant_a=m.a, participant_b=m.b, name_a=names.get(m.a, ""),
                                 name_b=names.get(m.b, ""), score=m.score, must_meet=m.must_meet, locked=m.locked)
                      for m in plan.in_round(r)]))
    out = ScheduleOut(id=event_id, method=plan.method, total_score=plan.total_score, participant=participant,
                      rounds=rounds, unmet_must_meet=[PairOut(participant_a=a, participant_b=b)
                                                      for a, b in plan.unmet_must_meet],
                      meeting_counts=dict(plan.meeting_counts), notes=list(plan.notes))
    return out.model_dump_json().encode()


#: RFC 3339 date-time (what the spec's ``format: date-time`` says), years 1000-9998 (so that every slot of
#: the longest schedule, 20 rounds of 20 hours, is a date Python can write: year 9999 ends the calendar; and a
#: year has four digits); the server also takes ``2026-12-01T09:00``. A narrower range (1900-2999) made
#: generators drop nine generated date-times in ten (schemathesis' "filter too much" health check).
_START_DOC = {"format": "date-time", "pattern": r"^([1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"}
Rounds = Annotated[int | None, Query(ge=1, le=MAX_ROUNDS, description="Number of meeting rounds (default: the "
                                                                      "event's options, else 3)")]
SlotMinutes = Annotated[int | None, Query(ge=1, le=600, description="Length of a meeting in minutes (default: "
                                                                    "the event's options, else 20)")]
BreakMinutes = Annotated[int | None, Query(ge=0, le=600, description="Break between two meetings in minutes "
                                                                     "(default: the event's options, else 5)")]
Pauses = Annotated[list[str] | None, Query(max_length=5, description="Longer pauses as `after_round:minutes`, "
                                                                     "e.g. `3:60` (repeat for several; default: "
                                                                     "the event's options)",
                                           json_schema_extra={"items": {"type": "string",
                                                                        "pattern": r"^[0-9]{1,2}:[0-9]{1,3}$"}})]
Method = Annotated[Literal["auto", "lsa", "milp", "greedy"],
                   Query(description="auto: exact matching per round (lsa with two sides, milp otherwise); "
                                     "greedy: the baseline")]
IncludeExisting = Annotated[bool, Query(description="Also pair authorities already partnered")]
IncludeSameCountry = Annotated[bool, Query(description="Also pair participants of one country")]


def _pauses(values: list[str] | None) -> list[tuple[int, int]] | None:
    if values is None:
        return None
    out = []
    for v in values:
        after, _, minutes = v.partition(":")
        if not (after.isdigit() and minutes.isdigit()):
            raise InvalidInput(f"pause {v!r} is not after_round:minutes, e.g. 3:60", field="pauses")
        out.append((int(after), int(minutes)))
    return out


async def _event_with(reg: EventRegistry, event_id: str, res: Resources, participant: str | None,
                      key: ApiKey) -> LoadedEvent:
    """The event, and the participant in it (404 first: parameters are checked for an event that exists)."""
    loaded = await loaded_event(reg, event_id, res, key)
    if participant is not None and participant not in loaded.event.index:
        raise NotFound(f"no participant with id {participant!r} in event {event_id}", field="participant")
    return loaded


@router.get("/{event_id}/schedule", response_model=ScheduleOut,
            responses={200: {"content": {"text/csv": {}, XLSX: {}}}, **_ERRORS},
            summary="Rounds of 1:1 meetings maximising the reciprocal scores (staff, its organiser)")
async def event_schedule(
    event_id: EventIdPath, key: EventsKey, res: ResourcesDep, matcher: MatcherDep, reg: RegistryDep,
    rounds: Rounds = None,
    fmt: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "json",
    participant: Annotated[str | None, Query(min_length=1, max_length=200,
                                             description="A participant id: only its meetings")] = None,
    start: Annotated[str | None, Query(max_length=40, json_schema_extra=_START_DOC,
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
    when = events_service.timing_for(loaded, rounds=rounds, start=start, slot_minutes=slot_minutes,
                                     break_minutes=break_minutes, pauses=_pauses(pauses))
    flags: Flags = (include_existing, include_same_country)
    plan = await events_service.plan(reg, loaded, matcher, flags, when.rounds, method)
    names = loaded.names
    if fmt == "json":
        body = await run_in_threadpool(render_schedule_json, event_id, _only(plan, participant), names, participant,
                                       when)
        return _download(body, fmt, "")
    suffix = f"-{ics_filename(participant)}" if participant is not None else ""
    writer = schedule_csv if fmt == "csv" else schedule_xlsx
    body = await run_in_threadpool(lambda: writer(_only(plan, participant), names, timing=when))
    return _download(body, fmt, f"{event_id}-schedule{suffix}.{fmt}")


@router.get("/{event_id}/participants/{participant_id}/schedule.ics",
            responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}, **_ERRORS},
            response_class=Response, summary="One participant's meetings as a calendar (ICS, staff, its organiser)")
async def participant_calendar(
    event_id: EventIdPath, key: EventsKey, res: ResourcesDep, matcher: MatcherDep, reg: RegistryDep, lang: LangDep,
    participant_id: Annotated[str, Path(min_length=1, max_length=200)],
    rounds: Rounds = None,
    start: Annotated[str | None, Query(max_length=40, json_schema_extra=_START_DOC,
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
    when = events_service.timing_for(loaded, rounds=rounds, start=start, slot_minutes=slot_minutes,
                                     break_minutes=break_minutes, pauses=_pauses(pauses))
    flags: Flags = (include_existing, include_same_country)
    body = await events_service.calendar(reg, loaded, matcher, participant_id, when, lang, flags, method)
    return _download(body, "ics", f"{ics_filename(participant_id)}.ics")
