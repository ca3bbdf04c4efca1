"""Spreadsheets are parsed in a child process, so that an upload never holds the server's interpreter.

openpyxl parses XML in C while holding the GIL for long stretches: in a worker thread, a 100,000-row
sheet (refused after 10,001 rows) kept ``/health`` waiting up to 695 ms (p99). In a child process the
event loop and the other threads run freely meanwhile, and the parse's memory is the child's.

One child (``spawn``: a fresh interpreter, not a fork of a server holding threads, sockets and the
catalogue), started on the first spreadsheet and kept for the next ones; uploads are already one at a time
(``EventRegistry.heavy``). Errors come back as values and are raised again here with their class, message
and field (core exceptions with their own constructors do not survive pickling). A crashed child is
replaced on the next upload; the crashing upload is a clear 422. CSV and JSON are parsed in-process: they
are fast and bounded while read.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from matcher.errors import FileErrors, InvalidInput, MatcherError, RowError
from matcher.events.readers import MAX_ROWS, Table, read_records

SPREADSHEETS = (".xlsx", ".xlsm")
PARSE_TIMEOUT_SECONDS = 120.0
_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def _discard(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def _read_in_child(data: bytes, filename: str, max_rows: int) -> tuple[Any, ...]:
    """Runs in the child: the table, or the error as plain values."""
    try:
        return ("table", read_records(data, filename, max_rows=max_rows))
    except FileErrors as exc:
        return ("rows", [(e.line, e.column, e.reason, e.key, e.params) for e in exc.errors])
    except MatcherError as exc:
        return ("error", type(exc), exc.message, exc.field, exc.key, exc.params)


def read_upload(data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> Table:
    """``matcher.events.readers.read_records``, with spreadsheets parsed in the child process."""
    if Path(filename).suffix.lower() not in SPREADSHEETS:
        return read_records(data, filename, max_rows=max_rows)
    pool = _executor()
    try:
        kind, *rest = pool.submit(_read_in_child, data, filename, max_rows).result(timeout=PARSE_TIMEOUT_SECONDS)
    except (BrokenProcessPool, TimeoutError):
        _discard(pool)  # the next upload gets a fresh child
        raise InvalidInput("the spreadsheet could not be read (its parser stopped); check the file or send it "
                           "as CSV", field="file", key="spreadsheet_crashed") from None
    if kind == "table":
        table: Table = rest[0]
        return table
    if kind == "rows":
        raise FileErrors([RowError(*row) for row in rest[0]])
    cls, message, field, key, params = rest
    try:
        error = cls(message, field=field, key=key, params=params)
    except TypeError:  # a class with its own constructor: same status and message, as an invalid input
        error = InvalidInput(message, field=field, key=key, params=params)
    raise error


def shutdown() -> None:
    """Stop the child (the app's shutdown; also safe when none was started)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
