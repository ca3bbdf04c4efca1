"""Participant files are bounded while they are read: rows counted as they come, XLSX streamed."""

from __future__ import annotations

import json
import time

import pytest
from xlsx_bomb import xlsx_rows

from matcher.errors import InvalidInput, PayloadTooLarge
from matcher.events.readers import read_records


def test_a_small_generated_sheet_reads_row_by_row() -> None:
    t = read_records(xlsx_rows(3), "p.xlsx")
    assert t.header == ["name", "country", "side"] and [r[0] for r in t.records] == [2, 3, 4]
    assert t.records[0][1] == {"name": "Ville", "country": "FR", "side": "fr"}


def test_a_million_row_sheet_is_refused_before_it_is_parsed() -> None:
    bomb = xlsx_rows(1_000_000)
    assert len(bomb) < 1024 * 1024  # half a megabyte on the wire, 131 MB unpacked
    t0 = time.perf_counter()
    with pytest.raises(PayloadTooLarge, match="unpacks to"):
        read_records(bomb, "p.xlsx")
    assert time.perf_counter() - t0 < 1


def test_a_sheet_under_the_unpacked_cap_stops_at_the_row_limit() -> None:
    sheet = xlsx_rows(100_000)  # 13 MB unpacked: parsed, streamed, stopped after 10,001 rows
    t0 = time.perf_counter()
    with pytest.raises(PayloadTooLarge, match="at most 10,000"):
        read_records(sheet, "p.xlsx")
    assert time.perf_counter() - t0 < 10  # about 10,000 rows read, not 100,000


@pytest.mark.parametrize("n, ok", [(10_001, True), (10_002, False)])
def test_the_row_limit_is_exact(n: int, ok: bool) -> None:
    csv_bytes = ("name,country,side\n" + "Ville,FR,fr\n" * n).encode()
    if ok:
        assert len(read_records(csv_bytes, "p.csv").records) == n
    else:
        with pytest.raises(PayloadTooLarge):
            read_records(csv_bytes, "p.csv")


def test_json_nested_3000_deep_is_a_clear_error() -> None:
    deep = ("[" * 3000 + "]" * 3000).encode()
    with pytest.raises(InvalidInput, match="nested too deeply"):
        read_records(deep, "p.json")
    many = json.dumps([{"name": "V", "country": "FR", "side": "fr"}] * 10_002).encode()
    with pytest.raises(PayloadTooLarge):
        read_records(many, "p.json")


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher.events import readers

    monkeypatch.setattr(readers, "MAX_XLSX_UNPACKED", 10_000)
    with pytest.raises(PayloadTooLarge, match="unpacks to"):
        read_records(xlsx_rows(500), "p.xlsx")
    with pytest.raises(InvalidInput, match="not a readable"):
        read_records(b"PK\x03\x04 not really", "p.xlsx")
