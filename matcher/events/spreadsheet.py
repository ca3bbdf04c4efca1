"""CSV that a spreadsheet opens right, and the same rows for XLSX.

Two styles of CSV:

- ``MACHINE`` (the API, the CLI): RFC 4180, comma-separated, UTF-8 without a byte-order mark, the column
  names of the format's documentation, values as they are (codes, ``true``/``false``, ``0.8734``);
- ``for_people(lang, …)`` (the web app's downloads): UTF-8 *with* a byte-order mark (without it Excel reads
  the file as the Windows code page and garbles every accent), the separator a spreadsheet of that
  language expects — ``;`` in French, where ``,`` is the decimal mark (French Excel puts a comma-separated
  file in one column) — headers and values in the page's language (``oui``/``non``, decimal commas, kinds and
  countries named), given by the edge that knows the words.

Spreadsheet safety: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel: in CSV it is prefixed with ``'`` (OWASP's advice); XLSX cells are typed as strings.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"

#: (column, raw value) -> the value shown (a label in the page's language); None: the value as it is.
Labeller = Callable[[str, Any], Any]


def formula_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


@dataclass(frozen=True)
class SheetStyle:
    """How a table is written for its reader (see the module docstring)."""

    lang: str = "en"
    delimiter: str = ","
    bom: bool = False
    decimal: str = "."
    headers: Mapping[str, str] = field(default_factory=dict)  # column -> header shown
    label: Labeller | None = None
    words: bool = False  # booleans as words of ``lang`` (oui/non, yes/no), else true/false

    def header(self, column: str) -> str:
        return self.headers.get(column, column)

    def value(self, column: str, v: Any) -> Any:
        """The cell for ``v``: its label, booleans as words, None as an empty cell."""
        if self.label is not None:
            v = self.label(column, v)
        if v is None:
            return ""
        if isinstance(v, bool):
            if not self.words:
                return "true" if v else "false"
            return ("oui" if v else "non") if self.lang == "fr" else ("yes" if v else "no")
        return v

    def text(self, column: str, v: Any, digits: int = 4) -> str:
        """The CSV text of a cell: floats fixed-point (never ``1e-05``) with this style's decimal mark, text
        formula-safe."""
        v = self.value(column, v)
        if isinstance(v, float):
            return f"{v:.{digits}f}".replace(".", self.decimal)
        if isinstance(v, str):
            return formula_safe(v)
        return str(v)


MACHINE = SheetStyle()


def for_people(lang: str, headers: Mapping[str, str], label: Labeller | None = None) -> SheetStyle:
    """The web app's downloads: ``;`` and decimal commas in French, ``,`` in English; a BOM in both."""
    if lang == "fr":
        return SheetStyle(lang="fr", delimiter=";", bom=True, decimal=",", headers=headers, label=label, words=True)
    return SheetStyle(lang=lang, delimiter=",", bom=True, decimal=".", headers=headers, label=label, words=True)


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]], style: SheetStyle = MACHINE,
              digits: Mapping[str, int] | None = None) -> bytes:
    """The table as CSV bytes (CRLF line ends, RFC 4180); ``digits``: decimals per float column (4)."""
    buf = io.StringIO()
    if style.bom:
        buf.write(BOM)
    w = csv.writer(buf, delimiter=style.delimiter, lineterminator="\r\n")
    w.writerow([style.header(c) for c in columns])
    for row in rows:
        w.writerow([style.text(c, v, (digits or {}).get(c, 4)) for c, v in zip(columns, row)])
    return buf.getvalue().encode("utf-8")


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
               style: SheetStyle = MACHINE) -> bytes:
    """One sheet per (title, columns, rows); strings typed as strings (never formulas), numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append([style.header(c) for c in columns])
        for row in rows:
            cells = []
            for c, raw in zip(columns, row):
                cell = WriteOnlyCell(ws, value=style.value(c, raw))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                cells.append(cell)
            ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_csv_text(data: bytes) -> list[list[str]]:
    """Rows of a CSV this module wrote, in either style (tests, and a template read back)."""
    text = data.decode("utf-8-sig")
    first = text.split("\r\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


__all__ = ["MACHINE", "SheetStyle", "for_people", "formula_safe", "read_csv_text", "write_csv", "write_xlsx"]
