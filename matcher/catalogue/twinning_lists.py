"""The two twinning lists the known partnerships are built from (``links``), read into raw pairs: the
Wikidata TSV (P190 "twinned administrative body", French origin) and the geocoded Wikipedia CSV. Any read
problem is a ``DataBuildError`` naming the file and line; coordinates a geocoder rounded to whole degrees
are dropped (counted in the notes)."""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.errors import DataBuildError

WIKIDATA_FILE = "wikidata_p190_france_origin_2017.tsv"
WIKIPEDIA_FILE = "wikipedia_twin_cities_geocoded.csv"
_WIKIDATA_COLUMNS = ("origincityLabel", "origincountry", "originlat", "originlong", "sistercityLabel",
                     "destinationlat", "destinationlong", "destination_countryLabel")
_WIKIPEDIA_COLUMNS = ("city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2")


@dataclass(frozen=True, slots=True)
class Place:
    """One side of a row as written in the list."""

    name: str
    country: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class RawPair:
    source: str
    line: int
    french: Place
    partner: Place
    domestic: bool  # both sides in France


def _place(name: str, country: str, lat: float | None, lon: float | None, notes: Counter[str]) -> Place:
    """A side of a row. Whole-degree coordinates (``55, -3`` for "March, England") are a geocoder's
    country or region centroid, not the town: they are dropped so they cannot veto a name match."""
    if lat is not None and lon is not None and lat.is_integer() and lon.is_integer():
        lat = lon = None
        notes["coarse_coordinates_dropped"] += 1
    return Place(name.strip(), country.strip(), lat, lon)


def _coord(value: str, path: Path, line: int, column: str) -> float | None:
    """Empty -> None; anything else must be a finite number, else the file is corrupt."""
    value = value.strip()
    if not value:
        return None
    try:
        x = float(value)
    except ValueError:
        raise DataBuildError(f"{path.name}: line {line}, column {column!r}: not a number: {value!r}") from None
    if not math.isfinite(x) or abs(x) > 180:
        raise DataBuildError(f"{path.name}: line {line}, column {column!r}: out of range: {value!r}")
    return x


def _rows(path: Path, delimiter: str, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a UTF-8 CSV/TSV; any read problem becomes DataBuildError naming the file."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh, delimiter=delimiter)
            missing = [c for c in columns if c not in (reader.fieldnames or ())]
            if missing:
                raise DataBuildError(f"{path.name}: missing column(s) {missing}; found {reader.fieldnames}")
            n = 0
            for row in reader:
                if None in row or any(row.get(c) is None for c in columns):  # too many / too few fields
                    raise DataBuildError(f"{path.name}: line {reader.line_num}: wrong number of fields")
                n += 1
                yield reader.line_num, row
            if n == 0:
                raise DataBuildError(f"{path.name}: no data rows")
    except FileNotFoundError:
        raise DataBuildError(f"{path.name}: file not found in {path.parent}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataBuildError(f"{path.name}: unreadable ({type(exc).__name__}: {exc})") from None


def read_wikidata(path: Path, is_french: Any) -> tuple[list[RawPair], Counter[str]]:
    """Rows of the Wikidata TSV: the origin is always a French commune; the partner may be French too.
    Returns the pairs and row counts (``rows``, ``coarse_coordinates_dropped``)."""
    pairs: list[RawPair] = []
    notes: Counter[str] = Counter()
    for line, r in _rows(path, "\t", _WIKIDATA_COLUMNS):
        notes["rows"] += 1
        french = _place(r["origincityLabel"], r["origincountry"] or "France",
                        _coord(r["originlat"], path, line, "originlat"),
                        _coord(r["originlong"], path, line, "originlong"), notes)
        partner = _place(r["sistercityLabel"], r["destination_countryLabel"],
                         _coord(r["destinationlat"], path, line, "destinationlat"),
                         _coord(r["destinationlong"], path, line, "destinationlong"), notes)
        pairs.append(RawPair("wikidata", line, french, partner, domestic=is_french(partner.country)))
    return pairs, notes


def read_wikipedia(path: Path, is_french: Any) -> tuple[list[RawPair], Counter[str]]:
    """Rows of the Wikipedia CSV that involve France (either side); ``is_french(country text) -> bool``.
    Returns the pairs and row counts (``rows``, ``no_french_side``, ``coarse_coordinates_dropped``)."""
    pairs: list[RawPair] = []
    notes: Counter[str] = Counter()
    for line, r in _rows(path, ",", _WIKIPEDIA_COLUMNS):
        notes["rows"] += 1
        f1, f2 = is_french(r["country1"]), is_french(r["country2"])
        if not (f1 or f2):
            notes["no_french_side"] += 1
            continue
        one = _place(r["city1"], r["country1"], _coord(r["lat1"], path, line, "lat1"),
                     _coord(r["lng1"], path, line, "lng1"), notes)
        two = _place(r["city2"], r["country2"], _coord(r["lat2"], path, line, "lat2"),
                     _coord(r["lng2"], path, line, "lng2"), notes)
        french, partner = (one, two) if f1 else (two, one)
        pairs.append(RawPair("wikipedia", line, french, partner, domestic=f1 and f2))
    return pairs, notes
