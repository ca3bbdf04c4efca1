"""The processed catalogue files under ``data/``: one reader and one writer for each.

Files (all committed, so serving needs no rebuild):
- ``authorities.csv.gz`` — one row per authority, columns ``AUTHORITY_COLUMNS``; list fields are
  ``|``-separated; empty population/lat/lon are empty strings.
- ``countries.json`` — ISO alpha-2 -> country facts (name, name_fr, iso3, continent, languages,
  french_official, population).
- ``links.csv`` — resolved known partnerships: ``a,b,kind,source``.
- ``link_report.json`` — resolution figures (resolved / ambiguous / unresolved, with reasons).

Writers write to a temporary file and rename, so a failed build never leaves a half-written file.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.domain import Kind, Level, Link, Profile

AUTHORITY_COLUMNS = (
    "id", "name", "kind", "level", "name_fr", "country", "admin1_code", "admin1_name", "admin2_code", "admin2_name",
    "population", "lat", "lon", "alt_names", "parent_ids", "source",
)
LINK_COLUMNS = ("a", "b", "kind", "source")

AUTHORITIES_FILE = "authorities.csv.gz"
COUNTRIES_FILE = "countries.json"
LINKS_FILE = "links.csv"
LINK_REPORT_FILE = "link_report.json"


FRENCH_STATUSES = ("official", "working", "recognised", "widespread")
FRENCH_SPEAKING = frozenset(FRENCH_STATUSES)


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    name_fr: str
    iso3: str
    continent: str  # AF, AS, EU, NA, OC, SA, AN
    languages: tuple[str, ...]  # ISO 639-1, most spoken first
    french_official: bool  # French is an official language by the country's own law (french_status)
    population: int | None = None
    #: French's standing by the country's own law (``data/french_language.csv``): "official", "working"
    #: (a working language, not official), "recognised" (the constitution provides for its use),
    #: "widespread" (no legal status, widely spoken) or "" (none of these).
    french_status: str = ""

    def __post_init__(self) -> None:
        if self.french_official and not self.french_status:  # written before french_status existed
            object.__setattr__(self, "french_status", "official")

    @property
    def french_speaking(self) -> bool:
        """The French-speaking definition of the filter and of the ``francophone`` feature: French is
        official or a working language by the country's law, recognised by it, or widely spoken."""
        return self.french_status in FRENCH_SPEAKING


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` via a temporary file in the same directory and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        # mkstemp creates 0600 files; published data files are world-readable like any other.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _opt_num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.5f}"
    return str(value)


def profile_to_row(p: Profile) -> list[str]:
    return [
        p.id, p.name, p.kind.value, p.level_of.value, p.name_fr, p.country, p.admin1_code, p.admin1_name, p.admin2_code, p.admin2_name,
        _opt_num(p.population), _opt_num(p.lat), _opt_num(p.lon), "|".join(p.alt_names),
        "|".join(p.parent_ids), p.source,
    ]


def row_to_profile(row: dict[str, str]) -> Profile:
    return Profile(
        id=row["id"],
        name=row["name"],
        kind=Kind(row["kind"]),
        level=Level(row["level"]),
        name_fr=row["name_fr"],
        country=row["country"],
        admin1_code=row["admin1_code"],
        admin1_name=row["admin1_name"],
        admin2_code=row["admin2_code"],
        admin2_name=row["admin2_name"],
        population=int(row["population"]) if row["population"] else None,
        lat=float(row["lat"]) if row["lat"] else None,
        lon=float(row["lon"]) if row["lon"] else None,
        alt_names=tuple(x for x in row["alt_names"].split("|") if x),
        parent_ids=tuple(x for x in row["parent_ids"].split("|") if x),
        source=row["source"],
    )


def _csv_bytes(header: Iterable[str], rows: Iterable[list[str]]) -> tuple[bytes, int]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    n = 0
    for row in rows:
        w.writerow(row)
        n += 1
    return buf.getvalue().encode("utf-8"), n


def write_authorities(path: Path, profiles: Iterable[Profile]) -> int:
    payload, n = _csv_bytes(AUTHORITY_COLUMNS, (profile_to_row(p) for p in profiles))
    # mtime=0 keeps the gzip bytes reproducible, so a rebuild with the same inputs changes nothing in git.
    atomic_write_bytes(path, gzip.compress(payload, compresslevel=9, mtime=0))
    return n


def read_authorities(path: Path) -> Iterator[Profile]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != AUTHORITY_COLUMNS:
            raise ValueError(f"{path}: unexpected columns {reader.fieldnames}")
        for row in reader:
            yield row_to_profile(row)


def write_countries(path: Path, countries: Iterable[Country]) -> int:
    data = {
        c.code: {
            "name": c.name, "name_fr": c.name_fr, "iso3": c.iso3, "continent": c.continent,
            "languages": list(c.languages), "french_official": c.french_official, "population": c.population,
            **({"french_status": c.french_status} if c.french_status else {}),
        }
        for c in sorted(countries, key=lambda c: c.code)
    }
    atomic_write_bytes(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return len(data)


def read_countries(path: Path) -> dict[str, Country]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        code: Country(
            code=code, name=v["name"], name_fr=v.get("name_fr", v["name"]), iso3=v.get("iso3", ""),
            continent=v["continent"], languages=tuple(v.get("languages", ())),
            french_official=bool(v.get("french_official")), population=v.get("population"),
            french_status=str(v.get("french_status", "")),
        )
        for code, v in raw.items()
    }


def write_links(path: Path, links: Iterable[Link]) -> int:
    payload, n = _csv_bytes(LINK_COLUMNS, ([x.a, x.b, x.kind, x.source] for x in links))
    atomic_write_bytes(path, payload)
    return n


def read_links(path: Path) -> list[Link]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [Link(a=r["a"], b=r["b"], kind=r["kind"], source=r["source"]) for r in csv.DictReader(fh)]


def write_json(path: Path, data: Any) -> None:
    atomic_write_bytes(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
