"""Participant file templates: the columns an organiser fills in, with two example rows, as CSV or XLSX,
headed in French (``FRENCH_COLUMNS``: ``nom``, ``pays``, ``besoins``…) or English (the column names).

A template read back is a valid participant file (``tests/test_fair_pages.py`` uploads one): the two
examples are a French commune and a partner town, on two sides, the second listing the first as a
must-meet.
"""

from __future__ import annotations

from typing import Any

from matcher.events.participants import COLUMNS, FRENCH_COLUMNS
from matcher.events.spreadsheet import SheetStyle, for_people, write_csv, write_xlsx

#: The example rows, by column (empty: left blank).
_EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "fr": ({"id": "rennes", "name": "Rennes", "country": "France", "kind": "commune", "languages": "fr",
            "expertise": "Gestion de l'eau potable, assainissement", "needs": "Tourisme culturel",
            "side": "france"},
           {"id": "thies", "name": "Thiès", "country": "Sénégal", "kind": "commune", "languages": "fr; wo",
            "expertise": "Tourisme, artisanat", "needs": "Assainissement, eau potable", "side": "partenaire",
            "must_meet": "rennes", "max_meetings": 4}),
    "en": ({"id": "rennes", "name": "Rennes", "country": "France", "kind": "commune", "languages": "fr",
            "expertise": "Drinking water management, sanitation", "needs": "Cultural tourism", "side": "france"},
           {"id": "thies", "name": "Thiès", "country": "Senegal", "kind": "municipality", "languages": "fr; wo",
            "expertise": "Tourism, crafts", "needs": "Sanitation, drinking water", "side": "partner",
            "must_meet": "rennes", "max_meetings": 4}),
}


def _style(lang: str) -> SheetStyle:
    headers = dict(FRENCH_COLUMNS) if lang == "fr" else {}
    return for_people(lang, headers)


def _rows(lang: str) -> list[list[Any]]:
    return [[row.get(c) for c in COLUMNS] for row in _EXAMPLES["fr" if lang == "fr" else "en"]]


def template_csv(lang: str) -> bytes:
    """The template as CSV: in French ``;``-separated with a BOM (French Excel), in English ``,``."""
    return write_csv(COLUMNS, _rows(lang), _style(lang))


def template_xlsx(lang: str) -> bytes:
    """The template as a workbook with one sheet, ``participants`` (the sheet the reader picks)."""
    return write_xlsx([("participants", COLUMNS, _rows(lang))], _style(lang))


__all__ = ["template_csv", "template_xlsx"]
