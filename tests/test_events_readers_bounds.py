"""Participant files are bounded while they are read: rows counted as they come, XLSX streamed."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import openpyxl
import pytest
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from xlsx_bomb import xlsx_rows

from matcher.errors import InvalidInput, PayloadTooLarge
from matcher.events.readers import MAX_ROWS, json_depth, read_records


def test_a_small_generated_sheet_reads_row_by_row() -> None:
    t = read_records(xlsx_rows(3), "p.xlsx")
    assert t.header == ["name", "country", "side"] and [r[0] for r in t.records] == [2, 3, 4]
    assert t.records[0][1] == {"name": "Ville", "country": "FR", "side": "fr"}


def test_a_million_row_sheet_is_refused_before_it_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = xlsx_rows(1_000_000)
    assert len(bomb) < 1024 * 1024  # half a megabyte on the wire, 131 MB unpacked
    opened: list[object] = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **kw: opened.append(a))
    with pytest.raises(PayloadTooLarge, match="unpacks to"):
        read_records(bomb, "p.xlsx")
    assert opened == []  # refused from the zip's directory: the sheet was never opened


def test_a_sheet_under_the_unpacked_cap_stops_at_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = xlsx_rows(100_000)  # 13 MB unpacked: parsed, streamed, stopped after 10,001 rows
    rows_read = 0
    iter_rows = ReadOnlyWorksheet.iter_rows

    def counted(self: ReadOnlyWorksheet, *args: object, **kw: object) -> Iterator[object]:
        nonlocal rows_read
        for row in iter_rows(self, *args, **kw):  # type: ignore[arg-type]
            rows_read += 1
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counted)
    with pytest.raises(PayloadTooLarge, match="at most 10,000"):
        read_records(sheet, "p.xlsx")
    assert rows_read == 1 + MAX_ROWS + 1  # the header, the limit, the row over it: not 100,000 rows


@pytest.mark.parametrize("n, ok", [(10_001, True), (10_002, False)])
def test_the_row_limit_is_exact(n: int, ok: bool) -> None:
    csv_bytes = ("name,country,side\n" + "Ville,FR,fr\n" * n).encode()
    if ok:
        assert len(read_records(csv_bytes, "p.csv").records) == n
    else:
        with pytest.raises(PayloadTooLarge):
            read_records(csv_bytes, "p.csv")


@pytest.mark.parametrize("recursion_limit", [None, 100_000])
def test_json_nested_3000_deep_is_a_clear_error(recursion_limit: int | None) -> None:
    """Refused by its depth before parsing: the same answer whatever the interpreter's recursion limit."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(recursion_limit or before)
    try:
        deep = ("[" * 3000 + "]" * 3000).encode()
        with pytest.raises(InvalidInput, match="nested more than 32 levels deep"):
            read_records(deep, "p.json")
    finally:
        sys.setrecursionlimit(before)
    many = json.dumps([{"name": "V", "country": "FR", "side": "fr"}] * 10_002).encode()
    with pytest.raises(PayloadTooLarge):
        read_records(many, "p.json")


@pytest.mark.parametrize(("text", "depth"), [
    ("[]", 1), ('{"a": [1, {"b": []}]}', 4), ('["[[[[", "]]]{{"]', 1), (r'["a \" [[[", {}]', 2), ("3", 0),
])
def test_json_depth_skips_brackets_inside_strings(text: str, depth: int) -> None:
    assert json_depth(text) == depth


def test_a_participant_file_of_ordinary_depth_reads() -> None:
    body = json.dumps({"participants": [{"name": "V[1]", "country": "FR", "side": "fr", "themes": ["culture"]}]})
    assert read_records(body.encode(), "p.json").records == [
        (1, {"name": "V[1]", "country": "FR", "side": "fr", "themes": ["culture"]})]


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher.events import readers

    monkeypatch.setattr(readers, "MAX_XLSX_UNPACKED", 10_000)
    with pytest.raises(PayloadTooLarge, match="unpacks to"):
        read_records(xlsx_rows(500), "p.xlsx")
    with pytest.raises(InvalidInput, match="not a readable"):
        read_records(b"PK\x03\x04 not really", "p.xlsx")
