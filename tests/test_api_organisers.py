"""Organiser keys: they run their own events and nothing else (the permission boundaries, over HTTP),
events are named and listed, and an older database takes organiser keys after its migration."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.api import A, Api, assert_error, bearer

from matcher.cli import cli as cli_main
from matcher.errors import InvalidInput
from matcher.store.base import SCHEMA_VERSION
from matcher.store.sqlite import SQLiteStore

FIXTURES = Path(__file__).parent / "fixtures" / "events"
CSV_FILE = (FIXTURES / "participants.csv").read_bytes()


@pytest.fixture()
def organisers(api: Api) -> tuple[dict[str, str], dict[str, str]]:
    _, one = api.store.create_key("organiser", None, "Salon de Rennes")
    _, two = api.store.create_key("organiser", None, "Forum de Lyon")
    return bearer(one), bearer(two)


def _upload(api: Api, headers: dict[str, str], **data: str) -> Any:
    return api.client.post("/events", files={"file": ("salon-2026.csv", CSV_FILE, "text/csv")}, data=data,
                           headers=headers)


def test_an_organiser_runs_its_own_event(api: Api, organisers: tuple[dict[str, str], dict[str, str]]) -> None:
    mine, _ = organisers
    r = _upload(api, mine, name="Assises Afrique 2026")
    assert r.status_code == 201, r.text
    ev = r.json()
    assert ev["name"] == "Assises Afrique 2026" and ev["source"] == "salon-2026.csv"
    assert api.client.get(f"/events/{ev['id']}", headers=mine).json()["name"] == "Assises Afrique 2026"
    assert api.client.get(f"/events/{ev['id']}/rankings", headers=mine).status_code == 200
    assert api.client.get(f"/events/{ev['id']}/schedule", params={"rounds": 2}, headers=mine).status_code == 200
    assert [e["id"] for e in api.client.get("/events", headers=mine).json()["events"]] == [ev["id"]]
    assert api.client.delete(f"/events/{ev['id']}", headers=mine).status_code == 204
    assert api.client.get("/events", headers=mine).json()["events"] == []


def test_a_name_defaults_to_the_file_stem(api: Api, organisers: tuple[dict[str, str], dict[str, str]]) -> None:
    r = _upload(api, organisers[0], name="   ")
    assert r.status_code == 201 and r.json()["name"] == "salon-2026"
    assert_error(_upload(api, organisers[0], name="x" * 201), 422, "invalid_input", "name")


def test_another_organisers_event_does_not_exist(api: Api, organisers: tuple[dict[str, str], dict[str, str]]
                                                 ) -> None:
    mine, theirs = organisers
    ev = _upload(api, mine).json()["id"]
    for url, params in ((f"/events/{ev}", {}), (f"/events/{ev}/rankings", {}),
                        (f"/events/{ev}/schedule", {"rounds": 2}),
                        (f"/events/{ev}/participants/eau/schedule.ics",
                         {"rounds": 2, "start": "2026-12-01T09:00"})):
        assert_error(api.client.get(url, params=params, headers=theirs), 404, "not_found", "id")
    assert_error(api.client.delete(f"/events/{ev}", headers=theirs), 404, "not_found", "id")
    assert api.client.get("/events", headers=theirs).json()["events"] == []
    # Staff see and may delete every event; the event is still there after the other organiser's attempts.
    assert [e["id"] for e in api.client.get("/events", headers=api.staff).json()["events"]] == [ev]
    assert api.client.get(f"/events/{ev}", headers=mine).status_code == 200


@pytest.mark.parametrize("method, url", [
    ("get", "/verifications"), ("post", f"/verifications/{A}"), ("get", "/suggestions"), ("get", "/claims"),
    ("get", "/audit"), ("get", "/decisions"), ("post", "/suggestions/decisions"),
])
def test_an_organiser_key_does_nothing_else(api: Api, organisers: tuple[dict[str, str], dict[str, str]],
                                            method: str, url: str) -> None:
    assert_error(getattr(api.client, method)(url, headers=organisers[0]), 403, "forbidden")


def test_an_organiser_key_cannot_edit_a_profile_nor_see_contacts(
        api: Api, organisers: tuple[dict[str, str], dict[str, str]]) -> None:
    assert_error(api.client.patch(f"/authorities/{A}", json={"description": "x"}, headers=organisers[0]), 403)
    body = api.client.get(f"/authorities/{A}", headers=organisers[0]).json()
    assert "contact" not in body or body["contact"] is None


def test_owner_and_public_keys_cannot_run_events(api: Api) -> None:
    assert_error(_upload(api, api.owner_a), 403, "forbidden")
    assert_error(_upload(api, {}), 401, "unauthorized")
    assert_error(api.client.get("/events", headers=api.owner_a), 403)


def test_organiser_keys_take_no_authority(api: Api) -> None:
    with pytest.raises(InvalidInput):
        api.store.create_key("organiser", A, "x")


def test_the_keys_cli_creates_organiser_keys(tmp_path: Path, api: Api) -> None:
    result = CliRunner().invoke(cli_main, ["keys", "create", "--role", "organiser", "--label", "Salon",
                                           "--db", str(api.settings.db), "--data-dir",
                                           str(api.settings.data_dir)])
    assert result.exit_code == 0, result.output
    assert "role:    organiser" in result.output
    secret = result.output.split("secret:")[1].split()[0]
    assert api.client.get("/events", headers=bearer(secret)).json() == {"events": []}


def test_a_version_5_database_takes_organiser_keys(api: Api) -> None:
    """The migration edits the role CHECK in place: the web sessions that reference the keys survive."""
    db = api.settings.db
    staff, _ = api.store.create_key("staff", None, "s")
    api.store.create_session(staff)
    api.store.close()
    with closing(sqlite3.connect(db)) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'api_keys'").fetchone()[0]
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'api_keys'",
                     (sql.replace("'owner', 'organiser'", "'owner'"),))
        conn.execute("PRAGMA writable_schema = OFF")
        conn.execute("DELETE FROM api_keys WHERE role = 'organiser'")
        conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
        conn.commit()
    with closing(sqlite3.connect(db)) as conn:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO api_keys (id, role, salt, hash, created_at) VALUES ('x', 'organiser', x'00', "
                         "x'00', 'now')")
        sessions = conn.execute("SELECT count(*) FROM web_sessions").fetchone()[0]
    with SQLiteStore.open(db, api.settings.data_dir) as store:
        assert store._meta("schema_version") == str(SCHEMA_VERSION)
        key, _ = store.create_key("organiser", None, "after")
        assert key.role == "organiser"
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM web_sessions").fetchone()[0] == sessions >= 1
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
