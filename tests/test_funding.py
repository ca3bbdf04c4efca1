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
    assert len(data.lists.oda) == 84 and not data.lists.oda & (data.lists.ldc | data.lists.not_oda)
    assert len(data.lists.basins) == 96  # every metropolitan département (Sandre 2018)
    assert data.lists.basins["35"] == ("Loire-Bretagne", "Seine-Normandie")  # a département in two basins
    assert data.lists.basins["21"] == ("Loire-Bretagne", "Rhône-Méditerranée", "Seine-Normandie")
    assert data.lists.basins["75"] == ("Seine-Normandie",) and data.lists.basins["2A"] == ("Rhône-Méditerranée",)
    assert data.lists.commune_basins["35238"] == "Loire-Bretagne"  # Rennes, in split 35
    assert "75056" not in data.lists.commune_basins  # Paris: its département has one basin


def test_rennes_dakar_water_on_2025_04_15(dakar_water: dict[str, Assessment]) -> None:
    water_law = dakar_water["loi-oudin-santini-1pc-eau"]
    assert (water_law.status, water_law.eligible) == ("permanent", True)
    assert "compétence eau potable ou assainissement requise" in [m.text_fr for m in water_law.missing]

    lb = dakar_water["aelb-solidarite-internationale-eau"]  # listed, not ruled out: Rennes is in its basin,
    assert lb.eligible is None and lb.status == "permanent"  # the partner countries were not sourced
    basin = next(f for f in lb.findings if f.rule == "water_basin")
    assert basin.ok is True and basin.text_fr == "Rennes est dans le bassin Loire-Bretagne."

    general = dakar_water["dctciv-generaliste-2025"]
    assert (general.status, general.eligible, general.cofinancing_rate, general.country_group) == \
        ("open", True, 0.7, "ldc")
    assert general.call.source_url.startswith("https://www.resacoop.org/")

    senegal = dakar_water["dctciv-franco-senegalais-2025"]
    assert senegal.status == "closed" and senegal.call.closes == dt.date(2025, 3, 21)


def test_rhone_mediterranee_agency_is_not_for_rennes(dakar_water: dict[str, Assessment]) -> None:
    """The agency's page: support for developers "from the Rhone-Mediterranean and Corsica basins"; Rennes
    (commune 35238, Sandre) is in Loire-Bretagne, so the answer is "no", with the reason naming its basin, and
    the call sorts below every eligible one. Adour-Garonne, also basin-bound, is "no" too."""
    rmc = dakar_water["aermc-aide-cooperation-internationale"]
    assert rmc.eligible is False and rmc.decided_by == "water_basin"
    basin = next(f for f in rmc.findings if f.rule == "water_basin")
    assert basin.text_fr == "Réservé aux acteurs du bassin Rhône-Méditerranée ; Rennes est dans le bassin Loire-Bretagne."
    assert basin.text_en.startswith("Only for applicants of the Rhône-Méditerranée basin")
    assert dakar_water["aeag-cooperation-solidarite-internationale"].eligible is False
    order = list(dakar_water)
    assert all(order.index(a.call.id) < order.index(rmc.call.id) for a in dakar_water.values() if a.eligible is True)


CESSON = Profile(id="FR-EPCI-243500139", name="Rennes Métropole", kind=Kind.INTERCOMMUNALITY, country="FR",
                 admin1_code="53", admin2_code="35")
BOURG = Profile(id="FR-COM-01053", name="Bourg-en-Bresse", kind=Kind.COMMUNE, country="FR", admin1_code="84",
                admin2_code="01")
LYON = Profile(id="FR-COM-69123", name="Lyon", kind=Kind.COMMUNE, country="FR", admin1_code="84", admin2_code="69")


@pytest.mark.parametrize(("who", "call", "ok", "says"), [
    (RENNES, "aelb-solidarite-internationale-eau", True, "Rennes est dans le bassin Loire-Bretagne."),
    (RENNES, "aesn-cooperation-solidarite-internationale", False, "Rennes est dans le bassin Loire-Bretagne"),
    # not a commune: its département (35) lies in two basins, so the agency is to be checked, never guessed
    (CESSON, "aelb-solidarite-internationale-eau", None, "à cheval sur les bassins Loire-Bretagne et Seine-Normandie"),
    (CESSON, "aermc-aide-cooperation-internationale", False, "hors du bassin (département 35"),
    (BOURG, "aermc-aide-cooperation-internationale", True, "Département 01 dans le bassin Rhône-Méditerranée."),
    (LYON, "aermc-aide-cooperation-internationale", True, "Lyon est dans le bassin Rhône-Méditerranée."),  # 69: two
    (MARSEILLE, "aelb-solidarite-internationale-eau", False, "hors du bassin (département 13 : Rhône-Méditerranée)"),
])
def test_water_agency_basin_by_commune_then_departement(who: Profile, call: str, ok: bool | None, says: str) -> None:
    got = by_id(funding_for(load_funding(), who, "SN", ["water_sanitation"], on=dt.date(2025, 4, 15)))[call]
    basin = next(f for f in got.findings if f.rule == "water_basin")
    assert basin.ok is ok and says in basin.text_fr


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
    assert status_on(got["agences-eau-eau-solidarites-internationales"].call, dt.date(2025, 5, 1)) == "unknown"
    # Panama, high income in the World Bank groups the file carries, may still be on the DAC list (a country
    # leaves after three years above the threshold): its cap is unknown, not guessed.
    panama = by_id(funding_for(load_funding(), RENNES, "PA", [], on=dt.date(2025, 5, 1)))["dctciv-generaliste-2025"]
    assert panama.country_group is None and panama.cofinancing_rate is None


@pytest.mark.parametrize(("country", "group", "cap"), [
    ("SN", "ldc", 0.7),  # a least developed country (UN list)
    ("MA", "oda", 0.5), ("AM", "oda", 0.5), ("UA", "oda", 0.5),  # low or middle income, neither EU nor G8
    ("DE", "non_oda", 0.3), ("RU", "non_oda", 0.3), ("JP", "non_oda", 0.3),  # EU member, former G8 members
    ("PA", None, None), ("CL", None, None),  # high income: on the list or not, not sourced
])
def test_dctciv_2025_cap_by_country_group(country: str, group: str | None, cap: float | None) -> None:
    a = by_id(funding_for(load_funding(), RENNES, country, [], on=dt.date(2025, 5, 1)))["dctciv-generaliste-2025"]
    assert (a.country_group, a.cofinancing_rate) == (group, cap)


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
    ("water_basins.csv", 4, "Loire-Bretagne", "Loire", "water_basins.csv line 4, column basins"),
    ("water_basins_communes.csv", 2, ",", ";", "water_basins_communes.csv line 2: 1 fields instead of 2"),
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
