"""Funding calls: the data files validate, and known answers from the data (issue 26's must-show)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.domain import Kind, Profile
from matcher.errors import InvalidInput
from matcher.funding.data import FUNDING_DIR, FundingDataError, load_funding, read_funding
from matcher.funding.project import funding_for
from matcher.funding.rules import Assessment, status_on

RENNES = Profile(id="FR-COM-35238", name="Rennes", kind=Kind.COMMUNE, country="FR", admin1_code="53",
                 admin1_name="Bretagne", admin2_code="35", admin2_name="Ille-et-Vilaine")
MARSEILLE = Profile(id="FR-COM-13055", name="Marseille", kind=Kind.COMMUNE, country="FR", admin1_code="93",
                    admin2_code="13")
REPO = Path(__file__).resolve().parents[1]


def by_id(items: list[Assessment]) -> dict[str, Assessment]:
    return {a.call.id: a for a in items}


@pytest.fixture(scope="module")
def dakar_water() -> dict[str, Assessment]:
    return by_id(funding_for(load_funding(), RENNES, "SN", ["water_sanitation"], on=dt.date(2025, 4, 15)))


def test_the_files_validate_with_their_counts() -> None:
    data = read_funding(FUNDING_DIR)
    assert len(data.calls) == 42
    assert len(data.lists.ldc) == 44 and "SN" in data.lists.ldc
    assert "BT" not in data.lists.ldc and "ST" not in data.lists.ldc  # graduated 2023 and Dec 2024
    assert len(data.lists.eu_members) == 27 and "DE" in data.lists.eu_members
    assert data.lists.basins["35"] == ("Loire-Bretagne", "Seine-Normandie")  # a département in two basins


def test_rennes_dakar_water_on_2025_04_15(dakar_water: dict[str, Assessment]) -> None:
    water_law = dakar_water["loi-oudin-santini-1pc-eau"]
    assert (water_law.status, water_law.eligible) == ("permanent", True)
    assert "compétence eau potable ou assainissement requise" in [m.text_fr for m in water_law.missing]

    lb = dakar_water["aelb-solidarite-internationale-eau"]  # listed, not ruled out (35 straddles two basins)
    assert lb.eligible is None
    assert any(f.rule == "water_basin" and f.ok is None for f in lb.findings)

    general = dakar_water["dctciv-generaliste-2025"]
    assert (general.status, general.eligible, general.cofinancing_rate, general.country_group) == \
        ("open", True, 0.7, "ldc")
    assert general.call.source_url.startswith("https://www.resacoop.org/")

    senegal = dakar_water["dctciv-franco-senegalais-2025"]
    assert senegal.status == "closed" and senegal.call.closes == dt.date(2025, 3, 21)


def test_rhone_mediterranee_agency_is_not_for_rennes(dakar_water: dict[str, Assessment]) -> None:
    """The agency's page: support for developers "from the Rhone-Mediterranean and Corsica basins"; Rennes's
    département (35) lies in Loire-Bretagne and Seine-Normandie, so the answer is "no", with the reason naming
    them, and the call sorts below every eligible one. Adour-Garonne, also basin-bound, is "no" too."""
    rmc = dakar_water["aermc-aide-cooperation-internationale"]
    assert rmc.eligible is False and rmc.decided_by == "water_basin"
    basin = next(f for f in rmc.findings if f.rule == "water_basin")
    assert "Rennes est hors du bassin" in basin.text_fr and "Loire-Bretagne et Seine-Normandie" in basin.text_fr
    assert basin.text_en.startswith("Only for applicants of the Rhône-Méditerranée basin")
    assert dakar_water["aeag-cooperation-solidarite-internationale"].eligible is False
    order = list(dakar_water)
    assert all(order.index(a.call.id) < order.index(rmc.call.id) for a in dakar_water.values() if a.eligible is True)


def test_eligible_and_open_first() -> None:
    items = funding_for(load_funding(), RENNES, "SN", ["water_sanitation"], on=dt.date(2025, 4, 15))
    head = [a for a in items if a.eligible is True and a.status in ("open", "permanent")]
    assert items[:len(head)] == head and {a.call.id for a in head} >= {"dctciv-generaliste-2025",
                                                                        "loi-oudin-santini-1pc-eau"}
    assert items[-1].status == "closed" and items[-1].eligible is False


def test_rennes_germany_culture_on_2025_06_01() -> None:
    got = by_id(funding_for(load_funding(), RENNES, "DE", ["culture_heritage"], on=dt.date(2025, 6, 1)))
    cerv = got["cerv-town-twinning-2025"]
    assert (cerv.status, cerv.eligible) == ("open", True)
    assert got["dctciv-generaliste-2025"].status == "closed"
    assert got["dctciv-generaliste-2025"].cofinancing_rate == 0.3  # Germany: EU member, outside the DAC list


def test_a_group_meets_what_one_authority_does_not() -> None:
    alone = by_id(funding_for(load_funding(), MARSEILLE, "SN", [], on=dt.date(2025, 5, 1)))["dctciv-cles-en-main-2025"]
    three = by_id(funding_for(load_funding(), MARSEILLE, "SN", [], co_applicants=3,
                              on=dt.date(2025, 5, 1)))["dctciv-cles-en-main-2025"]
    assert "il faut au moins 3 collectivités françaises" in [m.text_fr for m in alone.missing]
    assert "il faut au moins 3 collectivités françaises" not in [m.text_fr for m in three.missing]
    assert alone.eligible is False and three.eligible is False  # carried by an association or GIP, not a commune
    assert any(m.text_fr.startswith("à porter par une association") for m in three.missing)


def test_unknown_stays_unknown() -> None:
    """A joint fund whose applicants and themes were not sourced: unknown, not yes and not no."""
    got = by_id(funding_for(load_funding(), RENNES, "AM", ["culture_heritage"], on=dt.date(2025, 5, 1)))
    armenia = got["dctciv-franco-armenien-2025"]
    assert armenia.status == "open" and armenia.eligible is None
    assert got["dctciv-generaliste-2025"].cofinancing_rate is None  # Armenia: DAC list not sourced in full
    assert status_on(got["agences-eau-eau-solidarites-internationales"].call, dt.date(2025, 5, 1)) == "unknown"


def test_a_foreign_applicant_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        funding_for(load_funding(), Profile(id="GN-1", name="Dakar", kind=Kind.MUNICIPALITY, country="SN"), "FR", [],
                    on=dt.date(2025, 1, 1))
    assert exc.value.field == "french"


def _corrupt(tmp_path: Path, name: str, line: int, old: str, new: str) -> Path:
    for f in FUNDING_DIR.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("name", "line", "old", "new", "says"), [
    ("funding_calls.csv", 5, ",call,", ",cal,", "funding_calls.csv line 5, column kind"),
    ("funding_calls.csv", 3, "2025-04-07", "2025-13-07", "funding_calls.csv line 3, column opens"),
    ("ldc.csv", 2, "AF", "XX", "ldc.csv line 2, column iso2"),
    ("water_basins.csv", 3, "Loire-Bretagne", "Loire", "water_basins.csv line 3, column basins"),
])
def test_a_bad_row_names_its_line(tmp_path: Path, name: str, line: int, old: str, new: str, says: str) -> None:
    directory = _corrupt(tmp_path, name, line, old, new)
    with pytest.raises(FundingDataError, match=says):
        read_funding(directory)


def test_data_check_command_exits_2_on_a_bad_line(tmp_path: Path) -> None:
    directory = _corrupt(tmp_path, "funding_calls.csv", 5, ",call,", ",cal,")
    cmd = [sys.executable, "-c", "from matcher.cli import main; main()", "data", "check"]
    bad = subprocess.run([*cmd, "--funding-dir", str(directory)], check=False, capture_output=True, text=True, cwd=REPO)
    assert bad.returncode == 2 and "line 5" in bad.stderr
    good = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=REPO)
    assert good.returncode == 0 and "42 rows valid" in good.stdout
