"""``twinmatch funding`` and ``twinmatch consortium`` over the tiny world."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from click.testing import CliRunner
from profiles_fixture import PROFILES, write_tiny_data

from matcher.cli import cli
from matcher.funding.data import load_funding
from matcher.funding.exports import funding_csv
from matcher.funding.project import funding_for
from matcher.store.sqlite import SQLiteStore


def _world(tmp_path: Path) -> list[str]:
    data = write_tiny_data(tmp_path / "data")
    db = tmp_path / "t.db"
    with SQLiteStore.open(db, data):
        pass
    return ["--db", str(db), "--data-dir", str(data)]


def test_funding_command_csv(tmp_path: Path) -> None:
    args = _world(tmp_path)
    r = CliRunner().invoke(cli, ["funding", "--french", "FR-COM-00001", "--partner", "GN-100", "--theme",
                                 "water_sanitation", "--on", "2025-04-15", "--csv", *args])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 42 and rows[0]["eligible"] == "true"
    general = next(x for x in rows if x["id"] == "dctciv-generaliste-2025")
    assert (general["status"], general["cofinancing_rate"], general["closes"]) == ("open", "0.70", "2025-05-30")


def test_funding_command_text_in_french(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["funding", "--french", "FR-COM-00001", "--partner", "GN-300", "--theme", "culture_heritage",
                                 "--on", "2025-06-01", "--lang", "fr", *_world(tmp_path)])
    assert r.exit_code == 0, r.output
    line = next(x for x in r.stdout.splitlines() if "cerv-town-twinning-2025" in x)
    assert line.startswith("oui  ouvert")


def test_consortium_command(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["consortium", "--partner", "GN-300", "-k", "2", *_world(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "lead       FR-COM-00004" in r.stdout and "member     FR-COM-00005" in r.stdout
    assert "Twinned with Rheinstadt." in r.stdout


def test_people_csv_is_french_excel_friendly() -> None:
    eauville = next(p for p in PROFILES if p.id == "FR-COM-00001")
    items = funding_for(load_funding(), eauville, "SN", ["water_sanitation"], on=dt.date(2025, 4, 15))
    data = funding_csv(items, "fr", people=True)
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith("identifiant;programme;financeur;statut;éligible")
    assert ";ouvert;oui;" in first and ";0,70;" in first
