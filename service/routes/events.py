"""Events (staff and organisers): upload a participant file, then download its rankings and a plan of 1:1 meetings.

The same code as ``twinmatch event`` does the work (``matcher.events``): the file is read and validated
by ``readers`` / ``participants.validate`` against the catalogue, ranked by ``batch.rank_event``, planned
by ``schedule.schedule_event`` and written by ``exports``.

Who may call: staff and organiser keys (``service.auth.check_events``), every endpoint; an organiser
sees, plans and deletes only the events it uploaded (another's is a 404, as if it did not exist), staff
every event. An event's file may hold people's preferences (``avoid``) and authorities that are in no
public catalogue, and every computation costs seconds of CPU (a public endpoint would be an easy way to
saturate two cores).

A bad file is a 422 in the usual error shape, whose ``error`` object also lists every bad row
(``rows``: line, column, reason); nothing is stored then. Storage, caches and the heavy-job limiter:
``service.events_store``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from matcher.engine import Matcher
from matcher.errors import Conflict, FileErrors, InvalidInput, MatcherError, NotFound, PayloadTooLarge
from matcher.events.batch import EventRanking, rank_event
from matcher.events.exports import (
    ics_filename,
    participant_ics,
    ranking_csv,
    ranking_xlsx,
    schedule_csv,
    schedule_xlsx,
    slot_times,
)
from matcher.events.participants import Event, validate
from matcher.events.schedule import Schedule, schedule_event
from matcher.events.view import LiveCatalogueView
from matcher.store import ApiKey
from service.auth import can_see_event
from service.deps import EventsKey, Lang, LangDep, MatcherDep, Resources, ResourcesDep, StoreDep, limited
from service.events_store import (
    EventRecord,
    EventRegistry,
    Flags,
    LoadedEvent,
    new_record,
    visible_events,
)
from service.routes.matches import reason_out
from service.schemas_events import (
    EventListOut,
    EventOut,
    EventPartnerOut,
    EventRankingsOut,
    FileErrorOut,
    MeetingOut,
    PairOut,
    ParticipantRankingOut,
    RoundOut,
    ScheduleOut,
)
from service.upload_parsing import read_upload

router = APIRouter(prefix="/events", tags=["events"])

#: Ranking is quadratic in the participants (1,000 take seconds); the CLI has no such bound.
MAX_EVENT_PARTICIPANTS = 2000
MAX_K = 200
MAX_ROUNDS = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json")
_MEDIA_SUFFIX = {"text/csv": ".csv", "application/csv": ".csv", "text/tab-separated-values": ".tsv",
                 "text/plain": ".txt", "application/json": ".json", XLSX: ".xlsx",
                 "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm"}
_START_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M%z")

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


# ---- the registry ----------------------------------------------------------------------------------
async def get_registry(res: ResourcesDep, store: StoreDep) -> EventRegistry:
    """The app's event registry, made on first use over the store (where the events are kept)."""
    if res.events is None:  # no await between the check and the assignment: one registry per app
        res.events = EventRegistry(store, admission=res.admission)
    return res.events


RegistryDep = Annotated[EventRegistry, Depends(get_registry)]


def read_event(data: bytes, filename: str, view: LiveCatalogueView) -> Event:
    """``matcher.events.participants.read_participants``, with the service's bound on the size checked
    before the catalogue is read (reading it takes seconds on the full catalogue)."""
    table = read_upload(data, filename)  # a spreadsheet in a child process (service.upload_parsing)
    if len(table.records) > MAX_EVENT_PARTICIPANTS:
        raise PayloadTooLarge(f"{len(table.records)} participants: at most {MAX_EVENT_PARTICIPANTS} per event "
                              "through the API (use `twinmatch event` for larger files)", field="file",
                              key="too_many_participants", params={"limit": MAX_EVENT_PARTICIPANTS})
    catalogue = view.get()  # built once, swapped after writes (not rebuilt per upload)
    return validate(table.records, catalogue, header=table.header, header_line=table.header_line,
                    source=filename, items=table.items)


def _view(res: Resources) -> LiveCatalogueView:
    assert res.catalogue_view is not None, "the catalogue view exists once the matcher is ready"
    return res.catalogue_view


def file_errors_response(exc: FileErrors) -> JSONResponse:
    """The one error shape, plus ``rows``: every bad row (not only the 20 the message names)."""
    rows = [{"line": e.line, "column": e.column, "reason": e.reason} for e in exc.errors]
    body = {"error": {"code": exc.code, "message": exc.message, "field": exc.field, "rows": rows}}
    return JSONResponse(body, status_code=exc.status)


def _visible(record: EventRecord | None, event_id: str, key: ApiKey) -> EventRecord:
    """The record if ``key`` may see it; another organiser's event is as absent as an unknown one."""
    if record is None or not can_see_event(key, record.created_by):
        raise NotFound(f"no event with id {event_id!r}", field="id")
    return record


async def loaded_event(reg: EventRegistry, event_id: str, res: Resources, key: ApiKey) -> LoadedEvent:
    """The event, parsed: from memory, else read again from its stored file (404 if there is none, or if
    ``key`` may not see it)."""
    loaded = reg.loaded(event_id)
    if loaded is not None:
        _visible(loaded.record, event_id, key)
        return loaded
    record = _visible(await run_in_threadpool(reg.store.get_event, event_id), event_id, key)

    def load() -> LoadedEvent:
        again = reg.loaded(event_id)  # another request loaded it while this one waited
        if again is not None:
            return again
        try:
            event = read_event(record.data, record.filename, _view(res))
        except FileErrors as exc:
            raise Conflict(f"the file of event {event_id} no longer validates against the catalogue: "
                           f"{exc.message}", field="id") from None
        return reg.put_loaded(LoadedEvent(replace(record, data=b""), event))

    return await reg.heavy(load)


def _event_out(r: EventRecord) -> EventOut:
    return EventOut(id=r.id, participants=r.participants, sides=list(r.sides),
                    catalogue_participants=r.catalogue_participants, source=r.filename, name=r.title,
                    created_at=r.created_at)


# ---- upload ----------------------------------------------------------------------------------------
def _clean_name(name: str) -> str:
    name = PurePosixPath(name.replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name.encode("utf-8", "replace").decode("utf-8")[:200]


def sniffed_suffix(data: bytes) -> str:
    """The format of a file whose name and media type say nothing: a ZIP container is a workbook, a
    leading ``[`` or ``{`` JSON, anything else CSV (whose reader then names what is wrong, by line)."""
    if data.startswith(b"PK\x03\x04"):
        return ".xlsx"
    return ".json" if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{") else ".csv"


def upload_name(name: str, media_type: str, data: bytes = b"") -> str:
    """The file name to read the upload by: its own when its suffix is known, else one from the media type,
    else from the content (``sniffed_suffix``)."""
    name = _clean_name(name)
    own = PurePosixPath(name).suffix.lower()
    if own in _SUFFIXES:
        return name
    media = media_type.split(";")[0].strip().lower()
    suffix = _MEDIA_SUFFIX.get(media) or (".json" if media.endswith("+json") else None)
    if suffix is None and (own or media not in ("", "application/octet-stream")):  # a PDF says it is one
        raise InvalidInput(f"unsupported participant file {name or media!r}: send a .csv, .xlsx or .json file",
                           field="file", key="unsupported_file")
    return f"{name or 'participants'}{suffix or sniffed_suffix(data)}"


MAX_EVENT_NAME = 200


def event_name(text: str | None) -> str:
    """An event's name as given (control characters dropped, spaces collapsed); empty when none was given.
    Longer than ``MAX_EVENT_NAME`` characters is an ``InvalidInput`` on the field ``name``."""
    name = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text or "").split())
    if len(name) > MAX_EVENT_NAME:
        raise InvalidInput(f"the event name is longer than {MAX_EVENT_NAME} characters", field="name")
    return name


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
    elif media in _MEDIA_SUFFIX or media.endswith("+json") or media == "application/octet-stream":
        data = await request.body()
        name = upload_name("", media, data)  # octet-stream: the format read from the content
    else:
        raise UnsupportedMediaType(f"unsupported content type {media or '(none)'!r}: send multipart/form-data "
                                   "with a 'file' field, or a JSON list, CSV or XLSX body")
    if not data.strip():
        raise InvalidInput("the participant file is empty", field="file", key="empty_file")
    return data, name, title


async def store_event(reg: EventRegistry, res: Resources, data: bytes, filename: str, key_id: str,
                      name: str = "") -> EventRecord:
    """Validate an uploaded file against the catalogue, store it, keep it loaded (``FileErrors`` if bad:
    nothing is stored then). The API's upload and the web app's both come here."""

    def work() -> EventRecord:
        event = read_event(data, filename, _view(res))
        record = new_record(f"ev-{uuid.uuid4().hex[:20]}", filename, data, event, key_id, name=name)
        reg.store.add_event(record)
        reg.put_loaded(LoadedEvent(replace(record, data=b""), event))
        return record

    return await reg.heavy(work)


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
    `application/json` with a list of participant objects). The event's name: the multipart field `name` or
    the query's `?name=` (default: the file's name without its extension).

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
    return _event_out(_visible(record, event_id, key))


@router.delete("/{event_id}", status_code=204, responses=_ERRORS, dependencies=[limited("write")],
               summary="Delete an event: its file and everything computed from it (staff, its organiser)")
def delete_event(event_id: EventIdPath, key: EventsKey, reg: RegistryDep) -> Response:
    _visible(reg.store.get_event(event_id), event_id, key)
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
    a `must_meet` pair is always scored. Computed on first request (seconds for 1,000 participants), then
    served from memory. CSV columns: `participant_id,rank,partner_id,partner_name,score,reasons`."""
    loaded = await loaded_event(reg, event_id, res, key)
    flags: Flags = (include_existing, include_same_country)
    cache_key = (event_id, "rankings", flags, k, lang, fmt)
    body = reg.rendered(cache_key)
    if body is None:
        ranking = loaded.ranking(flags, k)
        if ranking is None:
            def compute() -> EventRanking:
                again = loaded.ranking(flags, k)
                if again is not None:
                    return again
                r = rank_event(loaded.event, state=matcher.state, encoder=matcher.encoder, k=k,
                               include_existing=include_existing, include_same_country=include_same_country)
                loaded.put_ranking(flags, k, r)
                return r

            ranking = await reg.heavy(compute)
        body = await run_in_threadpool(render_rankings, event_id, ranking, k, lang, fmt)
        reg.put_rendered(cache_key, body)
    return _download(body, fmt, f"{event_id}-rankings.{fmt}")


# ---- schedule --------------------------------------------------------------------------------------
def parse_start(text: str) -> datetime:
    """ISO 8601 (``2026-12-01T09:00``, with or without an offset) or the CLI's ``--start`` formats. An
    offset's ``+`` sent unencoded in a query string arrives as a space: it is put back."""
    t = text.strip()
    m = re.fullmatch(r"(.+T\d{2}:\d{2}(?::\d{2})?) (\d{2}:?\d{2})", t)
    if m:
        t = f"{m[1]}+{m[2]}"
    value: datetime | None = None
    try:
        value = datetime.fromisoformat(t)
    except ValueError:
        for f in _START_FORMATS:
            try:
                value = datetime.strptime(t, f)
                break
            except ValueError:
                continue
    if value is None:
        raise InvalidInput(f"start {text!r} is not a date and time such as 2026-12-01T09:00 (local time) or "
                           "2026-12-01T09:00+01:00", field="start")
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidInput(f"start must be between the years {MIN_YEAR} and {MAX_YEAR}", field="start")
    return value


def plan_for(loaded: LoadedEvent, matcher: Matcher, flags: Flags, rounds: int, method: str) -> Schedule:
    """The schedule for these options (cached); its score matrix from any ranking already computed."""
    key = (flags, rounds, method)
    plan = loaded.schedule(key)
    if plan is not None:
        return plan
    ranking = loaded.matrix(flags)
    if ranking is None:  # the matrices only: no reasons, k=1 (what `twinmatch event schedule` does)
        ranking = rank_event(loaded.event, state=matcher.state, encoder=matcher.encoder, k=1,
                             include_existing=flags[0], include_same_country=flags[1], reasons=False)
        loaded.put_matrix(flags, ranking)
    plan = schedule_event(loaded.event, ranking, rounds, method=method)
    loaded.put_schedule(key, plan)
    return plan


def _only(plan: Schedule, participant: str | None) -> Schedule:
    if participant is None:
        return plan
    return replace(plan, meetings=plan.for_participant(participant),
                   meeting_counts={participant: plan.meeting_counts.get(participant, 0)},
                   unmet_must_meet=tuple(p for p in plan.unmet_must_meet if participant in p))


def render_schedule_json(event_id: str, plan: Schedule, names: dict[str, str], participant: str | None,
                         start: datetime | None, slot_minutes: int, break_minutes: int) -> bytes:
    rounds = []
    for r in range(1, plan.rounds + 1):
        begin = end = None
        if start is not None:
            b, e = slot_times(start, r, slot_minutes, break_minutes)
            begin, end = b.isoformat(), e.isoformat()
        rounds.append(RoundOut(round=r, start=begin, end=end, meetings=[
            MeetingOut(table=m.table, participant_a=m.a, participant_b=m.b, name_a=names.get(m.a, ""),
                       name_b=names.get(m.b, ""), score=m.score, must_meet=m.must_meet) for m in plan.in_round(r)]))
    out = ScheduleOut(id=event_id, method=plan.method, total_score=plan.total_score, participant=participant,
                      rounds=rounds, unmet_must_meet=[PairOut(participant_a=a, participant_b=b)
                                                      for a, b in plan.unmet_must_meet],
                      meeting_counts=dict(plan.meeting_counts), notes=list(plan.notes))
    return out.model_dump_json().encode()


#: RFC 3339 date-time (what the spec's ``format: date-time`` says), years 1000-9998 (so that every slot of
#: the longest schedule, 20 rounds of 20 hours, is a date Python can write: year 9999 ends the calendar; and a
#: year has four digits); the server also takes ``2026-12-01T09:00``. A narrower range (1900-2999) made
#: generators drop nine generated date-times in ten (schemathesis' "filter too much" health check).
MIN_YEAR, MAX_YEAR = 1000, 9998
_START_DOC = {"format": "date-time", "pattern": r"^([1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"}
Rounds = Annotated[int, Query(ge=1, le=MAX_ROUNDS, description="Number of meeting rounds")]
SlotMinutes = Annotated[int, Query(ge=1, le=600)]
BreakMinutes = Annotated[int, Query(ge=0, le=600)]
Method = Annotated[Literal["auto", "lsa", "milp", "greedy"],
                   Query(description="auto: exact matching per round (lsa with two sides, milp otherwise); "
                                     "greedy: the baseline")]
IncludeExisting = Annotated[bool, Query(description="Also pair authorities already partnered")]
IncludeSameCountry = Annotated[bool, Query(description="Also pair participants of one country")]


async def _event_with(reg: EventRegistry, event_id: str, res: Resources, participant: str | None,
                      key: ApiKey) -> LoadedEvent:
    """The event, and the participant in it (404 first: parameters are checked for an event that exists)."""
    loaded = await loaded_event(reg, event_id, res, key)
    if participant is not None and participant not in loaded.event.index:
        raise NotFound(f"no participant with id {participant!r} in event {event_id}", field="participant")
    return loaded


async def _plan(reg: EventRegistry, loaded: LoadedEvent, matcher: Matcher, flags: Flags, rounds: int,
                method: str) -> Schedule:
    plan = loaded.schedule((flags, rounds, method))
    if plan is None:
        plan = await reg.heavy(lambda: plan_for(loaded, matcher, flags, rounds, method))
    return plan


@router.get("/{event_id}/schedule", response_model=ScheduleOut,
            responses={200: {"content": {"text/csv": {}, XLSX: {}}}, **_ERRORS},
            summary="Rounds of 1:1 meetings maximising the reciprocal scores (staff, its organiser)")
async def event_schedule(
    event_id: EventIdPath, key: EventsKey, res: ResourcesDep, matcher: MatcherDep, reg: RegistryDep,
    rounds: Rounds,
    fmt: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "json",
    participant: Annotated[str | None, Query(min_length=1, max_length=200,
                                             description="A participant id: only its meetings")] = None,
    start: Annotated[str | None, Query(max_length=40, json_schema_extra=_START_DOC,
                                       description="Start of round 1 (json: each round's times), e.g. "
                                                   "2026-12-01T09:00:00+01:00")] = None,
    slot_minutes: SlotMinutes = 20,
    break_minutes: BreakMinutes = 5,
    method: Method = "auto",
    include_existing: IncludeExisting = False,
    include_same_country: IncludeSameCountry = False,
) -> Response:
    """Nobody meets twice in a round or the same partner twice; `avoid` pairs never meet; `must_meet`
    pairs come first; `max_meetings` is respected. CSV columns:
    `round,participant_a,participant_b,score,must_meet,table,name_a,name_b`; XLSX adds a sheet of
    participants. A
    participant's calendar: `GET /events/{id}/participants/{participant_id}/schedule.ics`."""
    loaded = await _event_with(reg, event_id, res, participant, key)
    begin = parse_start(start) if start is not None else None
    flags: Flags = (include_existing, include_same_country)
    plan = await _plan(reg, loaded, matcher, flags, rounds, method)
    names = loaded.names
    if fmt == "json":
        body = await run_in_threadpool(render_schedule_json, event_id, _only(plan, participant), names, participant,
                                       begin, slot_minutes, break_minutes)
        return _download(body, fmt, "")
    if fmt == "csv":
        body = await run_in_threadpool(schedule_csv, _only(plan, participant), names)
        suffix = f"-{ics_filename(participant)}" if participant is not None else ""
        return _download(body, fmt, f"{event_id}-schedule{suffix}.csv")
    body = await run_in_threadpool(schedule_xlsx, _only(plan, participant), names)
    suffix = f"-{ics_filename(participant)}" if participant is not None else ""
    return _download(body, fmt, f"{event_id}-schedule{suffix}.xlsx")


@router.get("/{event_id}/participants/{participant_id}/schedule.ics",
            responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}, **_ERRORS},
            response_class=Response, summary="One participant's meetings as a calendar (ICS, staff, its organiser)")
async def participant_calendar(
    event_id: EventIdPath, key: EventsKey, res: ResourcesDep, matcher: MatcherDep, reg: RegistryDep,
    participant_id: Annotated[str, Path(min_length=1, max_length=200)],
    rounds: Rounds,
    start: Annotated[str, Query(max_length=40, json_schema_extra=_START_DOC,
                                description="Start of round 1, e.g. 2026-12-01T09:00:00+01:00 (without an "
                                            "offset: floating local time)")],
    slot_minutes: SlotMinutes = 20,
    break_minutes: BreakMinutes = 5,
    method: Method = "auto",
    include_existing: IncludeExisting = False,
    include_same_country: IncludeSameCountry = False,
) -> Response:
    """Each meeting an event with the partner's name and the reasons in its description; the same plan
    as `GET /events/{id}/schedule` with the same options."""
    loaded = await _event_with(reg, event_id, res, participant_id, key)
    begin = parse_start(start)
    flags: Flags = (include_existing, include_same_country)
    plan = await _plan(reg, loaded, matcher, flags, rounds, method)
    body = participant_ics(plan, participant_id, loaded.names, start=begin, slot_minutes=slot_minutes,
                           break_minutes=break_minutes, event_name=PurePosixPath(loaded.record.filename).stem,
                           event_uid=f"{event_id}-{begin:%Y%m%dT%H%M}")
    return _download(body, "ics", f"{ics_filename(participant_id)}.ics")
