"""Participant files as records: (where the row is, {column: value}) from CSV, XLSX or JSON bytes.

Where a row is: CSV — the physical line, the header being line 1 (a quoted field spanning lines counts all
its lines); XLSX — the sheet row (first sheet, or the one named "participants"); JSON — the item number in
the list, counting from 1. Empty rows are skipped without shifting the others' numbers. Nothing is
validated here (``participants.validate`` does it), so every row reaches the validation.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.errors import InvalidInput

Record = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class Table:
    records: list[Record]
    header: list[str] | None  # None for JSON (each object names its own columns)
    header_line: int = 1
    items: bool = False  # JSON: positions are item numbers, not lines


def read_records(data: bytes, filename: str) -> Table:
    """The records of a participant file, the format taken from the file name's suffix."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        line, header, records = csv_records(data)
        return Table(records, header, line)
    if suffix in (".xlsx", ".xlsm"):
        line, header, records = xlsx_records(data)
        return Table(records, header, line)
    if suffix == ".json":
        return Table(json_records(data), None, 1, items=True)
    raise InvalidInput(f"unsupported participant file type {suffix or filename!r}: use .csv, .xlsx or .json",
                       field="file")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # spreadsheet exports on French Windows are often cp1252
        return data.decode("cp1252", errors="replace")


def csv_records(data: bytes) -> tuple[int, list[str], list[Record]]:
    text = _decode(data)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    # The header holds no list values, so its most frequent separator is the file's delimiter
    # (French Excel writes ";").
    delim = max((",", ";", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header: list[str] | None = None
    header_line, records, last = 1, [], 0
    for row in reader:
        start, last = last + 1, reader.line_num  # a record starts on the line after the previous one ended
        if not any(c.strip() for c in row):
            continue
        if header is None:
            header, header_line = row, start
            continue
        records.append((start, dict(zip(header, row + [""] * (len(header) - len(row))))))
    return header_line, header or [], records


def xlsx_records(data: bytes) -> tuple[int, list[str], list[Record]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-xlsx payload
        raise InvalidInput(f"not a readable .xlsx file: {exc}", field="file") from exc
    ws = wb["participants"] if "participants" in wb.sheetnames else wb.worksheets[0]
    header: list[str] | None = None
    header_line, records = 1, []
    for row in ws.iter_rows():
        values = [c.value for c in row]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if header is None:
            header, header_line = [str(v or "") for v in values], row[0].row
            continue
        records.append((row[0].row, dict(zip(header, values))))
    return header_line, header or [], records


def json_records(data: bytes) -> list[Record]:
    try:
        items = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc}", field="file") from exc
    if isinstance(items, dict) and isinstance(items.get("participants"), list):
        items = items["participants"]
    if not isinstance(items, list):
        raise InvalidInput("a JSON participant file is a list of objects", field="file")
    return [(i, item if isinstance(item, dict) else {"__not_object__": item}) for i, item in enumerate(items, 1)]
