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
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from matcher.domain import Match
from matcher.events.batch import EventRanking
from matcher.events.schedule import Meeting, Schedule
from matcher.events.spreadsheet import MACHINE, SheetStyle, write_csv, write_xlsx

RANKING_COLUMNS = ("participant_id", "rank", "partner_id", "partner_name", "score", "reasons")
SCHEDULE_COLUMNS = ("round", "participant_a", "participant_b", "score", "must_meet", "table", "name_a", "name_b")


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
def _schedule_rows(schedule: Schedule, names: dict[str, str]) -> Iterable[list[Any]]:
    for m in schedule.meetings:
        yield [m.round, m.a, m.b, float(m.score), m.must_meet, m.table, names.get(m.a, ""), names.get(m.b, "")]


def schedule_csv(schedule: Schedule, names: dict[str, str] | None = None, style: SheetStyle = MACHINE) -> bytes:
    """One row per meeting: round, the two participants (ids, then names at the end), score, must-meet, and
    the table number."""
    return _csv(SCHEDULE_COLUMNS, _schedule_rows(schedule, names or {}), style)


PARTICIPANT_COLUMNS = ("participant_id", "name", "meetings")


def schedule_xlsx(schedule: Schedule, names: dict[str, str] | None = None, style: SheetStyle = MACHINE) -> bytes:
    """Sheet "schedule" (the CSV's columns), sheet "participants": one row per participant, the partner
    of each round, the meeting count and the unmet must-meets."""
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
    round_columns = tuple(style.headers.get("round_n", "round {n}").format(n=r) for r in rounds)
    return _xlsx([
        ("schedule", SCHEDULE_COLUMNS, _schedule_rows(schedule, names)),
        ("participants", (*PARTICIPANT_COLUMNS, *round_columns, "unmet_must_meet"), people),
    ], style)


SCHEDULE_WRITERS = {".csv": schedule_csv, ".xlsx": schedule_xlsx}


# ---- ICS (RFC 5545) ------------------------------------------------------------------------------
def ics_escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n") \
        .replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character; continuation
    lines start with one space, which counts in their 75 octets."""
    out: list[str] = []
    cur, size, limit = "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(cur)
            cur, size, limit = " ", 1, 75
        cur += ch
        size += n
    out.append(cur)
    return "\r\n".join(out)


def _ics_time(t: datetime) -> str:
    if t.tzinfo is None:
        return t.strftime("%Y%m%dT%H%M%S")  # floating local time: the event's own clock
    return t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def slot_times(start: datetime, r: int, slot_minutes: int, break_minutes: int) -> tuple[datetime, datetime]:
    begin = start + timedelta(minutes=(r - 1) * (slot_minutes + break_minutes))
    return begin, begin + timedelta(minutes=slot_minutes)


def participant_ics(schedule: Schedule, participant_id: str, names: dict[str, str], *, start: datetime,
                    slot_minutes: int = 20, break_minutes: int = 0, event_name: str = "twinmatch event",
                    event_uid: str = "event", stamp: datetime | None = None) -> bytes:
    """One calendar with a VEVENT per meeting of ``participant_id``. The UID of a meeting is the same in
    both participants' calendars (it is one meeting). ``stamp`` (DTSTAMP) defaults to now, UTC."""
    stamp_text = _ics_time((stamp or datetime.now(UTC)).astimezone(UTC))
    uid_base = re.sub(r"[^A-Za-z0-9._-]+", "-", event_uid)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//twinmatch//event meeting planner//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{ics_escape(event_name + ' — ' + names.get(participant_id, participant_id))}"]
    for m in schedule.for_participant(participant_id):
        begin, end = slot_times(start, m.round, slot_minutes, break_minutes)
        a, b = names.get(m.a, m.a), names.get(m.b, m.b)
        uid = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{uid_base}-r{m.round}-{m.a}-{m.b}")
        lines += [
            "BEGIN:VEVENT", f"UID:{uid}@twinmatch", f"DTSTAMP:{stamp_text}", f"DTSTART:{_ics_time(begin)}",
            f"DTEND:{_ics_time(end)}", f"SUMMARY:{ics_escape(f'Meeting: {a} ↔ {b}')}",
            f"LOCATION:{ics_escape(f'Table {m.table}')}",
            f"DESCRIPTION:{ics_escape(_description(m))}", "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold_line(x) for x in lines) + "\r\n").encode("utf-8")


def _description(m: Meeting) -> str:
    return f"Round {m.round}, table {m.table}. Match score {m.score:.2f}" + (" (must meet)." if m.must_meet else ".")


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


__all__ = ["RANKING_COLUMNS", "RANKING_WRITERS", "SCHEDULE_COLUMNS", "SCHEDULE_WRITERS", "all_ics", "fold_line",
           "ics_escape", "participant_ics", "ranking_csv", "ranking_json", "ranking_xlsx", "schedule_csv",
           "schedule_xlsx", "slot_times"]


# ---- a shortlist (the web app's download of /matches) ---------------------------------------------
SHORTLIST_COLUMNS = ("rank", "id", "name", "country", "kind", "level", "population", "score", "reasons")


def _shortlist_rows(matches: Sequence[Match], lang: str) -> Iterable[list[Any]]:
    for m in matches:
        yield [m.rank, m.id, m.display_name(lang), m.country, m.kind, m.level or "town", m.population,
               round(float(m.score), 4), " | ".join(r.text(lang) for r in m.reasons)]


def shortlist_csv(matches: Sequence[Match], lang: str = "en", style: SheetStyle = MACHINE) -> bytes:
    """One row per partner, the reasons as sentences in ``lang``; an unknown population is an empty cell."""
    return _csv(SHORTLIST_COLUMNS, _shortlist_rows(matches, lang), style)


def shortlist_xlsx(matches: Sequence[Match], lang: str = "en", style: SheetStyle = MACHINE) -> bytes:
    return _xlsx([("shortlist", SHORTLIST_COLUMNS, _shortlist_rows(matches, lang))], style)
