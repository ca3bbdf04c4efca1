"""Event exports: exact column orders, formula safety, ICS that parses back (RFC 5545)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from profiles_fixture import COUNTRIES, LINKS, PROFILES

from matcher.domain import Reason
from matcher.events.batch import EventRanking, RankedPartner, pair_reasons, rank_event
from matcher.events.event_records import CatalogueView
from matcher.events.exports import (
    RANKING_COLUMNS,
    SCHEDULE_COLUMNS,
    all_ics,
    participant_ics,
    ranking_csv,
    ranking_json,
    ranking_xlsx,
    schedule_csv,
    schedule_xlsx,
)
from matcher.events.options import Pause, timing
from matcher.events.participants import read_participants_file
from matcher.events.schedule import plan_schedule, schedule_event

FIXTURES = Path(__file__).parent / "fixtures" / "events"


@pytest.fixture()
def ranked(state, encoder):
    cat = CatalogueView.build(PROFILES, {c.code: c for c in COUNTRIES}, LINKS)
    event = read_participants_file(FIXTURES / "participants.csv", cat)
    return event, rank_event(event, state=state, encoder=encoder, k=3)


def test_ranking_csv_columns_and_rows(ranked):
    _, r = ranked
    rows = list(csv.reader(io.StringIO(ranking_csv(r, "en").decode())))
    assert tuple(rows[0]) == RANKING_COLUMNS == ("participant_id", "rank", "partner_id", "partner_name", "score",
                                                 "reasons")
    first = next(x for x in rows[1:] if x[0] == "eau")
    assert first[1:4] == ["1", "ndi", "Ndiaye"] and float(first[4]) > 0
    reasons = r.for_participant("eau")[0].reasons
    assert first[5] == "; ".join(x.text_en for x in reasons)
    fr = list(csv.reader(io.StringIO(ranking_csv(r, "fr").decode())))
    assert next(x for x in fr[1:] if x[0] == "eau")[5] == "; ".join(x.text_fr for x in reasons)
    assert len(rows) - 1 == sum(len(m) for m in r.rankings)


def test_ranking_xlsx_and_json(ranked):
    _, r = ranked
    ws = openpyxl.load_workbook(io.BytesIO(ranking_xlsx(r))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == RANKING_COLUMNS and rows[1][1] == 1 and isinstance(rows[1][4], float)
    data = json.loads(ranking_json(r, "fr"))
    eau = next(d for d in data if d["participant_id"] == "eau")
    assert eau["participant_name"] == "Eauville" and eau["partners"][0]["partner_id"] == "ndi"
    assert set(eau["partners"][0]) == {"rank", "partner_id", "partner_name", "score", "mutual", "reasons"}
    assert eau["partners"][0]["reasons"][0]["text"] == r.for_participant("eau")[0].reasons[0].text_fr


def _toy_ranking(name: str) -> EventRanking:
    m = RankedPartner(rank=1, partner_id="b", partner_name=name, score=0.5, mutual=0.5)
    z = np.zeros((2, 2), dtype=np.float32)
    return EventRanking(ids=("a", "b"), names=("A", name), rankings=((m,), ()), probability=z, mutual=z,
                        timings={}, texts_encoded=0, catalogue_participants=0)


def test_spreadsheet_formula_injection_is_neutralised():
    r = _toy_ranking("=HYPERLINK(\"http://x\")")
    rows = list(csv.reader(io.StringIO(ranking_csv(r).decode())))
    assert rows[1][3] == "'=HYPERLINK(\"http://x\")"
    cell = openpyxl.load_workbook(io.BytesIO(ranking_xlsx(r))).active["D2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"


@pytest.fixture()
def plan():
    W = np.full((4, 4), np.nan)
    for i, j, w in [(0, 1, 0.9), (0, 2, 0.8), (1, 3, 0.8), (2, 3, 0.1)]:
        W[i, j] = W[j, i] = w
    return plan_schedule(["a", "b", "c", "row-5"], W, 2, must_meet=[(0, 1)])


def test_schedule_csv_and_xlsx(plan):
    rows = list(csv.reader(io.StringIO(schedule_csv(plan).decode())))
    assert tuple(rows[0]) == SCHEDULE_COLUMNS == ("round", "participant_a", "participant_b", "score", "must_meet",
                                                   "table", "name_a", "name_b", "start", "end")
    assert rows[1] == ["1", "a", "b", "0.9000", "true", "1", "", "", "", ""]
    assert rows[2] == ["1", "c", "row-5", "0.1000", "false", "2", "", "", "", ""]
    # The organiser's timing: 30-minute slots from 14:00, 10-minute breaks.
    timed = list(csv.reader(io.StringIO(schedule_csv(plan, timing=timing(
        rounds=2, start=datetime(2026, 12, 1, 14, 0), slot_minutes=30, break_minutes=10)).decode())))
    assert [r[-2:] for r in timed[1:]] == [["2026-12-01 14:00", "2026-12-01 14:30"]] * 2 + [
        ["2026-12-01 14:40", "2026-12-01 15:10"]] * 2
    named = list(csv.reader(io.StringIO(schedule_csv(plan, {"a": "Alpha", "row-5": "Delta"}).decode())))
    assert named[1][5:8] == ["1", "Alpha", ""] and named[2][5:8] == ["2", "", "Delta"]
    wb = openpyxl.load_workbook(io.BytesIO(schedule_xlsx(plan, {"a": "Alpha", "row-5": "Delta"})))
    assert wb.sheetnames == ["schedule", "participants"]
    sched = list(wb["schedule"].iter_rows(values_only=True))
    assert sched[0] == SCHEDULE_COLUMNS and sched[1] == (1, "a", "b", 0.9, "true", 1, "Alpha", None, None, None)
    people = list(wb["participants"].iter_rows(values_only=True))
    assert people[0] == ("participant_id", "name", "meetings", "round 1", "round 2", "unmet_must_meet")
    assert people[1][:5] == ("a", "Alpha", 2, "b", "c")


def unfold(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # CRLF only
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_ics_is_valid_and_parses_back(plan):
    names = {"a": "Saint-Jean-de-Maurienne Communauté d'agglomération, Savoie", "b": "Bâ; Ndiaye", "c": "C",
             "row-5": "D"}
    stamp = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    data = participant_ics(plan, "a", names, start=datetime(2026, 12, 1, 9, 0), slot_minutes=20, break_minutes=5,
                           stamp=stamp, event_uid="Forum 2026")
    lines = unfold(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(x.startswith("PRODID:") for x in lines)
    events = []
    for line in lines:
        if line == "BEGIN:VEVENT":
            events.append({})
        elif events and ":" in line and line != "END:VEVENT":
            key, value = line.split(":", 1)
            events[-1][key] = value
    assert len(events) == 2
    for ev in events:
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} <= set(ev)
        assert ev["DTSTAMP"] == "20261101T080000Z"
    assert events[0]["DTSTART"] == "20261201T090000" and events[0]["DTEND"] == "20261201T092000"
    assert events[1]["DTSTART"] == "20261201T092500" and events[1]["DTEND"] == "20261201T094500"
    assert events[0]["SUMMARY"] == "Meeting with Bâ\\; Ndiaye"
    assert events[0]["DESCRIPTION"] == "Round 1\\, table 1.\\nA requested meeting: not to be missed."
    assert events[0]["UID"] == "Forum-2026-r1-a-b@twinmatch"
    # The same meeting has the same UID in the other participant's calendar.
    other = unfold(participant_ics(plan, "b", names, start=datetime(2026, 12, 1, 9, 0), stamp=stamp,
                                   event_uid="Forum 2026"))
    assert "UID:Forum-2026-r1-a-b@twinmatch" in other
    assert "SUMMARY:Meeting with Saint-Jean-de-Maurienne Communauté d'agglomération\\, Savoie" in other


def test_ics_in_french_with_the_reasons_breaks_and_a_pause(plan):
    import icalendar

    names = {"a": "Rennes", "b": "Thiès", "c": "Kaolack"}
    why = {("a", "c"): (Reason(code="x", value=1.0, contribution=1.0, text_fr="Vous cherchez tous deux l'eau potable",
                                text_en="Both look for drinking water"),)}
    data = participant_ics(plan, "a", names, start=datetime(2026, 12, 1, 9, 0), slot_minutes=30, break_minutes=10,
                           pauses=(Pause(1, 60),), lang="fr", reasons=why,
                           stamp=datetime(2026, 11, 1, tzinfo=UTC))
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["Rendez-vous avec Thiès", "Rendez-vous avec Kaolack"]
    assert [str(e["LOCATION"]) for e in events] == ["Table 1", "Table 1"]
    # Round 2 starts after the 30-minute slot, the 10-minute break and the 60-minute pause.
    assert [e.decoded("DTSTART") for e in events] == [datetime(2026, 12, 1, 9, 0), datetime(2026, 12, 1, 10, 40)]
    assert str(events[0]["DESCRIPTION"]) == "Tour 1, table 1.\nRencontre demandée : à ne pas manquer."
    assert str(events[1]["DESCRIPTION"]) == ("Tour 2, table 1.\nPourquoi cette rencontre :\n"
                                             "- Vous cherchez tous deux l'eau potable")
    assert "Match score" not in data.decode() and "0.80" not in data.decode()


def test_ics_with_a_time_zone_is_written_in_utc(plan):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    lines = unfold(participant_ics(plan, "c", {}, start=start))
    assert "DTSTART:20261201T080000Z" in lines


def test_pair_reasons_are_the_rankings_reasons(state, encoder, ranked):
    event, r = ranked
    pid = event.ids[0]
    top = r.for_participant(pid)[0]
    got = pair_reasons(event, {pid: [top.partner_id]}, state=state, encoder=encoder)
    assert got[(pid, top.partner_id)] == top.reasons and top.reasons


def test_all_ics_one_file_per_participant(state, encoder, ranked):
    event, r = ranked
    s = schedule_event(event, r, 2)
    files = all_ics(s, {p.id: p.name for p in event.participants}, start=datetime(2026, 12, 1, 9))
    assert sorted(files) == sorted(f"{pid}.ics" for pid in event.ids)
