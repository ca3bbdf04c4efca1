"""Spreadsheets parsed in a child process (service.upload_parsing): the same table or the same error as
in-process parsing, a crashed child replaced, and the server's threads free meanwhile."""

from __future__ import annotations

import functools
import io
import os
import threading
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import openpyxl
import pytest
from support.net import wait_until
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
    with pytest.raises(BrokenProcessPool):
        pool.submit(os._exit, 1).result(timeout=120)  # the child dies (an event, not a pause)
    with pytest.raises(InvalidInput, match="could not be read"):
        upload_parsing.read_upload(_sheet([["name", "country"], ["X", "FR"]]), "p.xlsx")
    table = upload_parsing.read_upload(_sheet([["name", "country"], ["X", "FR"]]), "p.xlsx")
    assert len(table.records) == 1


def wait_for_file(path: str) -> None:
    """Runs in the parser's child: holds it until ``path`` exists (bounded, in case the test died)."""
    wait_until(functools.partial(os.path.exists, path), timeout=120, interval=0.01, what=f"{path} exists")


def test_other_threads_run_while_a_big_sheet_is_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Order and events, no clock (the time a thread waits: benchmarks/upload_parsing_gaps.py). The parse
    happens in another interpreter — this one's ``read_records`` is never called, so it cannot hold this
    interpreter's lock —, and while the upload is in progress (the child held until this thread lets it
    go) this thread runs Python code and the upload still ends with its answer."""
    data = xlsx_rows(100_000)
    upload_parsing.read_upload(_sheet([["name", "country"], ["X", "FR"]]), "p.xlsx")  # the child is up
    in_this_process: list[str] = []

    def here(data: bytes, filename: str, **kw: object) -> None:
        in_this_process.append(filename)
        raise AssertionError("parsed in the server's own interpreter")

    monkeypatch.setattr(upload_parsing, "read_records", here)
    release = tmp_path / "release"
    held = upload_parsing._executor().submit(wait_for_file, str(release))  # the next parse waits behind it
    outcome: list[BaseException] = []
    finished = threading.Event()

    def upload() -> None:
        try:
            upload_parsing.read_upload(data, "p.xlsx")
        except BaseException as exc:  # noqa: BLE001 - recorded, asserted below
            outcome.append(exc)
        finished.set()

    uploader = threading.Thread(target=upload)
    uploader.start()
    ticks = 0
    for _ in range(200):  # Python work in this thread while the upload is in progress
        ticks += sum(range(1000)) > 0
        assert not finished.is_set()  # cannot be: the child is held until the file exists
    release.touch()
    held.result(timeout=120)
    uploader.join(120)
    assert ticks == 200 and finished.is_set()
    assert len(outcome) == 1 and isinstance(outcome[0], PayloadTooLarge), outcome
    assert in_this_process == []
