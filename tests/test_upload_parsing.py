"""Spreadsheets parsed in a child process (service.upload_parsing): the same table or the same error as
in-process parsing, a crashed child replaced, and the server's threads free meanwhile."""

from __future__ import annotations

import io
import os
import threading
import time

import openpyxl
import pytest
from xlsx_bomb import xlsx_rows

from matcher.errors import InvalidInput, PayloadTooLarge
from matcher.events.readers import read_records
from service import upload_parsing


def _sheet(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("rows", [
    [["name", "country"], ["Rennes", "FR"], ["Thiès", "SN"]],
    [["name", "country", "population"], ["Eauville", "FR", 12000], [None, None, None], ["Ndiaye", "SN", 15000]],
])
def test_the_child_reads_the_same_table(rows: list[list[object]]) -> None:
    data = _sheet(rows)
    assert upload_parsing.read_upload(data, "p.xlsx") == read_records(data, "p.xlsx")


def test_errors_come_back_with_their_class_message_and_field() -> None:
    data = xlsx_rows(200)
    with pytest.raises(PayloadTooLarge) as here:
        read_records(data, "p.xlsx", max_rows=50)
    with pytest.raises(PayloadTooLarge) as there:
        upload_parsing.read_upload(data, "p.xlsx", max_rows=50)
    assert (there.value.message, there.value.field) == (here.value.message, here.value.field)
    with pytest.raises(InvalidInput):
        upload_parsing.read_upload(b"not a zip at all", "p.xlsx")


def test_a_crashed_child_is_replaced() -> None:
    pool = upload_parsing._executor()
    pool.submit(os._exit, 1)  # the child dies
    time.sleep(0.5)
    with pytest.raises(InvalidInput, match="could not be read"):
        upload_parsing.read_upload(_sheet([["name", "country"], ["X", "FR"]]), "p.xlsx")
    table = upload_parsing.read_upload(_sheet([["name", "country"], ["X", "FR"]]), "p.xlsx")
    assert len(table.records) == 1


def test_other_threads_run_while_a_big_sheet_is_parsed() -> None:
    data = xlsx_rows(100_000)
    upload_parsing.read_upload(_sheet([["name", "country"], ["X", "FR"]]), "p.xlsx")  # the child is up
    gaps: list[float] = []
    done = threading.Event()

    def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    t = threading.Thread(target=tick)
    t.start()
    with pytest.raises(PayloadTooLarge):
        upload_parsing.read_upload(data, "p.xlsx")
    done.set()
    t.join()
    # In-process, openpyxl held the interpreter for hundreds of milliseconds at a time.
    assert len(gaps) > 20 and max(gaps) < 0.15, max(gaps)
