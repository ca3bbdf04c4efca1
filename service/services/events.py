"""What the API's event routes and the fair pages both do (no HTTP here, no route function called):
read and store an uploaded file, find a stored event (another organiser's is a 404), rank and plan it with
the organiser's options — the participants' wishes from the file and from their links, the locked
meetings — keep those options and answers, sign the participants' links, write a participant's calendar
with the reasons of its meetings.

The computing is ``matcher.events`` (pure); storage, caches and the heavy-job limiter are
``service.services.event_registry``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import PurePosixPath

from starlette.concurrency import run_in_threadpool

from matcher.errors import Conflict, FileErrors, InvalidInput, NotFound, PayloadTooLarge
from matcher.events.batch import EventRanking, pair_reasons, rank_event
from matcher.events.event_records import Event
from matcher.events.exports import participant_ics
from matcher.events.options import MAX_YEAR, MIN_YEAR, EventOptions, Timing, from_json, timing, to_json
from matcher.events.participants import validate
from matcher.events.schedule import Schedule, schedule_event
from matcher.events.view import LiveCatalogueView
from matcher.ranking.engine import Matcher
from matcher.store.audit import ApiKey
from matcher.store.protocol import ProfileStore
from service.auth import can_see_event
from service.deps import Resources
from service.services.event_registry import EventRecord, EventRegistry, Flags, LoadedEvent, new_record
from service.upload_parsing import read_upload

#: Ranking is quadratic in the participants (1,000 take seconds); the CLI has no such bound.
MAX_EVENT_PARTICIPANTS = 2000
MAX_EVENT_NAME = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json")
MEDIA_SUFFIX = {"text/csv": ".csv", "application/csv": ".csv", "text/tab-separated-values": ".tsv",
                "text/plain": ".txt", "application/json": ".json", XLSX: ".xlsx",
                "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm"}
_START_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M%z")
_options_lock = threading.Lock()  # one read-change-write of an event's options at a time (per process)


# ---- the registry and stored events ------------------------------------------------------------------
async def get_registry(res: Resources, store: ProfileStore) -> EventRegistry:
    """The app's event registry, made on first use over the store (where the events are kept)."""
    if res.events is None:  # no await between the check and the assignment: one registry per app
        res.events = EventRegistry(store, admission=res.admission)
    return res.events


def _view(res: Resources) -> LiveCatalogueView:
    assert res.catalogue_view is not None, "the catalogue view exists once the matcher is ready"
    return res.catalogue_view


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


def visible(record: EventRecord | None, event_id: str, key: ApiKey) -> EventRecord:
    """The record if ``key`` may see it; another organiser's event is as absent as an unknown one."""
    if record is None or not can_see_event(key, record.created_by):
        raise NotFound(f"no event with id {event_id!r}", field="id")
    return record


async def loaded_event(reg: EventRegistry, event_id: str, res: Resources, key: ApiKey) -> LoadedEvent:
    """The event, parsed: from memory, else read again from its stored file (404 if there is none, or if
    ``key`` may not see it)."""
    loaded = reg.loaded(event_id)
    if loaded is not None:
        visible(loaded.record, event_id, key)
        return loaded
    record = visible(await run_in_threadpool(reg.store.get_event, event_id), event_id, key)
    return await _load(reg, record, res)


async def _load(reg: EventRegistry, record: EventRecord, res: Resources) -> LoadedEvent:
    def load() -> LoadedEvent:
        again = reg.loaded(record.id)  # another request loaded it while this one waited
        if again is not None:
            return again
        try:
            event = read_event(record.data, record.filename, _view(res))
        except FileErrors as exc:
            raise Conflict(f"the file of event {record.id} no longer validates against the catalogue: "
                           f"{exc.message}", field="id") from None
        return reg.put_loaded(LoadedEvent(replace(record, data=b""), event))

    return await reg.heavy(load)


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


# ---- names, files and times as given ---------------------------------------------------------------
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
    if own in SUFFIXES:
        return name
    media = media_type.split(";")[0].strip().lower()
    suffix = MEDIA_SUFFIX.get(media) or (".json" if media.endswith("+json") else None)
    if suffix is None and (own or media not in ("", "application/octet-stream")):  # a PDF says it is one
        raise InvalidInput(f"unsupported participant file {name or media!r}: send a .csv, .xlsx or .json file",
                           field="file", key="unsupported_file")
    return f"{name or 'participants'}{suffix or sniffed_suffix(data)}"


def event_name(text: str | None) -> str:
    """An event's name as given (control characters dropped, spaces collapsed); empty when none was given.
    Longer than ``MAX_EVENT_NAME`` characters is an ``InvalidInput`` on the field ``name``."""
    name = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text or "").split())
    if len(name) > MAX_EVENT_NAME:
        raise InvalidInput(f"the event name is longer than {MAX_EVENT_NAME} characters", field="name")
    return name


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
                           "2026-12-01T09:00+01:00", field="start", key="bad_start")
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidInput(f"start must be between the years {MIN_YEAR} and {MAX_YEAR}", field="start",
                           key="bad_start")
    return value


# ---- options, wishes, locks ---------------------------------------------------------------------------
def options_of(loaded: LoadedEvent) -> EventOptions:
    with loaded.lock:
        return from_json(loaded.record.options)


def timing_for(loaded: LoadedEvent, *, rounds: int | str | None = None, start: str | None = None,
               slot_minutes: int | str | None = None, break_minutes: int | str | None = None,
               pauses: Sequence[tuple[int | str, int | str]] | None = None) -> Timing:
    """The event's stored timing, each value given here (a number, or a form's text) replacing the stored
    one, validated together (``InvalidInput`` naming the field)."""
    t = options_of(loaded).timing
    return timing(rounds=t.rounds if rounds is None else rounds,
                  start=t.start if start is None else parse_start(start),
                  slot_minutes=t.slot_minutes if slot_minutes is None else slot_minutes,
                  break_minutes=t.break_minutes if break_minutes is None else break_minutes,
                  pauses=[(p.after_round, p.minutes) for p in t.pauses] if pauses is None else pauses)


async def update_options(reg: EventRegistry, loaded: LoadedEvent,
                         change: Callable[[EventOptions], EventOptions]) -> EventOptions:
    """Read the stored options, ``change`` them, store them (one write, logged for the other replicas)
    and keep the loaded event current."""

    def work() -> EventOptions:
        with _options_lock:
            record = reg.store.get_event(loaded.record.id)
            if record is None:
                raise NotFound(f"no event with id {loaded.record.id!r}", field="id")
            new = change(from_json(record.options))
            text = to_json(new)
            reg.store.set_event_options(record.id, options=text)
            with loaded.lock:
                loaded.record = replace(loaded.record, options=text)
            return new

    return await run_in_threadpool(work)


def _plan_key(options: EventOptions) -> str:
    """What of the options changes a plan (wishes and locks, not times), as a short digest."""
    text = to_json(replace(options, timing=Timing()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan_for(loaded: LoadedEvent, matcher: Matcher, flags: Flags, rounds: int, method: str) -> Schedule:
    """The schedule for these options (cached); its score matrix from any ranking already computed. The
    participants' answers and the organiser's locks come from the event's stored options."""
    options = options_of(loaded)
    key = (flags, rounds, method, _plan_key(options))
    plan = loaded.schedule(key)
    if plan is not None:
        return plan
    ranking = loaded.matrix(flags)
    if ranking is None:  # the matrices only: no reasons, k=1 (what `twinmatch event schedule` does)
        ranking = rank_event(loaded.event, state=matcher.state, encoder=matcher.encoder, k=1,
                             include_existing=flags[0], include_same_country=flags[1], reasons=False)
        loaded.put_matrix(flags, ranking)
    plan = schedule_event(loaded.event, ranking, rounds, method=method, answers=options.answers,
                          locks=options.locks)
    loaded.put_schedule(key, plan)
    return plan


async def plan(reg: EventRegistry, loaded: LoadedEvent, matcher: Matcher, flags: Flags, rounds: int,
               method: str = "auto") -> Schedule:
    """``plan_for`` as heavy work (one at a time), unless it is cached."""
    plan = loaded.schedule((flags, rounds, method, _plan_key(options_of(loaded))))
    if plan is None:
        plan = await reg.heavy(lambda: plan_for(loaded, matcher, flags, rounds, method))
    return plan


async def ranking(reg: EventRegistry, loaded: LoadedEvent, matcher: Matcher, flags: Flags, k: int) -> EventRanking:
    """Every participant's top ``k`` with reasons (computed once per flags, then cut)."""
    found = loaded.ranking(flags, k)
    if found is not None:
        return found

    def compute() -> EventRanking:
        again = loaded.ranking(flags, k)
        if again is not None:
            return again
        r = rank_event(loaded.event, state=matcher.state, encoder=matcher.encoder, k=k,
                       include_existing=flags[0], include_same_country=flags[1])
        loaded.put_ranking(flags, k, r)
        return r

    return await reg.heavy(compute)


def only_for(plan: Schedule, participant: str | None) -> Schedule:
    """The plan as one participant sees it: its meetings, its count, its unmet must-meet pairs."""
    if participant is None:
        return plan
    return replace(plan, meetings=plan.for_participant(participant),
                   meeting_counts={participant: plan.meeting_counts.get(participant, 0)},
                   unmet_must_meet=tuple(p for p in plan.unmet_must_meet if participant in p))


# ---- a participant's calendar --------------------------------------------------------------------------
async def calendar(reg: EventRegistry, loaded: LoadedEvent, matcher: Matcher, participant_id: str, when: Timing,
                   lang: str, flags: Flags = (False, False), method: str = "auto") -> bytes:
    """One participant's meetings as ICS in ``lang``, at the organiser's times, each with the reasons of
    the pair as the participant reads them. ``when`` must have a start (``InvalidInput`` on ``start``)."""
    if when.start is None:
        raise InvalidInput("a calendar needs the start of round 1, e.g. 2026-12-01T09:00", field="start",
                           key="start_needed")
    schedule = await plan(reg, loaded, matcher, flags, when.rounds, method)
    partners = [m.b if m.a == participant_id else m.a for m in schedule.for_participant(participant_id)]
    reasons = await reg.heavy(lambda: pair_reasons(loaded.event, {participant_id: partners}, state=matcher.state,
                                                    encoder=matcher.encoder))
    return participant_ics(schedule, participant_id, loaded.names, start=when.start, slot_minutes=when.slot_minutes,
                           break_minutes=when.break_minutes, pauses=when.pauses, lang=lang, reasons=reasons,
                           event_name=loaded.record.title, event_uid=f"{loaded.record.id}-{when.start:%Y%m%dT%H%M}")


# ---- participants' links -------------------------------------------------------------------------------
def link_secret(res: Resources, store: ProfileStore) -> bytes:
    """The settings' ``event_link_secret``, else the database's (made once)."""
    given = res.settings.event_link_secret
    return (given or store.event_link_secret()).encode()


def link_token(secret: bytes, event_id: str, participant_id: str) -> str:
    """HMAC-SHA256 of the event and participant ids: a participant's link opens its own wishes only."""
    msg = f"{event_id}\x00{participant_id}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()[:32]


async def participant_by_link(reg: EventRegistry, res: Resources, event_id: str, participant_id: str,
                              token: str) -> LoadedEvent:
    """The event of a valid link (anything else — unknown event or participant, wrong token — is one 404)."""
    secret = await run_in_threadpool(link_secret, res, reg.store)
    if not hmac.compare_digest(link_token(secret, event_id, participant_id), token):
        raise NotFound("no such link", field="token")
    loaded = reg.loaded(event_id)
    if loaded is None:
        record = await run_in_threadpool(reg.store.get_event, event_id)
        if record is None:
            raise NotFound("no such link", field="token")
        loaded = await _load(reg, record, res)
    if participant_id not in loaded.event.index:
        raise NotFound("no such link", field="token")
    return loaded


def others_for(loaded: LoadedEvent, participant_id: str) -> list[tuple[str, str]]:
    """(id, name) of the participants ``participant_id`` may meet: everyone else, or the other sides."""
    ps = loaded.event.participants
    me = ps[loaded.event.index[participant_id]]
    return [(p.id, p.name) for p in ps if p.id != me.id and (me.side is None or p.side != me.side)]


__all__ = ["MAX_EVENT_NAME", "MAX_EVENT_PARTICIPANTS", "MEDIA_SUFFIX", "calendar", "event_name", "get_registry",
           "link_secret", "link_token", "loaded_event", "only_for", "options_of", "others_for", "parse_start",
           "participant_by_link", "plan", "plan_for", "ranking", "read_event", "sniffed_suffix", "store_event",
           "timing_for", "update_options", "upload_name", "visible"]
