"""Cooperation cases: strict reading, resolution to the catalogue, the translated variant."""

from __future__ import annotations

from pathlib import Path

import pytest
from profiles_fixture import CASES, COUNTRIES, PROFILES, write_tiny_cases

from matcher.catalogue.resolve import Resolver
from matcher.domain import Kind, Link
from matcher.errors import RowError
from matcher.learning.cooperation import (
    TRANSLATION_LANGUAGES,
    build_case_set,
    key,
    parse_cases,
    read_cases,
    read_translations,
    translated_cases,
    without_case_links,
)

REPO_DATA = Path(__file__).resolve().parents[1] / "data" / "cooperation"
HEADER = ("french_authority,french_kind,french_insee_or_dept_code,foreign_authority,foreign_kind,foreign_country,"
          "themes,needs_text,expertise_text\n")


@pytest.mark.parametrize("row, line, column", [
    ("Lyon,commune,69123,Beit Sahour,municipality,PS,culture,,Lyon aide.\n", 2, "needs_text"),
    ("Lyon,city,69123,Beit Sahour,municipality,PS,culture,Besoin.,Lyon aide.\n", 2, "french_kind"),
    ("Lyon,commune,69123,Beit Sahour,village,PS,culture,Besoin.,Lyon aide.\n", 2, "foreign_kind"),
    ("Lyon,commune,69123,Beit Sahour,municipality,Palestine,culture,Besoin.,Lyon aide.\n", 2, "foreign_country"),
])
def test_a_bad_row_is_named_by_line_and_column(row, line, column):
    good = "Lyon,commune,69123,Beit Sahour,municipality,PS,culture,Besoin.,Lyon aide.\n"
    with pytest.raises(RowError) as err:
        parse_cases(HEADER + (row if line == 2 else good + row))
    assert err.value.line == line and err.value.column == column


def test_a_missing_column_is_line_1():
    with pytest.raises(RowError) as err:
        parse_cases("french_authority,foreign_authority\nA,B\n")
    assert err.value.line == 1


@pytest.mark.parametrize("name, loose", [
    ("Ville de Lyon", "lyon"), ("Commune d'Arbollé", "arbolle"), ("Région Île-de-France", "ile de france"),
    ("Conseil départemental de l'Isère", "isere"), ("Municipalité de Tunis", "tunis"),
])
def test_loose_names(name, loose):
    assert key(name) == loose


@pytest.fixture()
def tiny_cases(tmp_path):
    return write_tiny_cases(tmp_path)


def test_case_set_resolves_what_it_can_and_states_only_what_the_case_says(tiny_cases):
    cases = read_cases(tiny_cases[0])
    catalogue = {p.id: p for p in PROFILES}
    cs = build_case_set(cases, catalogue, Resolver(PROFILES, {c.code: c for c in COUNTRIES}))
    ids = {p.name: p.id for p in cs.french + cs.foreign}
    # By INSEE code, by name + country; the rest are new profiles with no place and no population.
    assert ids["Eauville"] == "FR-COM-00001" and ids["Ndiaye"] == "GN-100" and ids["Rheinstadt"] == "GN-300"
    nowhere = next(p for p in cs.french if p.id.startswith("case:"))
    assert nowhere.lat is None and nowhere.population is None and nowhere.kind is Kind.COMMUNE
    fes = next(p for p in cs.foreign if "Fès" in p.name)
    assert fes.kind in (Kind.REGION, Kind.PROVINCE)
    assert fes.population is None and fes.needs.text.startswith("La province de Fès")
    # Eauville has two partners: one profile, two pairs, each pair with the expertise told for it.
    eau = [i for i, p in enumerate(cs.french) if p.id == "FR-COM-00001"]
    assert len(eau) == 1 and len(cs.partners_of(eau[0])) == 2
    told = [cs.pair_expertise[n] for n, (f, _) in enumerate(cs.pairs) if f == eau[0]]
    assert any("déchets" in t for t in told) and any("eaux usées" in t for t in told)
    assert len(cs.pairs) == len(CASES) and cs.resolved["french_resolved"] == 4


def test_case_links_leave_the_history(tiny_cases):
    cases = read_cases(tiny_cases[0])
    cs = build_case_set(cases, {p.id: p for p in PROFILES}, Resolver(PROFILES, {c.code: c for c in COUNTRIES}))
    links = [Link("FR-COM-00003", "GN-300", "twinning", "t"), Link("GN-300", "FR-COM-00003", "twinning", "t"),
             Link("FR-COM-00004", "GN-300", "twinning", "t")]
    assert without_case_links(links, cs) == links[2:]


def test_translated_variant_rotates_six_languages(tiny_cases):
    cases = read_cases(tiny_cases[0])
    out = translated_cases(cases, read_translations(tiny_cases[1]))
    assert [c.needs.split(")")[0].strip("(") for c in out] == [
        TRANSLATION_LANGUAGES[i % 6] for i in range(len(cases))]
    assert [c.expertise for c in out] == [c.expertise for c in cases]


def test_a_missing_translation_names_its_row(tiny_cases, tmp_path):
    cases = read_cases(tiny_cases[0])
    with pytest.raises(RowError, match="no es translation for data row 1"):
        translated_cases(cases, {})


def test_the_shipped_cases_and_translations():
    cases = read_cases(REPO_DATA / "cooperation_dev.csv")
    tr = read_translations(REPO_DATA / "needs_translated.csv")
    assert len(cases) == 253 and len(tr) == 253 * 6
    assert len(translated_cases(cases, tr)) == 253
    cs = build_case_set(cases, {}, None)
    # By loose names alone (no catalogue to tell two spellings of one authority apart): 221 pairs.
    assert (len(cs.pairs), len(cs.foreign), len(cs.french)) == (221, 196, 124)


def test_optional_columns_and_unknown_countries():
    text = ("french_authority,french_kind,foreign_authority,foreign_kind,foreign_country,needs_text,expertise_text\n"
            "Lyon,commune,Beit Sahour,municipality,PS,Besoin.,Lyon aide.\n"
            "Lyon,commune,Nowhere,municipality,ZZ,Besoin.,Lyon aide.\n")
    cases = parse_cases(text)
    assert [c.french_code for c in cases] == ["", ""] and cases[0].themes == ()
    cs = build_case_set(cases, {}, None, countries={"FR", "PS"})
    assert len(cs.pairs) == 1 and cs.resolved["unknown_country"] == 1


@pytest.mark.slow
def test_the_shipped_cases_resolve_on_the_committed_catalogue():
    """The dev set's foreign partners on the real catalogue: regions, provinces, governorates… as units,
    municipalities as towns (figures of `twinmatch cases resolve` when this was written: 171 of 202
    partners, 219 of 253 cases, 62 of 64 units)."""
    from matcher.catalogue.files import read_authorities, read_countries
    from matcher.catalogue.resolve import Resolver
    from matcher.learning.cooperation import read_cases, resolution_report
    from matcher.paths import DATA_DIR

    catalogue = {p.id: p for p in read_authorities(DATA_DIR / "authorities.csv.gz")}
    resolver = Resolver(list(catalogue.values()), read_countries(DATA_DIR / "countries.json"))
    report = resolution_report(read_cases(DATA_DIR / "cooperation" / "cooperation_dev.csv"), resolver, catalogue)
    assert report["partners"] == 202 and report["partners_resolved"] >= 168
    assert report["cases_resolved_share"] >= 0.85
    units = {k: v for k, v in report["by_kind"].items() if k not in ("municipality", "other")}
    assert sum(v["resolved"] for v in units.values()) >= 60
    assert report["by_kind"]["other"]["resolved"] == 0  # groupings of municipalities are not entries
    by_name = {u["name"]: u["reason"] for u in report["unresolved"]}
    assert by_name["Région Doukkala-Abda"] == "no_unit_name_match"  # abolished in 2015: no such unit
    assert "Province du Sichuan" not in by_name and "Județul Dolj" not in by_name


def test_cases_resolve_command(tmp_path):
    """`twinmatch cases resolve` over the tiny catalogue: the four fixture partners it holds resolve; the
    three it does not (Tambacounda, Thiès, the Fès province) are listed with their line and reason."""
    import json as _json

    from click.testing import CliRunner
    from profiles_fixture import write_tiny_data

    from matcher.cli import cli

    data = write_tiny_data(tmp_path / "data")
    cases_file, _ = write_tiny_cases(tmp_path / "data")
    args = ["cases", "resolve", "--cases", str(cases_file), "--db", str(tmp_path / "t.db"), "--data-dir", str(data)]
    out = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    report = _json.loads(out.output[out.output.index("{"):])
    assert (report["partners"], report["partners_resolved"]) == (7, 4)
    assert report["by_kind"]["province"] == {"partners": 1, "resolved": 0}
    assert {(u["line"], u["reason"]) for u in report["unresolved"]} == {
        (6, "no_name_match_no_coordinates"), (7, "no_unit_name_match"), (8, "no_name_match_no_coordinates")}
    text = CliRunner().invoke(cli, args, catch_exceptions=False).output
    assert "foreign partners resolved: 4 of 7 (57.1%)" in text and "line 7: Province de Fès (MA, province)" in text
