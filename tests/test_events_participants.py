"""Participant files: every bad row reported with its exact place (CSV line, XLSX row, JSON item)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from profiles_fixture import COUNTRIES, LINKS, PROFILES

from matcher.domain import Kind
from matcher.errors import FileErrors, InvalidInput, RowError
from matcher.events.event_records import CatalogueView, ItemError
from matcher.events.participants import read_participants, read_participants_file

FIXTURES = Path(__file__).parent / "fixtures" / "events"
COUNTRY_MAP = {c.code: c for c in COUNTRIES}


@pytest.fixture(scope="module")
def catalogue() -> CatalogueView:
    return CatalogueView.build(PROFILES, COUNTRY_MAP, LINKS)


def errors_of(data: bytes, name: str, cat: CatalogueView) -> list[tuple[int, str | None, str]]:
    with pytest.raises(FileErrors) as info:
        read_participants(data, name, cat)
    return [(e.line, e.column, e.reason) for e in info.value.errors]


# The expected errors of fixtures/events/participants_bad.csv: (line, column, words in the reason).
BAD_ROWS = [
    (3, "country", "unknown country 'Narnia'"),
    (4, "population", "not a whole number: '12x'"),
    (5, "lat", "95 is out of range"),
    (6, "themes", "unknown theme 'astrology'"),
    (7, "id", "duplicate id 'a' (first on line 2)"),
    (8, "must_meet", "unknown participant id 'zz'"),
    (9, "avoid", "both must_meet (line 9) and avoid (line 9)"),
    (10, "side", "side is empty here but given on other rows"),
    (11, "max_meetings", "-1 is out of range"),  # the quoted name spans lines 11-12: the row starts on 11
    (13, "kind", "unknown kind 'castle'"),
    (14, "languages", "'french' is not an ISO 639-1 code"),
    (15, "name", "name is required"),
    (16, "lon", "lat and lon go together"),
]


def check_bad_rows(got: list[tuple[int, str | None, str]], expected: list[tuple[int, str, str]]) -> None:
    assert [(line, col) for line, col, _ in got] == [(line, col) for line, col, _ in expected]
    for (_, _, reason), (_, _, words) in zip(got, expected):
        assert words in reason


def test_csv_every_bad_row_with_its_physical_line(catalogue):
    got = errors_of((FIXTURES / "participants_bad.csv").read_bytes(), "bad.csv", catalogue)
    check_bad_rows(got, BAD_ROWS)


def _bad_records() -> tuple[list[str], list[list[object]]]:
    rows = list(__import__("csv").reader(io.StringIO((FIXTURES / "participants_bad.csv").read_text())))
    return rows[0], rows[1:]


def test_xlsx_bad_rows_are_sheet_rows(catalogue):
    import openpyxl

    header, rows = _bad_records()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "participants"
    ws.append(header)
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    ws.insert_rows(4)  # an empty sheet row: skipped, but later rows keep their sheet numbers
    buf = io.BytesIO()
    wb.save(buf)
    got = errors_of(buf.getvalue(), "bad.xlsx", catalogue)
    # One cell holds the multi-line name; the empty row 4 pushes the later rows down by one.
    sheet_rows = [3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    check_bad_rows(got, [(row, col, words.replace("(line 9)", "(line 10)"))
                         for row, (_, col, words) in zip(sheet_rows, BAD_ROWS)])


def test_json_bad_items_count_from_one(catalogue):
    header, rows = _bad_records()
    items = [dict(zip(header, row)) for row in rows]
    with pytest.raises(FileErrors) as info:
        read_participants(json.dumps(items).encode(), "bad.json", catalogue)
    errs = info.value.errors
    assert all(isinstance(e, ItemError) for e in errs)
    # Item numbers are record numbers: the CSV line minus the header (and minus 1 after the 2-line record).
    assert [e.line for e in errs] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    assert errs[0].message.startswith("JSON item 2, column 'country': unknown country")
    assert "JSON item 6, column 'id': duplicate id 'a' (first on item 1)" in [e.message for e in errs]


def test_json_items_that_are_not_objects(catalogue):
    got = errors_of(b'[{"name": "Eauville", "country": "FR"}, 3]', "p.json", catalogue)
    assert got == [(2, None, "not an object")]
    with pytest.raises(InvalidInput):
        read_participants(b"{not json", "p.json", catalogue)


@pytest.mark.parametrize("body, expected", [
    ("name,pays_x\nA,FR\n", [(1, "country", "required column is missing")]),
    ("name,contry\nA,FR\n", [(1, "contry", "unknown column (did you mean 'country'?)"),
                             (1, "country", "required column is missing")]),
    ("name,country\n", [(1, None, "the file has no participants")]),
    ("name,country,side\nA,FR,fr\nB,SN,fr\n", [(2, "side", "every row has side 'fr': two sides at least are needed")]),
    ("id,name,country,side,must_meet\na,A,FR,fr,b\nb,B,SN,fr,\nc,C,SN,x,\n",
     [(2, "must_meet", "'b' is on the same side ('fr'): only pairs across sides meet")]),
    ("id,name,country,must_meet\na,A,FR,a\n", [(2, "must_meet", "a participant cannot list itself")]),
    ("id,name,country,must_meet,avoid\na,A,FR,b,\nb,B,SN,,a\n",
     [(3, "avoid", "the pair 'a' – 'b' is both must_meet (line 2) and avoid (line 3)")]),
    ("name,country,lat,lon\nA,FR,45.1,200\n", [(2, "lon", "200 is out of range [-180, 180]")]),
    ("name,country,population\nA,FR,12.5\n", [(2, "population", "not a whole number: '12.5'")]),
    ("id,name,country\nFR-COM-00001,Eauville,SN\n",
     [(2, "country", "SN differs from catalogue authority FR-COM-00001's country FR")]),
    ("name,country\nEauville,FR\nEauville,France\n",
     [(3, "name", ("same catalogue authority FR-COM-00001 (Eauville) as line 2; if they differ, give an id or "
                  "lat/lon"))]),
    ("name,country\nA,IT\n", [(2, "country", "country IT is not in the catalogue's country list")]),
    ("id,name,country\nrow-3,A,FR\n,B,SN\n", [(3, "id", "duplicate id 'row-3' (first on line 2)")]),
])
def test_each_kind_of_bad_row(catalogue, body, expected):
    assert errors_of(body.encode(), "p.csv", catalogue) == expected


def test_every_row_error_is_a_row_error_with_line_and_column(catalogue):
    body = "name,country\n" + "".join(f"N{i},Atlantis\n" for i in range(30))
    with pytest.raises(FileErrors) as info:
        read_participants(body.encode(), "p.csv", catalogue)
    errs = info.value.errors
    assert len(errs) == 30 and all(isinstance(e, RowError) for e in errs)
    assert [e.line for e in errs] == list(range(2, 32))
    assert "(and 10 more)" in info.value.message  # FileErrors' own summary; the CLI prints them all


def test_good_csv_merges_catalogue_authorities(catalogue):
    event = read_participants_file(FIXTURES / "participants.csv", catalogue)
    by = {p.id: p for p in event.participants}
    assert event.ids == ("eau", "reg", "lyo", "vil", "ndi", "kan", "rhe", "row-9")
    eau = by["eau"]
    assert eau.catalogue_id == "FR-COM-00001" and not eau.overrides
    assert (eau.profile.lat, eau.profile.population, eau.profile.admin2_code) == (45.0, 12_000, "15")
    assert "water_sanitation" in eau.profile.expertise.themes  # texts inherited too
    assert by["vil"].known_partners == {"GN-300", "GN-301"}
    new = by["row-9"]
    assert new.catalogue_id is None and new.profile.id == "row-9"
    assert (new.profile.lat, new.profile.lon, new.profile.population) == (-8.05, -34.9, 25_000)
    assert new.profile.kind is Kind.MUNICIPALITY and new.profile.country == "BR"
    assert new.profile.needs.themes == ("tourism", "water_sanitation") == new.profile.expertise.themes
    assert new.avoid == ("eau",) and new.max_meetings == 2 and new.side == "partner"
    assert by["reg"].must_meet == ("kan",)
    assert event.pairs("must_meet") == {(1, 5)} and event.pairs("avoid") == {(0, 7)}
    assert event.has_sides


def test_file_values_win_over_catalogue(catalogue):
    body = "name,country,population,lat,lon,needs\nEauville,FR,13 500,45.01,2.02,Coopération culturelle\n"
    p = read_participants(body.encode(), "p.csv", catalogue).participants[0]
    assert p.catalogue_id == "FR-COM-00001" and p.overrides
    assert (p.profile.population, p.profile.lat, p.profile.lon) == (13_500, 45.01, 2.02)
    assert p.profile.needs.text == "Coopération culturelle"
    assert p.profile.expertise.text.startswith("Régie municipale")  # not given: inherited


def test_json_and_catalogue_free_reading():
    cat = CatalogueView(countries=COUNTRY_MAP)  # no catalogue: nobody resolves
    event = read_participants_file(FIXTURES / "participants.json", cat)
    assert event.ids == ("eau", "ndi", "row-3")
    assert all(p.catalogue_id is None for p in event.participants)
    assert event.participants[1].must_meet == ("eau",)
    assert event.participants[2].profile.languages == ("pt",) and event.participants[2].max_meetings == 1


def test_semicolon_delimited_csv_and_cp1252(catalogue):
    body = "nom;pays;latitude;longitude;thèmes\nVille Test;Sénégal;14,7;-17,4;Santé, Éducation et formation\n"
    p = read_participants(body.encode("cp1252"), "p.csv", catalogue).participants[0]
    assert p.profile.country == "SN" and p.profile.lat == 14.7 and p.profile.lon == -17.4
    assert p.profile.needs.themes == ("health", "education_training")


def test_unsupported_suffix(catalogue):
    with pytest.raises(InvalidInput, match="unsupported participant file type"):
        read_participants(b"", "p.pdf", catalogue)


def test_bom_crlf_blank_lines_and_multiline_fields_keep_physical_lines(catalogue):
    body = '\ufeffname,country\r\n\r\nA,FR\r\n"B\r\nb",SN\r\nC,Atlantis\r\n'.encode()
    assert errors_of(body, "p.csv", catalogue) == [(6, "country", "unknown country 'Atlantis'")]
    ok = read_participants(body.replace(b"Atlantis", b"DE"), "p.csv", catalogue)
    assert ok.ids == ("row-3", "row-4", "row-6")
