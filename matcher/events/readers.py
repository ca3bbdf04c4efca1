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
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.errors import InvalidInput, PayloadTooLarge

Record = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class Table:
    records: list[Record]
    header: list[str] | None  # None for JSON (each object names its own columns)
    header_line: int = 1
    items: bool = False  # JSON: positions are item numbers, not lines


#: Rows read before a file is refused as too large (the events' participant limit, plus slack so that the
#: validation can still report the count): counted while reading, so a million-row sheet costs no more
#: than this many rows.
MAX_ROWS = 10_001
#: An .xlsx is a zip: its parts may not unpack to more than this (a small file of a million rows or a huge
#: shared-strings table is refused before it is parsed). 10,000 participants with a dozen columns unpack to
#: a few MiB; and openpyxl scans a whole sheet that states no dimension (~4 s for 16 MiB here).
MAX_XLSX_UNPACKED = 16 * 1024 * 1024


def read_records(data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> Table:
    """The records of a participant file, the format taken from the file name's suffix. More than
    ``max_rows`` non-empty rows is ``PayloadTooLarge``, raised as soon as the row after the limit is read."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        line, header, records = csv_records(data, max_rows)
        return Table(records, header, line)
    if suffix in (".xlsx", ".xlsm"):
        line, header, records = xlsx_records(data, max_rows)
        return Table(records, header, line)
    if suffix == ".json":
        return Table(json_records(data, max_rows), None, 1, items=True)
    raise InvalidInput(f"unsupported participant file type {suffix or filename!r}: use .csv, .xlsx or .json",
                       field="file", key="unsupported_file")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # spreadsheet exports on French Windows are often cp1252
        return data.decode("cp1252", errors="replace")


def _too_many(max_rows: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"more than {max_rows - 1:,} participants: at most {max_rows - 1:,} per event",
                           field="file", key="too_many_participants", params={"limit": max_rows - 1})


#: The csv module's longest field (its default, 131,072 characters, raises ``csv.Error`` with no column): a
#: long cell is read whole here, then refused with its line and column by ``participants.MAX_CELL_CHARS``.
#: Process-wide (the module has one limit); a file is in memory already, so this costs nothing more.
CSV_FIELD_LIMIT = 64 * 1024 * 1024


def csv_records(data: bytes, max_rows: int = MAX_ROWS) -> tuple[int, list[str], list[Record]]:
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
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
        if len(records) > max_rows:
            raise _too_many(max_rows)
    return header_line, header or [], records


def _check_unpacked(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile as exc:
        raise InvalidInput(f"not a readable .xlsx file: {exc}", field="file", key="not_xlsx") from exc
    if unpacked > MAX_XLSX_UNPACKED:
        raise PayloadTooLarge(f"this .xlsx unpacks to {unpacked:,} bytes: at most {MAX_XLSX_UNPACKED:,}",
                              field="file", key="xlsx_too_big")


def xlsx_records(data: bytes, max_rows: int = MAX_ROWS) -> tuple[int, list[str], list[Record]]:
    """Streamed (openpyxl's read-only mode: one row in memory at a time), rows counted as they come."""
    import openpyxl

    _check_unpacked(data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-xlsx payload
        raise InvalidInput(f"not a readable .xlsx file: {exc}", field="file", key="not_xlsx") from exc
    try:
        ws = wb["participants"] if "participants" in wb.sheetnames else wb.worksheets[0]
        header: list[str] | None = None
        header_line, records = 1, []
        try:
            for row in ws.iter_rows():
                cells = [c for c in row if getattr(c, "row", None) is not None]
                if not cells:
                    continue
                values = [c.value for c in row]
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                if header is None:
                    header, header_line = [str(v or "") for v in values], cells[0].row
                    continue
                records.append((cells[0].row, dict(zip(header, values))))
                if len(records) > max_rows:
                    raise _too_many(max_rows)
        except (PayloadTooLarge, InvalidInput):
            raise
        except Exception as exc:  # a malformed sheet part: as unreadable as a malformed file
            raise InvalidInput(f"not a readable .xlsx file: {exc}", field="file", key="not_xlsx") from exc
    finally:
        wb.close()
    return header_line, header or [], records


#: A participant file nests at most {"participants": [{"themes": [...]}]}: four levels. Deeper input is
#: refused before it is parsed, so the answer does not depend on the interpreter's recursion limit (which
#: another thread or test may have raised).
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """How deeply ``text``'s arrays and objects nest (brackets inside strings do not count)."""
    depth = deepest = 0
    for m in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if m.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def json_records(data: bytes, max_rows: int = MAX_ROWS) -> list[Record]:
    text = _decode(data)
    if json_depth(text) > MAX_JSON_DEPTH:
        raise InvalidInput(f"not a participant file: JSON nested more than {MAX_JSON_DEPTH} levels deep",
                           field="file", key="not_json")
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc}", field="file", key="not_json") from exc
    if isinstance(items, dict) and isinstance(items.get("participants"), list):
        items = items["participants"]
    if not isinstance(items, list):
        raise InvalidInput("a JSON participant file is a list of objects", field="file", key="not_json")
    if len(items) > max_rows:
        raise _too_many(max_rows)
    return [(i, item if isinstance(item, dict) else {"__not_object__": item}) for i, item in enumerate(items, 1)]
