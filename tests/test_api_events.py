"""Events over HTTP: upload a participant file, download its rankings and its meeting schedule."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from support.api import CSV_FILE, Api, assert_error, upload

from matcher.encoding import HashingEncoder
from matcher.events.exports import RANKING_COLUMNS, SCHEDULE_COLUMNS
from service.app import create_app
from service.services import events as events_route

#: The tests that need only ``api`` run on SQLite and on PostgreSQL (``support.api.pytest_generate_tests``).
API_BACKENDS = ("sqlite", "postgres")

FIXTURES = Path(__file__).parent / "fixtures" / "events"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture()
def event_id(api: Api) -> str:
    r = upload(api, CSV_FILE)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def get(api: Api, url: str, who: str = "staff", **params: Any) -> Any:
    return api.client.get(url, params=params, headers=api.headers(who))


def stored_events(api: Api) -> int:
    """Events in the main database (the file itself, not through the store)."""
    with closing(sqlite3.connect(api.settings.db)) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


# ---- upload ----------------------------------------------------------------------------------------
@pytest.mark.sqlite_only  # reads the SQLite file
def test_upload_csv(api: Api) -> None:
    r = upload(api, CSV_FILE)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"].startswith("ev-") and r.headers["location"] == f"/events/{body['id']}"
    assert body["participants"] == 8 and body["sides"] == ["fr", "partner"]
    assert body["catalogue_participants"] == 7 and body["source"] == "participants.csv"
    assert get(api, f"/events/{body['id']}").json() == body
    assert stored_events(api) == 1


def test_upload_json_file_and_json_body(api: Api) -> None:
    data = (FIXTURES / "participants.json").read_bytes()
    r = upload(api, data, "participants.json", "application/json")
    assert r.status_code == 201, r.text
    assert r.json()["participants"] == 3 and r.json()["sides"] == ["fr", "partner"]
    # The list as the request body; and a file whose name says nothing, known by its content type.
    r = api.client.post("/events", json=json.loads(data), headers=api.staff)
    assert r.status_code == 201, r.text
    assert r.json()["participants"] == 3 and r.json()["source"] == "participants.json"
    r = upload(api, data, "export", "application/json")
    assert r.status_code == 201 and r.json()["source"] == "export.json", r.text
    # No sides: every pair may meet.
    r = api.client.post("/events", json=[{"name": "Eauville", "country": "FR"}, {"name": "Ndiaye", "country": "SN"}],
                        headers=api.staff)
    assert r.status_code == 201 and r.json()["sides"] == [], r.text


def _xlsx(rows: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "participants"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_upload_xlsx(api: Api) -> None:
    data = _xlsx([["id", "name", "country", "side"], ["eau", "Eauville", "France", "fr"],
                  ["reg", "Registreville", "FR", "fr"], ["ndi", "Ndiaye", "Sénégal", "partner"],
                  ["kan", "Kankan-Test", "GN", "partner"]])
    r = upload(api, data, "participants.xlsx", XLSX)
    assert r.status_code == 201, r.text
    assert r.json()["participants"] == 4
    ranks = get(api, f"/events/{r.json()['id']}/rankings", k=1).json()["participants"]
    assert {p["participant_id"]: p["partners"][0]["partner_id"] for p in ranks} == {
        "eau": "ndi", "reg": "kan", "ndi": "eau", "kan": "reg"}
    # A raw XLSX body works too.
    r = api.client.post("/events", content=data, headers={**api.staff, "Content-Type": XLSX})
    assert r.status_code == 201, r.text


@pytest.mark.sqlite_only  # reads the SQLite file
def test_bad_csv_lists_every_row_and_stores_nothing(api: Api) -> None:
    r = upload(api, (FIXTURES / "participants_bad.csv").read_bytes(), "bad.csv")
    assert r.status_code == 422, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field", "rows"}
    err = body["error"]
    assert err["code"] == "invalid_file" and "13 bad row(s)" in err["message"]
    rows = err["rows"]
    # Line numbers are physical lines, header = 1; the quoted name of line 11 spans two lines, so the
    # next row is line 13.
    assert [(x["line"], x["column"]) for x in rows] == [
        (3, "country"), (4, "population"), (5, "lat"), (6, "themes"), (7, "id"), (8, "must_meet"), (9, "avoid"),
        (10, "side"), (11, "max_meetings"), (13, "kind"), (14, "languages"), (15, "name"), (16, "lon")]
    assert rows[0]["reason"] == "unknown country 'Narnia'"
    assert err["field"] == "country"
    assert stored_events(api) == 0


def test_bad_json_items_are_numbered_from_one(api: Api) -> None:
    items = [{"name": "Eauville", "country": "FR"}, {"name": "Nowhere", "country": "Atlantis"}, "not an object"]
    r = api.client.post("/events", json=items, headers=api.staff)
    assert r.status_code == 422, r.text
    assert [(x["line"], x["column"]) for x in r.json()["error"]["rows"]] == [(2, "country"), (3, None)]


def test_missing_columns_are_reported_on_the_header_line(api: Api) -> None:
    r = upload(api, b"\n\nnom;population\nEauville;12000\n")
    assert r.status_code == 422, r.text
    assert [(x["line"], x["column"]) for x in r.json()["error"]["rows"]] == [(3, "country")]


@pytest.mark.parametrize("kwargs, status, field", [
    ({"files": {"file": ("p.pdf", b"%PDF-1.4", "application/pdf")}}, 422, "file"),
    ({"files": {"other": ("p.csv", CSV_FILE, "text/csv")}}, 422, "file"),
    ({"data": {"file": "name,country\nEauville,FR\n"}, "files": {"x": ("x.csv", b"", "text/csv")}}, 422, "file"),
    ({"data": {"file": "name,country\nEauville,FR\n"}}, 415, None),  # urlencoded
    ({"files": {"file": ("p.csv", b"  \n", "text/csv")}}, 422, "file"),
    ({"files": {"file": ("p.xlsx", b"not a workbook", XLSX)}}, 422, "file"),
    ({"files": {"file": ("p.json", b"{not json", "application/json")}}, 422, "file"),
    ({"content": b"[1", "headers": {"Content-Type": "application/json"}}, 422, "file"),
    ({"content": b'{"a": 1}', "headers": {"Content-Type": "application/json"}}, 422, "file"),
    ({"content": b"<html>", "headers": {"Content-Type": "text/html"}}, 415, None),
    ({"content": b"name,country\nX,FR\n"}, 415, None),
])
def test_unreadable_uploads(api: Api, kwargs: dict[str, Any], status: int, field: str | None) -> None:
    headers = {**api.staff, **kwargs.pop("headers", {})}
    r = api.client.post("/events", headers=headers, **kwargs)
    assert_error(r, status, field=field)
    assert stored_events(api) == 0


def test_body_size_limit_is_413(api: Api) -> None:
    big = b"name,country\n" + b"Eauville,FR\n" * 100_000  # 1.2 MB > the 1 MiB limit
    assert_error(upload(api, big), 413, "payload_too_large")


def test_too_many_participants_is_413(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_route, "MAX_EVENT_PARTICIPANTS", 5)
    assert_error(upload(api, CSV_FILE), 413, "payload_too_large", "file")
    assert stored_events(api) == 0


# ---- auth ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who, status", [("public", 401), ("owner_a", 403)])
def test_events_are_for_staff_only(api: Api, event_id: str, who: str, status: int) -> None:
    assert_error(upload(api, CSV_FILE, who=who), status)
    for url, params in ((f"/events/{event_id}", {}), (f"/events/{event_id}/rankings", {}),
                        (f"/events/{event_id}/schedule", {"rounds": 2})):
        assert_error(get(api, url, who, **params), status)
    assert_error(api.client.delete(f"/events/{event_id}", headers=api.headers(who)), status)
    assert stored_events(api) == 1


# ---- rankings --------------------------------------------------------------------------------------
def _firsts(ranking: dict[str, Any]) -> dict[str, str]:
    return {p["participant_id"]: p["partners"][0]["partner_id"] for p in ranking["participants"] if p["partners"]}


def test_rankings_known_answers(api: Api, event_id: str) -> None:
    r = get(api, f"/events/{event_id}/rankings", k=3)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json", r.text
    body = r.json()
    assert body["id"] == event_id and body["k"] == 3 and body["lang"] == "en"
    first = _firsts(body)
    # The water utility gets the municipality needing sanitation, and the other way round; civil
    # registry <-> the commune needing état civil; Lyonville (no text) follows its neighbours' twinnings.
    assert first["eau"] == "ndi" and first["ndi"] == "eau" and first["reg"] == "kan" and first["lyo"] == "rhe"
    eau = next(p for p in body["participants"] if p["participant_id"] == "eau")
    top = eau["partners"][0]
    assert eau["participant_name"] == "Eauville" and top["partner_name"] == "Ndiaye" and top["rank"] == 1
    assert 0 < top["score"] <= 1 and 0 < top["mutual"] <= 1
    assert {x["code"] for x in top["reasons"]} & {"text_dense", "text_lex", "names_mentioned"}
    assert set(top["reasons"][0]) == {"code", "value", "contribution", "text", "text_fr", "text_en"}
    fr_side = {"eau", "reg", "lyo", "vil"}
    for p in body["participants"]:
        partners = p["partners"]
        assert len(partners) <= 3 and [m["rank"] for m in partners] == list(range(1, len(partners) + 1))
        assert all(a["score"] >= b["score"] for a, b in itertools.pairwise(partners))
        assert all((p["participant_id"] in fr_side) != (m["partner_id"] in fr_side) for m in partners)
    assert "row-9" not in [m["partner_id"] for m in eau["partners"]]  # avoid


def test_rankings_language(api: Api, event_id: str) -> None:
    fr = get(api, f"/events/{event_id}/rankings", k=1, lang="fr").json()
    assert fr["lang"] == "fr"
    reasons = fr["participants"][0]["partners"][0]["reasons"]
    assert [x["text"] for x in reasons] == [x["text_fr"] for x in reasons]
    by_header = api.client.get(f"/events/{event_id}/rankings", params={"k": 1},
                               headers={**api.staff, "Accept-Language": "fr-FR,fr;q=0.9"}).json()
    assert by_header == fr


def test_rankings_are_computed_once(api: Api, event_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    real = events_route.rank_event

    def counting(*args: Any, **kwargs: Any) -> Any:
        # Heavy work runs in a worker thread, never on the event loop.
        with pytest.raises(RuntimeError):
            asyncio.get_running_loop()
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(events_route, "rank_event", counting)
    url = f"/events/{event_id}/rankings"
    a = get(api, url, k=5).json()
    assert len(calls) == 1
    assert get(api, url, k=5).json() == a
    b = get(api, url, k=2).json()  # a top-2 is the prefix of the top-5
    assert [p["partners"] for p in b["participants"]] == [p["partners"][:2] for p in a["participants"]]
    assert get(api, url, k=5, lang="fr").status_code == 200
    assert get(api, url, k=5, format="csv").status_code == 200
    assert len(calls) == 1
    get(api, url, k=5, include_existing="true")  # other pair filters: another ranking
    assert len(calls) == 2 and calls[1]["include_existing"] is True
    # The schedule reuses the score matrix of a ranking already computed.
    assert get(api, f"/events/{event_id}/schedule", rounds=2).status_code == 200
    assert len(calls) == 2


def test_rankings_csv_and_xlsx(api: Api, event_id: str) -> None:
    r = get(api, f"/events/{event_id}/rankings", k=2, format="csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == f'attachment; filename="{event_id}-rankings.csv"'
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0]) == RANKING_COLUMNS == (
        "participant_id", "rank", "partner_id", "partner_name", "score", "reasons")
    assert rows[1][:4] == ["eau", "1", "ndi", "Ndiaye"] and float(rows[1][4]) > 0 and rows[1][5]
    r = get(api, f"/events/{event_id}/rankings", k=2, format="xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"].startswith("attachment;")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    sheet = list(ws.iter_rows(values_only=True))
    assert sheet[0] == RANKING_COLUMNS and sheet[1][:4] == ("eau", 1, "ndi", "Ndiaye")
    assert len(sheet) == len(rows)


# ---- schedule --------------------------------------------------------------------------------------
def test_schedule_respects_the_constraints(api: Api, event_id: str) -> None:
    r = get(api, f"/events/{event_id}/schedule", rounds=4, start="2026-12-01T09:00", slot_minutes=15,
            break_minutes=5)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == event_id and body["method"] == "lsa" and body["participant"] is None
    assert [x["round"] for x in body["rounds"]] == [1, 2, 3, 4]
    assert body["rounds"][1]["start"] == "2026-12-01T09:20:00" and body["rounds"][1]["end"] == "2026-12-01T09:35:00"
    fr_side = {"eau", "reg", "lyo", "vil"}
    met: set[frozenset[str]] = set()
    counts: dict[str, int] = {}
    for rnd in body["rounds"]:
        seen = [x for m in rnd["meetings"] for x in (m["participant_a"], m["participant_b"])]
        assert len(seen) == len(set(seen)), f"someone twice in round {rnd['round']}"
        assert [m["table"] for m in rnd["meetings"]] == list(range(1, len(rnd["meetings"]) + 1))
        for m in rnd["meetings"]:
            pair = frozenset((m["participant_a"], m["participant_b"]))
            assert pair not in met, "no pair meets twice"
            met.add(pair)
            assert len(pair & fr_side) == 1, "only pairs across sides"
            for x in pair:
                counts[x] = counts.get(x, 0) + 1
    assert frozenset(("eau", "row-9")) not in met  # avoid
    reg_kan = next(m for m in body["rounds"][0]["meetings"] if {m["participant_a"], m["participant_b"]} == {"reg", "kan"})
    assert reg_kan["must_meet"] is True  # must-meets come first
    assert reg_kan["name_a"] == "Registreville"
    assert body["unmet_must_meet"] == []
    assert counts.get("row-9", 0) <= 2  # max_meetings
    assert body["meeting_counts"] == {pid: counts.get(pid, 0) for pid in body["meeting_counts"]}
    assert len(body["meeting_counts"]) == 8
    assert body["total_score"] > 0


def test_schedule_for_one_participant_and_csv(api: Api, event_id: str) -> None:
    full = get(api, f"/events/{event_id}/schedule", rounds=3).json()
    mine = get(api, f"/events/{event_id}/schedule", rounds=3, participant="eau").json()
    assert mine["participant"] == "eau" and set(mine["meeting_counts"]) == {"eau"}
    for a, b in zip(full["rounds"], mine["rounds"]):
        assert b["meetings"] == [m for m in a["meetings"] if "eau" in (m["participant_a"], m["participant_b"])]
    r = get(api, f"/events/{event_id}/schedule", rounds=3, format="csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == f'attachment; filename="{event_id}-schedule.csv"'
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0]) == SCHEDULE_COLUMNS == ("round", "participant_a", "participant_b", "score", "must_meet",
                                                   "table", "name_a", "name_b", "start", "end")
    assert len(rows) - 1 == sum(len(x["meetings"]) for x in full["rounds"])
    assert ["1", "reg", "kan"] == next(row[:3] for row in rows[1:] if row[1] == "reg" and row[0] == "1")
    r = get(api, f"/events/{event_id}/schedule", rounds=3, format="xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["schedule", "participants"]


def test_schedule_ics(api: Api, event_id: str) -> None:
    mine = get(api, f"/events/{event_id}/schedule", rounds=3, participant="eau").json()
    r = get(api, f"/events/{event_id}/participants/eau/schedule.ics", rounds=3, start="2026-12-01T09:00+01:00")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/calendar")
    assert r.headers["content-disposition"] == 'attachment; filename="eau.ics"'
    assert r.text.startswith("BEGIN:VCALENDAR\r\n") and r.text.endswith("END:VCALENDAR\r\n")
    assert r.text.count("BEGIN:VEVENT") == sum(len(x["meetings"]) for x in mine["rounds"]) > 0
    assert "DTSTART:20261201T080000Z" in r.text  # 09:00+01:00, in UTC
    # An unencoded '+' arrives as a space: still the same offset.
    raw = api.client.get(f"/events/{event_id}/participants/eau/schedule.ics?rounds=3"
                         "&start=2026-12-01T09:00+01:00", headers=api.staff)
    assert raw.status_code == 200 and "DTSTART:20261201T080000Z" in raw.text


def test_schedule_is_cached(api: Api, event_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = events_route.schedule_event

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(events_route, "schedule_event", counting)
    for fmt in ("json", "csv", "xlsx"):
        assert get(api, f"/events/{event_id}/schedule", rounds=2, format=fmt).status_code == 200
    assert len(calls) == 1
    assert get(api, f"/events/{event_id}/schedule", rounds=2, method="greedy").json()["method"] == "greedy"
    assert len(calls) == 2


# ---- errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/events/ev-nope", "/events/ev-nope/rankings", "/events/ev-nope/schedule?rounds=2"])
def test_unknown_event_is_404(api: Api, url: str) -> None:
    assert_error(api.client.get(url, headers=api.staff), 404, "not_found", "id")


@pytest.mark.parametrize("path, params, field", [
    ("schedule", {"rounds": 0}, "rounds"),
    ("schedule", {"rounds": 21}, "rounds"),
    ("schedule", {"rounds": "two"}, "rounds"),
    ("schedule", {"rounds": 2, "format": "pdf"}, "format"),
    ("schedule", {"rounds": 2, "format": "ics"}, "format"),
    ("participants/eau/schedule.ics", {"rounds": 2}, "start"),
    ("participants/eau/schedule.ics", {"rounds": 2, "start": "2026-13-01T09:00"}, "start"),
    ("schedule", {"rounds": 2, "start": "tomorrow"}, "start"),
    ("schedule", {"rounds": 2, "start": "0001-01-01T00:00"}, "start"),
    ("schedule", {"rounds": 2, "start": "x" * 100}, "start"),
    ("schedule", {"rounds": 2, "slot_minutes": 0}, "slot_minutes"),
    ("schedule", {"rounds": 2, "method": "networkx"}, "method"),
    ("rankings", {"k": 0}, "k"),
    ("rankings", {"k": 201}, "k"),
    ("rankings", {"format": "ics"}, "format"),
    ("rankings", {"lang": "de"}, "lang"),
])
def test_bad_parameters_are_422(api: Api, event_id: str, path: str, params: dict[str, Any], field: str) -> None:
    assert_error(get(api, f"/events/{event_id}/{path}", **params), 422, "invalid_input", field)


def test_unknown_participant_is_404(api: Api, event_id: str) -> None:
    r = get(api, f"/events/{event_id}/participants/zz/schedule.ics", rounds=2, start="2026-12-01T09:00")
    assert_error(r, 404, "not_found", "participant")
    assert_error(get(api, f"/events/{event_id}/schedule", rounds=2, participant="zz"), 404, "not_found", "participant")


def test_one_participants_workbook(api: Api, event_id: str) -> None:
    r = get(api, f"/events/{event_id}/schedule", rounds=3, format="xlsx", participant="eau")
    assert r.status_code == 200 and r.headers["content-disposition"] == 'attachment; filename="' + event_id + \
        '-schedule-eau.xlsx"'
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content))["schedule"].iter_rows(min_row=2, values_only=True))
    mine = get(api, f"/events/{event_id}/schedule", rounds=3, participant="eau").json()
    assert len(rows) == sum(len(x["meetings"]) for x in mine["rounds"]) > 0
    assert all("eau" in row for row in rows)


@pytest.mark.parametrize("query", [
    "k=1e3", "k=-1", "k=", "format=", "rounds=1&rounds=2", "rounds=2&participant=%00", "rounds=2&participant=",
    "rounds=2&start=2026-02-30T09:00", "rounds=2&start=9999-12-31T23:59",
    "rounds=20&slot_minutes=600&break_minutes=600&start=2999-12-31T00:00",
    "rounds=2&include_existing=maybe",
])
def test_odd_queries_never_500(api: Api, event_id: str, query: str) -> None:
    for path in ("rankings", "schedule", "participants/eau/schedule.ics"):
        r = api.client.get(f"/events/{event_id}/{path}?{query}", headers=api.staff)
        assert r.status_code < 500, r.text
        if r.status_code >= 400:
            assert_error(r, r.status_code)


# ---- persistence -----------------------------------------------------------------------------------
def test_delete(api: Api, event_id: str) -> None:
    assert api.client.delete(f"/events/{event_id}", headers=api.staff).status_code == 204
    assert stored_events(api) == 0
    assert_error(get(api, f"/events/{event_id}/rankings"), 404, "not_found", "id")
    assert_error(api.client.delete(f"/events/{event_id}", headers=api.staff), 404, "not_found", "id")


def test_events_survive_a_restart(api: Api, event_id: str) -> None:
    before = get(api, f"/events/{event_id}/rankings", k=3).json()
    with TestClient(create_app(api.settings, encoder=HashingEncoder(dim=128))) as client:
        r = client.get(f"/events/{event_id}/rankings", params={"k": 3}, headers=api.staff)
        assert r.status_code == 200, r.text
        assert r.json() == before
        assert client.get(f"/events/{event_id}", headers=api.staff).json()["participants"] == 8


@pytest.mark.parametrize("event", ["%00", "%FF", "x" * 65, "..%2F..%2Fetc", "ev-%E2%82%AC", "%20"])
def test_odd_event_ids_never_500(api: Api, event: str) -> None:
    for url in (f"/events/{event}", f"/events/{event}/rankings", f"/events/{event}/schedule?rounds=2"):
        r = api.client.get(url, headers=api.staff)
        assert r.status_code in (404, 422), r.text
        assert_error(r, r.status_code)


def test_every_bad_row_is_listed_beyond_twenty(api: Api) -> None:
    body = "name,country\n" + "".join(f"Ville {i},Atlantis\n" for i in range(25))
    r = upload(api, body.encode())
    assert r.status_code == 422
    err = r.json()["error"]
    assert [x["line"] for x in err["rows"]] == list(range(2, 27)) and "(and 5 more)" in err["message"]


def test_a_stored_file_that_no_longer_validates_is_409(api: Api, event_id: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher.errors import FileErrors, RowError

    def stale(*args: Any) -> Any:
        raise FileErrors([RowError(2, "name", "same catalogue authority as line 3")])

    monkeypatch.setattr(events_route, "read_event", stale)
    with TestClient(create_app(api.settings, encoder=HashingEncoder(dim=128))) as client:
        r = client.get(f"/events/{event_id}/rankings", headers=api.staff)
        assert_error(r, 409, "conflict", "id")
        assert "no longer validates" in r.json()["error"]["message"]


# ---- the organiser's options: timing, locks ------------------------------------------------------------
def test_options_carry_into_the_schedule_and_every_export(api: Api, event_id: str) -> None:
    url = f"/events/{event_id}/options"
    assert get(api, url).json() == {"rounds": 3, "start": None, "slot_minutes": 20, "break_minutes": 5, "pauses": [],
                                    "locks": [], "answered": {}}
    body = {"rounds": 3, "start": "2026-12-01T14:00", "slot_minutes": 30, "break_minutes": 10,
            "pauses": [{"after_round": 1, "minutes": 45}]}
    r = api.client.put(url, json=body, headers=api.staff)
    assert r.status_code == 200, r.text
    assert r.json()["start"] == "2026-12-01T14:00:00" and r.json()["pauses"] == [{"after_round": 1, "minutes": 45}]
    plan = get(api, f"/events/{event_id}/schedule").json()  # no parameter: the event's options
    assert [(x["start"], x["end"]) for x in plan["rounds"]] == [
        ("2026-12-01T14:00:00", "2026-12-01T14:30:00"), ("2026-12-01T15:25:00", "2026-12-01T15:55:00"),
        ("2026-12-01T16:05:00", "2026-12-01T16:35:00")]
    rows = list(csv.reader(io.StringIO(get(api, f"/events/{event_id}/schedule", format="csv").text)))
    assert rows[0][-2:] == ["start", "end"] and ["2026-12-01 15:25", "2026-12-01 15:55"] in [r[-2:] for r in rows]
    ics = get(api, f"/events/{event_id}/participants/eau/schedule.ics", lang="fr")
    assert ics.status_code == 200 and "DTSTART:20261201T140000" in ics.text and "Rendez-vous avec" in ics.text
    # A request's own value wins over the stored one.
    assert get(api, f"/events/{event_id}/schedule", slot_minutes=15, pauses="1:0").json()["rounds"][1]["start"] == \
        "2026-12-01T14:25:00"


def test_locked_meetings_stay_when_the_rest_is_planned_again(api: Api, event_id: str) -> None:
    first = get(api, f"/events/{event_id}/schedule", rounds=2).json()
    m = first["rounds"][1]["meetings"][0]
    lock = {"round": 2, "table": 3, "participant_a": m["participant_a"], "participant_b": m["participant_b"]}
    r = api.client.put(f"/events/{event_id}/options", json={"rounds": 2, "locks": [lock]}, headers=api.staff)
    assert r.status_code == 200 and r.json()["locks"] == [lock]
    again = get(api, f"/events/{event_id}/schedule").json()
    kept = [x for x in again["rounds"][1]["meetings"] if x["locked"]]
    assert [(x["table"], x["participant_a"], x["participant_b"]) for x in kept] == [
        (3, m["participant_a"], m["participant_b"])]
    for rnd in again["rounds"]:
        people = [p for x in rnd["meetings"] for p in (x["participant_a"], x["participant_b"])]
        assert len(people) == len(set(people))
    bad = api.client.put(f"/events/{event_id}/options", json={"locks": [{**lock, "participant_b": "zz"}]},
                         headers=api.staff)
    assert_error(bad, 422, "invalid_input", "locks")
    assert_error(api.client.put(f"/events/{event_id}/options", json={"rounds": 2, "pauses": [
        {"after_round": 2, "minutes": 30}]}, headers=api.staff), 422, "invalid_input", "pause_after")
