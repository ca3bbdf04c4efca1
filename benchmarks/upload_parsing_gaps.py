"""Timings the tests no longer assert (issue 25, point 7: no wall-clock assertion in tests).

Prints, in this process (no server): the time to refuse the million-row XLSX bomb (from the zip's directory),
the time to stop a 100,000-row sheet at the row limit, and the longest gap of a thread ticking every 5 ms
while that sheet is parsed — in the child process (``service.upload_parsing``, what the server does) and
in-process (what it did before: openpyxl holds the interpreter). ``tests/test_upload_parsing.py`` and
``tests/test_events_readers_bounds.py`` prove the same properties by order and events. Usage::

    .venv/bin/python benchmarks/upload_parsing_gaps.py
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

from _common import ROOT

sys.path.insert(0, str(ROOT / "tests"))
from xlsx_bomb import xlsx_rows

from matcher.errors import PayloadTooLarge
from matcher.events.readers import read_records
from service import upload_parsing


def timed_refusal(parse: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    try:
        parse()
    except PayloadTooLarge:
        return time.perf_counter() - t0
    raise AssertionError("not refused")


def longest_gap(parse: Callable[[], object]) -> tuple[float, int]:
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
    try:
        timed_refusal(parse)
    finally:
        done.set()
        t.join()
    return max(gaps), len(gaps)


def main() -> None:
    bomb, sheet = xlsx_rows(1_000_000), xlsx_rows(100_000)
    print(f"million-row bomb refused in {timed_refusal(lambda: read_records(bomb, 'p.xlsx')) * 1000:.1f} ms")
    print(f"100,000-row sheet stopped at the row limit in {timed_refusal(lambda: read_records(sheet, 'p.xlsx')):.2f} s")
    upload_parsing.read_upload(xlsx_rows(2), "p.xlsx")  # the child is up
    for label, parse in (("in the child process", lambda: upload_parsing.read_upload(sheet, "p.xlsx")),
                         ("in-process", lambda: read_records(sheet, "p.xlsx"))):
        gap, ticks = longest_gap(parse)
        print(f"parse {label}: longest gap of a 5 ms ticker {gap * 1000:.0f} ms over {ticks} ticks")
    upload_parsing.shutdown()


if __name__ == "__main__":
    main()
