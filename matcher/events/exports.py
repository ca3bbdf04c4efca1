"""Event exports as bytes: rankings (CSV / XLSX / JSON), schedules (CSV / XLSX) and ICS calendars.

Every writer returns bytes so the CLI writes them to a file and an HTTP route returns them as a
download, with no temporary file. Ids are those of the input file (or the generated ``row-N``).

Spreadsheet safety: a cell that starts with ``=``, ``+``, ``-`` or ``@`` is a formula to Excel. Names and
reasons come from an uploaded file, so in CSV they are prefixed with ``'`` when they start that way
(OWASP's advice), and XLSX cells are typed as strings explicitly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar
from icalendar import Event as ICalEvent

from matcher.domain import Match, Reason
from matcher.events.batch import EventRanking
from matcher.events.options import Pause, Timing, slot_times
from matcher.events.schedule import Schedule
from matcher.events.spreadsheet import MACHINE, SheetStyle, write_csv, write_xlsx
from matcher.ranking.score_scale import match_score

RANKING_COLUMNS = ("participant_id", "rank", "partner_id", "partner_name", "score", "reasons")
SCHEDULE_COLUMNS = ("round", "participant_a", "participant_b", "score", "must_meet", "table", "name_a", "name_b",
                    "start", "end")


def _csv(columns: Sequence[str], rows: Iterable[Sequence[Any]], style: SheetStyle = MACHINE) -> bytes:
    return write_csv(columns, rows, style)


def _xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
          style: SheetStyle = MACHINE) -> bytes:
    return write_xlsx(sheets, style)


# ---- rankings ------------------------------------------------------------------------------------
def _ranking_rows(ranking: EventRanking, lang: str) -> Iterable[list[Any]]:
    for pid, matches in zip(ranking.ids, ranking.rankings):
        for m in matches:
            yield [pid, m.rank, m.partner_id, m.partner_name, float(m.score), "; ".join(r.text(lang) for r in m.reasons)]


def ranking_csv(ranking: EventRanking, lang: str = "en", style: SheetStyle = MACHINE) -> bytes:
    return _csv(RANKING_COLUMNS, _ranking_rows(ranking, lang), style)


def ranking_xlsx(ranking: EventRanking, lang: str = "en", style: SheetStyle = MACHINE) -> bytes:
    return _xlsx([("ranking", RANKING_COLUMNS, _ranking_rows(ranking, lang))], style)


def ranking_json(ranking: EventRanking, lang: str = "en") -> bytes:
    data = [{
        "participant_id": pid, "participant_name": name,
        "partners": [{"rank": m.rank, "partner_id": m.partner_id, "partner_name": m.partner_name, "score": m.score,
                      "mutual": m.mutual,
                      "reasons": [{"code": r.code, "value": r.value, "contribution": r.contribution,
                                   "text": r.text(lang)} for r in m.reasons]} for m in matches],
    } for pid, name, matches in zip(ranking.ids, ranking.names, ranking.rankings)]
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


RANKING_WRITERS = {".csv": ranking_csv, ".xlsx": ranking_xlsx, ".json": ranking_json}


# ---- schedules -----------------------------------------------------------------------------------
def when(t: datetime) -> str:
    """A slot's time as a spreadsheet reads it: ``2026-12-01 09:00`` (with its offset, when it has one)."""
    return t.strftime("%Y-%m-%d %H:%M") + (t.strftime(" %z") if t.tzinfo is not None else "")


def _schedule_rows(schedule: Schedule, names: dict[str, str], timing: Timing | None) -> Iterable[list[Any]]:
    for m in schedule.meetings:
        slot = timing.slot(m.round) if timing is not None else None
        yield [m.round, m.a, m.b, float(m.score), m.must_meet, m.table, names.get(m.a, ""), names.get(m.b, ""),
               when(slot[0]) if slot else None, when(slot[1]) if slot else None]


def schedule_csv(schedule: Schedule, names: dict[str, str] | None = None, style: SheetStyle = MACHINE,
                 timing: Timing | None = None) -> bytes:
    """One row per meeting: round, the two participants (ids, then names at the end), score, must-meet, the
    table number, and the slot's start and end when ``timing`` has a start (else empty)."""
    return _csv(SCHEDULE_COLUMNS, _schedule_rows(schedule, names or {}, timing), style)


PARTICIPANT_COLUMNS = ("participant_id", "name", "meetings")


def schedule_xlsx(schedule: Schedule, names: dict[str, str] | None = None, style: SheetStyle = MACHINE,
                  timing: Timing | None = None) -> bytes:
    """Sheet "schedule" (the CSV's columns), sheet "participants": one row per participant, the partner
    of each round (the round's start time in its header when ``timing`` has a start), the meeting count
    and the unmet must-meets."""
    names = names or {}
    partner: dict[tuple[str, int], str] = {}
    for m in schedule.meetings:
        partner[(m.a, m.round)] = m.b
        partner[(m.b, m.round)] = m.a
    unmet: dict[str, list[str]] = {}
    for a, b in schedule.unmet_must_meet:
        unmet.setdefault(a, []).append(b)
        unmet.setdefault(b, []).append(a)
    rounds = range(1, schedule.rounds + 1)
    people = ([pid, names.get(pid, ""), schedule.meeting_counts.get(pid, 0)]
              + [partner.get((pid, r), "") for r in rounds] + ["; ".join(unmet.get(pid, []))]
              for pid in schedule.ids)

    def round_column(r: int) -> str:
        head = style.headers.get("round_n", "round {n}").format(n=r)
        slot = timing.slot(r) if timing is not None else None
        return f"{head} ({slot[0]:%H:%M})" if slot else head

    return _xlsx([
        ("schedule", SCHEDULE_COLUMNS, _schedule_rows(schedule, names, timing)),
        ("participants", (*PARTICIPANT_COLUMNS, *(round_column(r) for r in rounds), "unmet_must_meet"), people),
    ], style)


SCHEDULE_WRITERS = {".csv": schedule_csv, ".xlsx": schedule_xlsx}


# ---- ICS (RFC 5545, written by the icalendar package) --------------------------------------------
#: A calendar's words, in French and English (the page's language; the API's ``lang``).
ICS_WORDS = {
    "fr": {"summary": "Rendez-vous avec {other}", "location": "Table {table}", "when": "Tour {round}, table {table}.",
           "must": "Rencontre demandée : à ne pas manquer.", "why": "Pourquoi cette rencontre :",
           "calendar": "{event} — {name}"},
    "en": {"summary": "Meeting with {other}", "location": "Table {table}", "when": "Round {round}, table {table}.",
           "must": "A requested meeting: not to be missed.", "why": "Why this meeting:",
           "calendar": "{event} — {name}"},
}
#: (participant, partner) -> the reasons of the pair as the participant reads them.
PairReasons = Mapping[tuple[str, str], Sequence[Reason]]


def _ics_time(t: datetime) -> datetime:
    """A naive time stays floating (the event's own clock); an aware one is written in UTC."""
    return t if t.tzinfo is None else t.astimezone(UTC)


def _uid(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text)


def participant_ics(schedule: Schedule, participant_id: str, names: dict[str, str], *, start: datetime,
                    slot_minutes: int = 20, break_minutes: int = 0, pauses: Iterable[Pause] = (),
                    lang: str = "en", reasons: PairReasons | None = None, event_name: str = "twinmatch event",
                    event_uid: str = "event", stamp: datetime | None = None) -> bytes:
    """One calendar with a VEVENT per meeting of ``participant_id``, its words in ``lang`` (fr/en): the
    partner's name, the table, whether the meeting was asked for, and the reasons of the pair (``reasons``,
    as ``participant_id`` reads them; none given, none said). The UID of a meeting is the same in both
    participants' calendars (it is one meeting). ``stamp`` (DTSTAMP) defaults to now, UTC."""
    words = ICS_WORDS["fr" if lang == "fr" else "en"]
    pauses = tuple(pauses)
    cal = Calendar()
    cal.add("prodid", "-//twinmatch//event meeting planner//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", words["calendar"].format(event=event_name, name=names.get(participant_id,
                                                                                      participant_id)))
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    for m in schedule.for_participant(participant_id):
        begin, end = slot_times(start, m.round, slot_minutes, break_minutes, pauses)
        other = m.b if m.a == participant_id else m.a
        lines = [words["when"].format(round=m.round, table=m.table)]
        if m.must_meet:
            lines.append(words["must"])
        why = [r.text(lang) for r in (reasons or {}).get((participant_id, other), ())]
        if why:
            lines += [words["why"], *(f"- {w}" for w in why)]
        ev = ICalEvent()
        ev.add("uid", f"{_uid(f'{_uid(event_uid)}-r{m.round}-{m.a}-{m.b}')}@twinmatch")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", _ics_time(begin))
        ev.add("dtend", _ics_time(end))
        ev.add("summary", words["summary"].format(other=names.get(other, other)))
        ev.add("location", words["location"].format(table=m.table))
        ev.add("description", "\n".join(lines))
        cal.add_component(ev)
    return bytes(cal.to_ical())


def ics_filename(participant_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", participant_id).strip("._") or "participant"


def all_ics(schedule: Schedule, names: dict[str, str], **options: Any) -> dict[str, bytes]:
    """``file name -> calendar`` for every participant (file names made safe and unique)."""
    out: dict[str, bytes] = {}
    for pid in schedule.ids:
        base = ics_filename(pid)
        name, k = f"{base}.ics", 2
        while name in out:
            name, k = f"{base}-{k}.ics", k + 1
        out[name] = participant_ics(schedule, pid, names, **options)
    return out


__all__ = ["ICS_WORDS", "RANKING_COLUMNS", "RANKING_WRITERS", "SCHEDULE_COLUMNS", "SCHEDULE_WRITERS", "all_ics",
           "ics_filename", "participant_ics", "ranking_csv", "ranking_json", "ranking_xlsx", "schedule_csv",
           "schedule_xlsx", "slot_times"]


# ---- a shortlist (the web app's download of /matches) ---------------------------------------------
SHORTLIST_COLUMNS = ("rank", "id", "name", "country", "kind", "level", "population", "score", "match_score",
                     "reasons")


def _shortlist_rows(matches: Sequence[Match], lang: str) -> Iterable[list[Any]]:
    for m in matches:
        yield [m.rank, m.id, m.display_name(lang), m.country, m.kind, m.level or "town", m.population,
               round(float(m.score), 4), int(match_score(m.score)), " | ".join(r.text(lang) for r in m.reasons)]


def shortlist_csv(matches: Sequence[Match], lang: str = "en", style: SheetStyle = MACHINE) -> bytes:
    """One row per partner, the reasons as sentences in ``lang``; an unknown population is an empty cell."""
    return _csv(SHORTLIST_COLUMNS, _shortlist_rows(matches, lang), style)


def shortlist_xlsx(matches: Sequence[Match], lang: str = "en", style: SheetStyle = MACHINE) -> bytes:
    return _xlsx([("shortlist", SHORTLIST_COLUMNS, _shortlist_rows(matches, lang))], style)
