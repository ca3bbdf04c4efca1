"""Event participant files: read CSV / XLSX / JSON, validate every row, merge with the catalogue.

Columns (only ``name`` and ``country`` are required; the header is case- and accent-insensitive, and takes
the French names of ``FRENCH_COLUMNS`` — ``nom``, ``pays``, ``besoins``… — and the ``ALIASES``):

``id``            optional; ``row-N`` is generated where empty (N = where the row is, see below)
``name``          authority name
``country``       ISO 3166-1 alpha-2 code or English / French name
``kind``          commune, municipality, intercommunality (EPCI), department, province, region
``population``    whole number (``12 000`` and ``12,000`` accepted)
``lat``, ``lon``  decimal degrees (a decimal comma is accepted)
``languages``     ``;``-separated ISO 639-1 codes
``expertise``, ``needs``, ``description``   free text, any language
``themes``        ``;``-separated theme codes or labels (fr/en/es/pt/ar/de). At an event a theme is a topic
                  the participant comes to discuss, offering or seeking, so it feeds both facets.
``side``          optional group label (``fr`` / ``partner``): given on every row or on none; when given,
                  only pairs across sides are ranked and scheduled
``must_meet``, ``would_like``, ``avoid``   ``;``-separated participant ids (must meet, would like to
                  meet, no thanks: ``matcher.events.schedule`` honours them)
``max_meetings``  whole number (default: every round)

Where a row is (``readers``): CSV — the physical line, the header being line 1; XLSX — the sheet row;
JSON (a list of objects) — the item number counting from 1. Every bad row is reported (``FileErrors``)
before anything is ranked.

A participant that is a catalogue authority — its ``id`` is a catalogue id, or its name + country
resolve to one — inherits coordinates, population, kind, admin fields, texts and known partners;
values given in the file win.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matcher.catalogue.accents import strip_accents
from matcher.catalogue.normalize import CountryNames
from matcher.domain import Facet, Kind, Profile
from matcher.errors import FileErrors, InvalidInput, PayloadTooLarge, RowError
from matcher.events.event_records import CatalogueView, Event, ItemError, Participant
from matcher.events.readers import Record, read_records
from matcher.themes import fold, parse_themes

COLUMNS = ("id", "name", "country", "kind", "population", "lat", "lon", "languages", "expertise", "needs",
           "description", "themes", "side", "must_meet", "would_like", "avoid", "max_meetings")
REQUIRED = ("name", "country")
#: The French name of each column (the French template's header; ``ALIASES`` accepts them).
FRENCH_COLUMNS = {"id": "identifiant", "name": "nom", "country": "pays", "kind": "type", "population": "population",
                  "lat": "latitude", "lon": "longitude", "languages": "langues", "expertise": "expertise",
                  "needs": "besoins", "description": "description", "themes": "thèmes", "side": "groupe",
                  "must_meet": "doit_rencontrer", "would_like": "aimerait_rencontrer", "avoid": "éviter",
                  "max_meetings": "rendez_vous_max"}
#: Other names a header may use (compared case- and accent-insensitively, spaces and hyphens as ``_``).
ALIASES = {"nom": "name", "pays": "country", "type": "kind", "latitude": "lat", "longitude": "lon", "lng": "lon",
           "langues": "languages", "themes_codes": "themes", "themes": "themes", "groupe": "side", "group": "side",
           "besoins": "needs", "besoin": "needs", "expertises": "expertise", "savoir_faire": "expertise",
           "identifiant": "id", "nature": "kind", "habitants": "population", "presentation": "description",
           "cote": "side", "doit_rencontrer": "must_meet", "aimerait_rencontrer": "would_like",
           "souhaite_rencontrer": "would_like", "souhaits": "would_like", "a_rencontrer": "must_meet",
           "eviter": "avoid",
           "ne_pas_rencontrer": "avoid", "rendez_vous_max": "max_meetings", "max_rendez_vous": "max_meetings",
           "nombre_max_de_rendez_vous": "max_meetings", "langue": "languages", "theme": "themes"}
MAX_PARTICIPANTS = 10_000
#: The longest cell, in characters: above the API's longest text (4,000, ``service.schemas.MAX_TEXT``), so a
#: description that fits a profile fits a file, and far below what a 900 KB cell would cost to encode and
#: keep. Longer is refused with its line and column, like a cell with a NUL character (``\x00``: no
#: spreadsheet writes one; the database and the exports would choke on it).
MAX_CELL_CHARS = 5_000

_KINDS = {  # folded word -> (French kind, foreign kind)
    "commune": (Kind.COMMUNE, Kind.MUNICIPALITY), "municipality": (Kind.COMMUNE, Kind.MUNICIPALITY),
    "municipalite": (Kind.COMMUNE, Kind.MUNICIPALITY), "city": (Kind.COMMUNE, Kind.MUNICIPALITY),
    "town": (Kind.COMMUNE, Kind.MUNICIPALITY), "ville": (Kind.COMMUNE, Kind.MUNICIPALITY),
    "intercommunality": (Kind.INTERCOMMUNALITY, Kind.MUNICIPALITY), "intercommunalite": (Kind.INTERCOMMUNALITY,
                                                                                         Kind.MUNICIPALITY),
    "epci": (Kind.INTERCOMMUNALITY, Kind.MUNICIPALITY), "department": (Kind.DEPARTMENT, Kind.DEPARTMENT),
    "departement": (Kind.DEPARTMENT, Kind.DEPARTMENT), "province": (Kind.DEPARTMENT, Kind.PROVINCE),
    "district": (Kind.DEPARTMENT, Kind.DISTRICT), "county": (Kind.DEPARTMENT, Kind.COUNTY),
    "prefecture": (Kind.DEPARTMENT, Kind.PREFECTURE),
    "region": (Kind.REGION, Kind.REGION), "foreign region": (Kind.REGION, Kind.REGION),
    "state": (Kind.REGION, Kind.STATE), "etat": (Kind.REGION, Kind.STATE),
    "governorate": (Kind.REGION, Kind.GOVERNORATE), "gouvernorat": (Kind.REGION, Kind.GOVERNORATE),
}
_LANG = re.compile(r"^([a-z]{2})(?:[-_][a-z0-9]+)?$")
_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")


# ---- reading -------------------------------------------------------------------------------------
def read_participants_file(path: Path, catalogue: CatalogueView) -> Event:
    return read_participants(path.read_bytes(), path.name, catalogue)


def read_participants(data: bytes, filename: str, catalogue: CatalogueView) -> Event:
    """Parse and validate a participant file (format from the file name's suffix)."""
    table = read_records(data, filename)
    return validate(table.records, catalogue, header=table.header, header_line=table.header_line,
                    source=filename, items=table.items)


# ---- validation ----------------------------------------------------------------------------------
def _canonical(name: str) -> str:
    """A header's column: itself, or the column one of its aliases names (French names included)."""
    key = str(name).strip().casefold().replace(" ", "_").replace("-", "_").replace("'", "_")
    if key in COLUMNS:
        return key
    bare = strip_accents(key)
    return ALIASES.get(bare, ALIASES.get(key, key))


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _items(v: Any, sep: str = ";") -> list[str]:
    if isinstance(v, (list, tuple)):
        return [_text(x) for x in v if _text(x)]
    return [x.strip() for x in _text(v).split(sep) if x.strip()]


def _number(v: Any, *, whole: bool) -> float:
    """A number from a cell: numbers as they are, strings with spaces / a decimal comma tolerated."""
    if isinstance(v, bool):
        raise ValueError  # noqa: TRY004 - the caller reports it as a bad number
    if isinstance(v, (int, float)):
        x = float(v)
    else:
        s = re.sub(r"[\s\u00a0\u202f_']", "", str(v))
        if whole and _THOUSANDS.match(s):
            s = re.sub(r"[.,]", "", s)
        elif "," in s and "." not in s:
            s = s.replace(",", ".")
        x = float(s)
    if not math.isfinite(x) or (whole and not x.is_integer()):
        raise ValueError
    return x


class _Rows:
    """Collects RowErrors (or ItemErrors for JSON) while rows are checked."""

    def __init__(self, items: bool) -> None:
        self.errors: list[RowError] = []
        self.items = items
        self.unit = "item" if items else "line"  # how a reason refers to another row

    def add(self, line: int, column: str | None, reason: str, key: str = "", **params: str | int) -> None:
        self.errors.append((ItemError if self.items else RowError)(line, column, reason, key, params))


def validate(records: Sequence[Record], catalogue: CatalogueView, *, header: Sequence[str] | None = None,
             header_line: int = 1, source: str = "", items: bool = False) -> Event:
    """Check every record and build the event; ``FileErrors`` listing every bad row otherwise."""
    if len(records) > MAX_PARTICIPANTS:
        raise PayloadTooLarge(f"{len(records)} participants: at most {MAX_PARTICIPANTS} per event", field="file",
                              key="too_many_participants", params={"limit": MAX_PARTICIPANTS})
    err = _Rows(items)
    if header is not None:
        names = [_canonical(h) for h in header if str(h).strip()]
        for h in header:
            key = _canonical(h)
            if str(h).strip() and key not in COLUMNS:
                close = difflib.get_close_matches(key, COLUMNS, n=1, cutoff=0.8)
                if close:  # a typo of a known column would silently drop its values
                    err.add(header_line, str(h), f"unknown column (did you mean {close[0]!r}?)", "unknown_column",
                            suggestion=close[0])
        for col in REQUIRED:
            if col not in names:
                err.add(header_line, col, "required column is missing", "missing_column")
        if err.errors:
            raise FileErrors(err.errors)
    if not records:
        raise FileErrors([(ItemError if items else RowError)(header_line, None, "the file has no participants",
                                                             "no_participants")])
    names_table = CountryNames(catalogue.countries)
    rows = [_row(line, {_canonical(k): v for k, v in raw.items()}, catalogue, names_table, err)
            for line, raw in records]
    participants = _cross_checks([r for r in rows if r is not None], catalogue, err)
    if err.errors:
        raise FileErrors(sorted(err.errors, key=lambda e: e.line))
    return Event(participants=tuple(participants), source=source,
                 index={p.id: i for i, p in enumerate(participants)})


def _check_cell(line: int, column: str, value: Any, err: _Rows) -> None:
    """A cell with a NUL character or longer than ``MAX_CELL_CHARS`` (a JSON list: its items together)."""
    text = "".join(map(_text, value)) if isinstance(value, (list, tuple)) else _text(value)
    if "\x00" in text:
        err.add(line, column, "the cell contains a NUL character (\\x00)", "nul_character")
    if len(text) > MAX_CELL_CHARS:
        err.add(line, column, f"the cell has {len(text):,} characters: at most {MAX_CELL_CHARS:,}", "cell_too_long",
                length=len(text), limit=MAX_CELL_CHARS)


def _row(line: int, raw: dict[str, Any], cat: CatalogueView, names: CountryNames, err: _Rows
         ) -> dict[str, Any] | None:
    """One record's values, checked column by column (every problem reported, not just the first).
    A row with errors is still returned: its id must exist for the other rows' references."""
    if "__not_object__" in raw:
        err.add(line, None, "not an object", "not_object")
        return None
    n0 = len(err.errors)
    for column, value in raw.items():
        _check_cell(line, column, value, err)
    out: dict[str, Any] = {"line": line, "id": _text(raw.get("id")), "name": _text(raw.get("name"))}
    if ";" in out["id"]:
        err.add(line, "id", "an id cannot contain ';' (lists of ids use it)", "id_semicolon")
    if not out["name"]:
        err.add(line, "name", "name is required", "required")
    country_text = _text(raw.get("country"))
    code = None
    if not country_text:
        err.add(line, "country", "country is required", "required")
    else:
        code = country_text.upper() if country_text.upper() in cat.countries else names.code(country_text)
        if code is None:
            err.add(line, "country", f"unknown country {country_text!r}", "unknown_country", value=country_text)
        elif code not in cat.countries:
            err.add(line, "country", f"country {code} is not in the catalogue's country list", "country_not_listed",
                    value=code)
    out["country"] = code
    kind_text = fold(_text(raw.get("kind")))
    out["kind"] = None
    if kind_text:
        if kind_text not in _KINDS:
            err.add(line, "kind", f"unknown kind {_text(raw.get('kind'))!r} (commune, municipality, "
                                  "intercommunality, department, province or region)", "unknown_kind",
                    value=_text(raw.get("kind")))
        elif code:
            out["kind"] = _KINDS[kind_text][0 if code == "FR" else 1]
    for col, whole, lo, hi in (("population", True, 0, 2e9), ("lat", False, -90, 90), ("lon", False, -180, 180),
                               ("max_meetings", True, 0, 1000)):
        v = raw.get(col)
        out[col] = None
        if _text(v) == "":
            continue
        try:
            x = _number(v, whole=whole)
        except (ValueError, TypeError):
            err.add(line, col, f"not a {'whole ' if whole else ''}number: {_text(v)!r}",
                    "not_whole_number" if whole else "not_number", value=_text(v))
            continue
        if not lo <= x <= hi:
            err.add(line, col, f"{_text(v)} is out of range [{lo:g}, {hi:g}]", "out_of_range", value=_text(v),
                    low=int(lo), high=int(hi))
            continue
        out[col] = int(x) if whole else x
    if (out["lat"] is None) != (out["lon"] is None) and not any(e.column in ("lat", "lon") for e in err.errors[n0:]):
        err.add(line, "lon" if out["lon"] is None else "lat", "lat and lon go together: one is missing",
                "lat_lon_pair")
    langs: list[str] = []
    for item in _items(raw.get("languages"), ";"):
        for part in item.split(","):
            m = _LANG.match(part.strip().lower())
            if m is None:
                err.add(line, "languages", f"{part.strip()!r} is not an ISO 639-1 code such as fr, en, es",
                        "bad_language", value=part.strip())
            elif m.group(1) not in langs:
                langs.append(m.group(1))
    out["languages"] = tuple(langs)
    try:
        out["themes"] = parse_themes(_items(raw.get("themes")))
    except InvalidInput as exc:
        err.add(line, "themes", exc.message, "bad_theme")
        out["themes"] = ()
    for col in ("expertise", "needs", "description"):
        out[col] = _text(raw.get(col))
    side = _text(raw.get("side")).casefold()
    out["side"] = side or None
    out["must_meet"] = tuple(dict.fromkeys(_items(raw.get("must_meet"))))
    out["avoid"] = tuple(dict.fromkeys(_items(raw.get("avoid"))))
    out["would_like"] = tuple(dict.fromkeys(_items(raw.get("would_like"))))
    return out


def _cross_checks(rows: list[dict[str, Any]], cat: CatalogueView, err: _Rows) -> list[Participant]:
    """Ids, catalogue identity, sides and the must_meet / avoid references: checks across rows."""
    first_line: dict[str, int] = {}
    for r in rows:
        pid = r["id"] or f"row-{r['line']}"
        r["pid"] = pid
        if pid in first_line:
            err.add(r["line"], "id", f"duplicate id {pid!r} (first on {err.unit} {first_line[pid]})", "duplicate_id",
                    value=pid, first=first_line[pid], unit=err.unit)
        else:
            first_line[pid] = r["line"]
    # Sides: all or nothing, and at least two of them.
    sided = [r for r in rows if r["side"]]
    if sided and len(sided) < len(rows):
        example = sided[0]["line"]
        for r in rows:
            if not r["side"]:
                err.add(r["line"], "side", f"side is empty here but given on other rows (e.g. {err.unit} {example})",
                        "side_missing", example=example, unit=err.unit)
    elif sided and len({r["side"] for r in rows}) == 1:
        err.add(rows[0]["line"], "side", f"every row has side {rows[0]['side']!r}: two sides at least are needed",
                "one_side", value=rows[0]["side"])
    side_of: dict[str, str | None] = {}
    for r in rows:  # a duplicated id is reported above; references go to its first row
        side_of.setdefault(r["pid"], r["side"])
    must: dict[tuple[str, str], int] = {}
    avoid: dict[tuple[str, str], int] = {}
    for r in rows:
        for col, table in (("must_meet", must), ("avoid", avoid), ("would_like", {})):
            for other in r[col]:
                if other not in first_line:
                    err.add(r["line"], col, f"unknown participant id {other!r}", "unknown_participant", value=other)
                elif other == r["pid"]:
                    err.add(r["line"], col, "a participant cannot list itself", "self_reference")
                else:
                    key = (min(r["pid"], other), max(r["pid"], other))
                    table.setdefault(key, r["line"])
                    if col != "avoid" and side_of[other] and side_of[other] == r["side"]:
                        err.add(r["line"], col, f"{other!r} is on the same side ({r['side']!r}): only pairs "
                                                "across sides meet", "same_side", value=other, side=r["side"])
    for key in sorted(set(must) & set(avoid)):
        line = max(must[key], avoid[key])
        err.add(line, "avoid" if line == avoid[key] else "must_meet",
                f"the pair {key[0]!r} – {key[1]!r} is both must_meet ({err.unit} {must[key]}) and avoid "
                f"({err.unit} {avoid[key]})", "must_and_avoid", a=key[0], b=key[1], must=must[key],
                avoid=avoid[key], unit=err.unit)
    seen_authority: dict[str, int] = {}
    out = []
    for r in rows:
        if r["country"] is None:
            continue
        p = _participant(r, cat, err)
        if p is None:
            continue
        if p.catalogue_id is not None:
            if p.catalogue_id in seen_authority:
                err.add(r["line"], "id" if p.match_reason == "id" else "name",
                        f"same catalogue authority {p.catalogue_id} ({p.profile.name}) as {err.unit} "
                        f"{seen_authority[p.catalogue_id]}; if they differ, give an id or lat/lon", "same_authority",
                        value=p.catalogue_id, name=p.profile.name, first=seen_authority[p.catalogue_id], unit=err.unit)
                continue
            seen_authority[p.catalogue_id] = r["line"]
        out.append(p)
    return out


def _participant(r: dict[str, Any], cat: CatalogueView, err: _Rows) -> Participant | None:
    base, reason = None, ""
    if r["id"] and r["id"] in cat.profiles:
        base, reason = cat.profiles[r["id"]], "id"
        if base.country != r["country"]:
            err.add(r["line"], "country", f"{r['country']} differs from catalogue authority {base.id}'s "
                                          f"country {base.country}", "country_differs", value=str(r["country"]),
                    id=base.id, expected=base.country)
            return None
    elif cat.resolver is not None:
        res = cat.resolver.resolve(r["name"], r["country"], r["lat"], r["lon"])
        # Not the resolver's "nearest commune" fallback (meant for merged communes in twinning lists): a
        # participant whose name matches nothing is a new authority, not the commune next door.
        if res.ok and res.id is not None and res.id in cat.profiles and "nearest_commune" not in res.reason:
            base, reason = cat.profiles[res.id], res.reason
    facet_themes = r["themes"]
    given = {k: r[k] for k in ("population", "lat", "lon", "kind") if r[k] is not None}
    if r["languages"]:
        given["languages"] = r["languages"]
    for col in ("description",):
        if r[col]:
            given[col] = r[col]
    for col in ("expertise", "needs"):
        if r[col] or facet_themes:
            old = getattr(base, col) if base is not None else Facet()
            given[col] = Facet(facet_themes or old.themes, r[col] or old.text)
    if base is None:
        kind = r["kind"] or (Kind.COMMUNE if r["country"] == "FR" else Kind.MUNICIPALITY)
        profile = Profile(id=r["pid"], name=r["name"], kind=kind, country=r["country"], source="event",
                          **{k: v for k, v in given.items() if k != "kind"})
        return Participant(id=r["pid"], line=r["line"], name=r["name"], profile=profile, side=r["side"],
                           must_meet=r["must_meet"], avoid=r["avoid"], would_like=r["would_like"],
                           max_meetings=r["max_meetings"])
    known = cat.partners.get(base.id, frozenset()) | frozenset(base.known_partners)
    return Participant(id=r["pid"], line=r["line"], name=r["name"], profile=base.with_changes(**given),
                       catalogue_id=base.id, match_reason=reason, overrides=bool(given), side=r["side"],
                       must_meet=r["must_meet"], avoid=r["avoid"], would_like=r["would_like"],
                           max_meetings=r["max_meetings"],
                       known_partners=known)


__all__ = ["ALIASES", "COLUMNS", "FRENCH_COLUMNS", "read_participants", "read_participants_file", "validate"]
