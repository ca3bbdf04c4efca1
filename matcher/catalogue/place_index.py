"""The catalogue indexed for place resolution (``resolve.Resolver`` asks it): normalised names and
alternate names -> profile indices per country (with and without leading article), each profile's kind,
level, main name, spelling and admin names, per-country coordinate arrays of local authorities, and the
geographic look-ups the rules need (nearest local authorities, the country of the nearest authority, a
dominant homonym by population)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Self

import numpy as np

from matcher.catalogue.files import Country, read_authorities, read_countries
from matcher.catalogue.normalize import (
    FORMER_REGIONS,
    FRENCH_OVERSEAS,
    OVERSEAS_DEPARTMENTS,
    CountryNames,
    has_latin,
    normalize_name,
    strip_article,
)
from matcher.catalogue.unit_names import UnitIndex
from matcher.domain import Kind, Level, Profile
from matcher.geo import haversine_km

# Legal-form prefix of EPCI names: "CA du Pays de Dreux" is also indexed as "pays de dreux".
_EPCI_PREFIX = re.compile(
    r"^(communaute (de communes|d agglomeration|urbaine)|metropole|eurometropole|cc|ca|cu)"
    r"( (du|de la|des|de l|de|d))? "
)
#: (country, normalised key) -> profile indices.
Index = dict[tuple[str, str], list[int]]


class PlaceIndex:
    """Index of the catalogue for name + country + coordinate look-ups. Build once, query many times."""

    def __init__(
        self,
        profiles: Iterable[Profile],
        countries: Mapping[str, Country] | None = None,
        *,
        complete_countries: Iterable[str] = ("FR",),
    ) -> None:
        complete = frozenset(complete_countries)
        # French overseas territories are complete too: all their communes are INSEE communes.
        self.complete_countries = complete | (FRENCH_OVERSEAS if "FR" in complete else frozenset())
        self.country_names = CountryNames(countries)
        former = {f"FR-REG-{code}": names for code, names in FORMER_REGIONS.items()}
        self.ids: list[str] = []
        self.kinds: list[Kind] = []
        self.levels: list[Level] = []
        self.country_of: list[str] = []
        self._main: list[str] = []  # normalised main name
        self._spelled: list[str] = []  # casefolded main name, accents kept
        self._admin: list[tuple[str, str]] = []  # normalised admin-2 and admin-1 names
        self._keys: list[tuple[str, ...]] = []
        lat: list[float] = []
        lon: list[float] = []
        pop: list[float] = []
        exact: Index = defaultdict(list)  # (country, key) -> indices; main and alternate names alike
        bare: Index = defaultdict(list)  # the same keys without leading article ("touquet")
        local: dict[str, list[int]] = defaultdict(list)
        units: list[tuple[int, str, Level, tuple[str, ...]]] = []
        for i, p in enumerate(profiles):
            self.ids.append(p.id)
            self.kinds.append(p.kind)
            self.levels.append(p.level_of)
            self.country_of.append(p.country)
            lat.append(np.nan if p.lat is None else p.lat)
            lon.append(np.nan if p.lon is None else p.lon)
            pop.append(p.population or 0)
            main = normalize_name(p.name)
            self._main.append(main)
            self._spelled.append(p.name.strip().casefold())
            self._admin.append((normalize_name(p.admin2_name), normalize_name(p.admin1_name)))
            keys = {main, *(normalize_name(a) for a in p.alt_names if has_latin(a))}
            keys.update(normalize_name(a) for a in former.get(p.id, ()))
            if p.kind is Kind.INTERCOMMUNALITY:
                keys.update(_EPCI_PREFIX.sub("", k) for k in list(keys))
            keys.discard("")
            self._keys.append(tuple(keys))
            if p.level_of in (Level.ADMIN1, Level.ADMIN2) and p.country != "FR":
                units.append((i, p.country, p.level_of, (p.name, p.name_fr, *p.alt_names)))
            # A commune of Réunion is found under "FR" and under "RE" (lists write either).
            codes = [p.country]
            if p.country == "FR" and p.admin2_code in OVERSEAS_DEPARTMENTS:
                codes.append(OVERSEAS_DEPARTMENTS[p.admin2_code])
            for code in codes:
                for k in keys:
                    exact[(code, k)].append(i)
                    b = strip_article(k)
                    if b != k:
                        bare[(code, b)].append(i)
                # Per-country lists of local authorities with coordinates, for the nearest searches.
                if p.level_of is Level.TOWN and p.lat is not None and p.lon is not None:
                    local[code].append(i)
                else:
                    local.setdefault(code, [])
        self._exact, self._bare = dict(exact), dict(bare)
        self._local = {c: np.asarray(ix, dtype=np.int64) for c, ix in local.items()}
        self._countries = frozenset(self._local)
        self.lat = np.asarray(lat, dtype=float)
        self.lon = np.asarray(lon, dtype=float)
        self.population = np.asarray(pop, dtype=float)
        self._index_of = {pid: i for i, pid in enumerate(self.ids)}
        self._all_xy = np.flatnonzero(~np.isnan(self.lat))
        self._units = UnitIndex(units)

    @classmethod
    def from_files(cls, data_dir: Path, **options: float) -> Self:
        """Build from ``data/authorities.csv.gz`` and ``data/countries.json``."""
        countries = read_countries(data_dir / "countries.json")
        return cls(read_authorities(data_dir / "authorities.csv.gz"), countries, **options)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self.ids)

    def profile_index(self, pid: str) -> int | None:
        return self._index_of.get(pid)

    def country(self, text: str | None) -> str | None:
        """ISO code for a country code or free text (``England`` -> ``GB``, ``Réunion, France`` -> ``RE``)."""
        if text and len(text.strip()) == 2 and text.strip().upper() in self._countries:
            return text.strip().upper()
        return self.country_names.code(text)

    def nearest(self, country: str, lat: float, lon: float, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
        """Local authorities of ``country`` within ``radius_km``: (profile indices, distances), nearest first."""
        ix = self._local.get(country)
        if ix is None or len(ix) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0)
        d = haversine_km(lat, lon, self.lat[ix], self.lon[ix])
        keep = np.flatnonzero(d <= radius_km)
        order = keep[np.argsort(d[keep])]
        return ix[order], d[order]

    def _point_elsewhere(self, country: str, lat: float | None, lon: float | None) -> bool:
        """Whether the nearest authority to the point is in another country: a geocoder that placed
        "Vincennes, United States" in Paris. The name and country then say more than the point."""
        if lat is None or lon is None or len(self._all_xy) == 0:
            return False
        d = haversine_km(lat, lon, self.lat[self._all_xy], self.lon[self._all_xy])
        return self.country_of[int(self._all_xy[int(np.argmin(d))])] != country

    def _dominant(self, ids: Iterable[str]) -> str | None:
        """The candidate with 10x the population of the next one, if any (lists favour larger towns)."""
        ix = [self._index_of[pid] for pid in ids]
        pops = sorted(((self.population[i], i) for i in ix), reverse=True)
        if len(pops) > 1 and pops[0][0] > 0 and pops[0][0] >= 10 * pops[1][0]:
            return self.ids[pops[0][1]]
        return None
