"""Resolve a place read from a list — (name, country, lat, lon) — to one catalogue id.

Shared by the known-partnership build (``links``) and by event participant files. The ``Resolver`` is built
once from the catalogue's profiles (the ``place_index.PlaceIndex`` it extends: normalised name -> profile
indices per country, plus per-country coordinate arrays) and answers a query in microseconds on a name hit, about a millisecond when it needs a
nearest search over a country's arrays.

Rules, in order (each answer carries a ``reason`` so a build report can say why rows failed):

1. Exact normalised name (or alternate name) within the country; several keys are tried, most specific
   first (``name_keys``), then without leading article. The most local kind wins (commune/municipality
   before EPCI, département, région) unless the name hints at a group of communes; a qualifier naming a
   département or région (``Le Pont-de-Beauvoisin, Savoie``) keeps the candidates located there.
2. Homonyms are separated by coordinates: the nearest wins when it is within ``homonym_km`` and clearly
   nearer than the second; then a candidate whose own name (not an alternate one) is the key, then the
   exact spelling with accents; without coordinates a homonym 10x larger than the next wins.
3. A name match far from the coordinates: in a complete catalogue (France, where every commune exists) the
   name wins — the lists' geocodes are the error (``Vienne`` placed in the Vienne département). Abroad,
   where only towns of 1,000+ inhabitants (and seats) exist, it is kept only if the point lies in another
   country.
4. No name match: a nearby authority with a close name (``Bad Soden`` / ``Bad Soden am Taunus``), then, in
   France only, the nearest commune within ``nearest_km`` — a commune merged into a commune nouvelle since
   the list was made keeps its coordinates, inside the new commune, while its name disappeared.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from matcher.catalogue.files import Country
from matcher.catalogue.normalize import (
    FRENCH_OVERSEAS,
    name_keys,
    normalize_name,
    strip_article,
)
from matcher.catalogue.place_index import Index, PlaceIndex
from matcher.domain import Kind, Level, Profile
from matcher.geo import haversine_km

RESOLVED, AMBIGUOUS, UNRESOLVED = "resolved", "ambiguous", "unresolved"

#: Preference among kinds when one name matches several: "Paris" is a commune and a département; a
#: twinning list means the city.
#: By level: the most local first, unless the caller says which levels it means (``level_order``):
#: the partner of a French région is looked for among regions first.
LOCAL_FIRST: tuple[Level, ...] = (Level.TOWN, Level.INTERCOMMUNAL, Level.ADMIN2, Level.ADMIN1)
#: The order for the partner of a French région, and of a département.
FOR_KIND: dict[Kind, tuple[Level, ...]] = {
    Kind.REGION: (Level.ADMIN1, Level.ADMIN2, Level.TOWN, Level.INTERCOMMUNAL),
    Kind.DEPARTMENT: (Level.ADMIN2, Level.ADMIN1, Level.TOWN, Level.INTERCOMMUNAL),
}
# Words saying the row means a group of communes, e.g. "Arras (communauté)".
_GROUP_HINT = re.compile(r"\b(communaute|agglomeration|metropole|eurometropole|intercommunalite)\b")
_QUALIFIER = re.compile(r"\(([^)]*)\)|,\s*([^,]+)$")


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer for one place. ``id`` is set when resolved; ``candidates`` lists the ids considered."""

    status: str  # resolved | ambiguous | unresolved
    id: str | None
    reason: str
    distance_km: float | None = None
    candidates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == RESOLVED



# A query extending a town's name with these is one of its districts, not the town ("Prague 6",
# "London Borough of Hackney").
_DISTRICT_TAIL = re.compile(r"^(\d|[ivx]+\b|borough|district|arrondissement|quarter|ward|sector)")


def _similar(query: str, cand: str, query_may_extend: bool) -> float:
    """Name similarity in [0, 1]. A whole-word prefix counts 0.95: the candidate may extend the query
    ("bad soden" / "bad soden am taunus"); the query may extend the candidate's main name only
    ("sittard geleen" / "sittard"), since alternate names are often bare words ("London")."""
    if query == cand:
        return 1.0
    if cand.startswith(query + " "):
        return 0.95
    if query_may_extend and query.startswith(cand + " ") and not _DISTRICT_TAIL.match(query[len(cand) + 1:]):
        return 0.95
    return difflib.SequenceMatcher(None, query, cand, autojunk=False).ratio()


class Resolver(PlaceIndex):
    """The resolution rules over the catalogue's ``PlaceIndex``. Build once, query many times."""

    def __init__(
        self,
        profiles: Iterable[Profile],
        countries: Mapping[str, Country] | None = None,
        *,
        homonym_km: float = 40.0,
        far_km: float = 30.0,
        fuzzy_km: float = 10.0,
        fuzzy_min: float = 0.9,
        nearest_km: float = 5.0,
        complete_countries: Iterable[str] = ("FR",),
    ) -> None:
        self.homonym_km, self.far_km, self.fuzzy_km = homonym_km, far_km, fuzzy_km
        self.fuzzy_min, self.nearest_km = fuzzy_min, nearest_km
        super().__init__(profiles, countries, complete_countries=complete_countries)


    # --- queries -----------------------------------------------------------------------------------------

    def resolve(
        self,
        name: str,
        country: str | None,
        lat: float | None = None,
        lon: float | None = None,
        *,
        kinds: Iterable[Kind] | None = None,
        level_order: tuple[Level, ...] = LOCAL_FIRST,
    ) -> Resolution:
        """Resolve one place. ``country`` is an ISO code or free text; ``kinds`` restricts the candidates;
        among several name matches, the first level of ``level_order`` present wins."""
        if not name or not name.strip():
            return Resolution(UNRESOLVED, None, "empty_name")
        code = self.country(country)
        if code is None:
            return Resolution(UNRESOLVED, None, "unknown_country")
        if code not in self._countries:
            if code in FRENCH_OVERSEAS and "FR" in self._countries:
                code = "FR"
            else:
                return Resolution(UNRESOLVED, None, "country_not_in_catalogue")
        if lat is None or lon is None or np.isnan(lat) or np.isnan(lon):
            lat = lon = None
        return self._resolve_in(name, code, lat, lon, frozenset(kinds) if kinds is not None else None,
                                {lv: i for i, lv in enumerate(level_order)})

    def resolve_unit(self, name: str, country: str | None, level_order: tuple[Level, ...]) -> Resolution:
        """A foreign admin-1 or admin-2 unit as people write it ("Province du Sichuan"), among the levels of
        ``level_order`` (first present wins); see ``unit_names``."""
        code = self.country(country)
        if code is None:
            return Resolution(UNRESOLVED, None, "unknown_country")
        hit = self._units.find(name, code, level_order)
        if hit is None:
            return Resolution(UNRESOLVED, None, "no_unit_name_match")
        return Resolution(RESOLVED, self.ids[hit.index], f"unit_{hit.how}")

    def _stages(self, keys: list[str]) -> Iterator[tuple[str, str, Index]]:
        """(stage, key, index) to try in order: the whole name, its variants, then without articles."""
        yield "exact", keys[0], self._exact
        for k in keys[1:]:
            yield "variant", k, self._exact
        for k in dict.fromkeys(strip_article(k) for k in keys):
            yield "article", k, self._bare
            if k not in keys:
                yield "article", k, self._exact

    def _resolve_in(
        self, name: str, country: str, lat: float | None, lon: float | None, allowed: frozenset[Kind] | None,
        rank: Mapping[Level, int],
    ) -> Resolution:
        keys = name_keys(name)
        spelled = name.strip().casefold()
        group_hint = bool(_GROUP_HINT.search(normalize_name(name)))
        m = _QUALIFIER.search(name)
        qualifier = normalize_name(m.group(1) or m.group(2)) if m else ""
        far: Resolution | None = None  # a unique name match far from the coordinates
        homonyms: Resolution | None = None  # name matches, none near the coordinates
        for stage, key, index in self._stages(keys):
            cands = self._filter(index.get((country, key), ()), allowed, group_hint, qualifier, rank)
            if not cands:
                continue
            res = self._decide(stage, key, spelled, cands, lat, lon)
            if res.status == UNRESOLVED:
                far = far or res
            elif res.status == AMBIGUOUS and res.reason.endswith("homonyms_far"):
                homonyms = homonyms or res
            else:
                return res
        complete = country in self.complete_countries
        if far is not None and complete:
            # Every commune is in the catalogue, so the name exists only there: the point is wrong.
            return Resolution(RESOLVED, far.candidates[0], far.reason + "_accepted", far.distance_km)
        if homonyms is not None and complete:
            largest = self._dominant(homonyms.candidates)
            if largest is not None:
                return Resolution(RESOLVED, largest, homonyms.reason.replace("homonyms_far", "largest_homonym"))
        if lat is not None and lon is not None:
            fallback = self._nearby(keys, country, lat, lon, allowed,
                                    nearest=complete and not (far or homonyms or group_hint))
            if fallback is not None:
                return fallback
        if far is not None and self._point_elsewhere(country, lat, lon):
            return Resolution(RESOLVED, far.candidates[0], far.reason + "_accepted", far.distance_km)
        if homonyms is not None and self._point_elsewhere(country, lat, lon):
            largest = self._dominant(homonyms.candidates)
            if largest is not None:
                return Resolution(RESOLVED, largest, homonyms.reason.replace("homonyms_far", "largest_homonym"))
        return far or homonyms or Resolution(
            UNRESOLVED, None, "no_name_match" if lat is not None else "no_name_match_no_coordinates")

    def _filter(
        self, cands: Iterable[int], allowed: frozenset[Kind] | None, group_hint: bool, qualifier: str,
        rank: Mapping[Level, int],
    ) -> list[int]:
        """Distinct candidates of the allowed kinds, of the most preferred kind present, in the qualifier's
        département or région when it names one of theirs."""
        uniq = list(dict.fromkeys(cands))
        if allowed is not None:
            uniq = [i for i in uniq if self.kinds[i] in allowed]
        if not uniq:
            return []
        if qualifier:
            located = [i for i in uniq if qualifier in self._admin[i]]
            uniq = located or uniq
        if group_hint and any(self.kinds[i] is Kind.INTERCOMMUNALITY for i in uniq):
            return [i for i in uniq if self.kinds[i] is Kind.INTERCOMMUNALITY]
        top = min(rank.get(self.levels[i], len(rank)) for i in uniq)
        return [i for i in uniq if rank.get(self.levels[i], len(rank)) == top]

    def _far_bound(self, i: int) -> float:
        """How far a name match may lie from the listed point: large cities cover large areas and lists
        often geocode their wider region (Niigata is 39 km from its prefecture's centroid)."""
        return self.far_km + float(np.sqrt(self.population[i])) / 20.0

    def _single(self, stage: str, i: int, dist: float | None) -> Resolution:
        if dist is not None and dist > self._far_bound(i):
            return Resolution(UNRESOLVED, None, f"{stage}:unique_far", dist, (self.ids[i],))
        return Resolution(RESOLVED, self.ids[i], f"{stage}:unique", dist)

    def _decide(
        self, stage: str, key: str, spelled: str, cands: list[int], lat: float | None, lon: float | None
    ) -> Resolution:
        """One candidate, or homonyms separated by coordinates, main name, spelling, then population."""
        ix = np.asarray(cands, dtype=np.int64)
        if lat is not None and lon is not None:
            d = haversine_km(lat, lon, self.lat[ix], self.lon[ix])
        else:
            d = np.full(len(ix), np.nan)
        dist = [None if np.isnan(x) else float(x) for x in d]
        if len(ix) == 1:
            return self._single(stage, int(ix[0]), dist[0])
        ids = tuple(self.ids[i] for i in ix)
        pool = list(range(len(ix)))
        located = not np.all(np.isnan(d))
        if located:
            dd = np.where(np.isnan(d), np.inf, d)
            order = np.argsort(dd)
            d1, d2 = float(dd[order[0]]), float(dd[order[1]])
            if d1 <= self.homonym_km and d2 >= 3 * d1 and d2 - d1 >= 2.0:
                return Resolution(RESOLVED, self.ids[ix[order[0]]], f"{stage}:nearest_homonym", d1)
            pool = [j for j in pool if dd[j] <= self.homonym_km] or pool
        # Several candidates near the point (or none near it): a candidate whose own name is the key beats
        # one that only has it as an alternate name (GeoNames lists "Lexington" and "Lexington-Fayette");
        # then the exact spelling with accents ("Munster" is not "Münster").
        main = [j for j in pool if self._main[ix[j]] == key]
        pick = main if len(main) == 1 else [j for j in (main or pool) if self._spelled[ix[j]] == spelled]
        if len(pick) == 1:
            j = pick[0]
            dj = dist[j]
            if dj is not None and dj > self.homonym_km:
                return self._single(stage, int(ix[j]), dj)  # judged like a unique match, far or not
            return Resolution(RESOLVED, self.ids[ix[j]], f"{stage}:main_name_homonym", dj)
        if located:
            d1 = float(np.nanmin(d))
            why = "homonyms_close" if d1 <= self.homonym_km else "homonyms_far"
            return Resolution(AMBIGUOUS, None, f"{stage}:{why}", d1, ids)
        largest = self._dominant(ids)
        if largest is not None:
            return Resolution(RESOLVED, largest, f"{stage}:largest_homonym")
        return Resolution(AMBIGUOUS, None, f"{stage}:homonyms_no_coordinates", None, ids)

    def _nearby(
        self, keys: list[str], country: str, lat: float, lon: float, allowed: frozenset[Kind] | None,
        *, nearest: bool,
    ) -> Resolution | None:
        """Rule 4: a close name nearby, else (``nearest``) the nearest commune within ``nearest_km``."""
        ix, d = self.nearest(country, lat, lon, max(self.fuzzy_km, self.nearest_km if nearest else 0.0))
        if allowed is not None:
            mask = np.asarray([self.kinds[i] in allowed for i in ix], dtype=bool)
            ix, d = ix[mask], d[mask]
        best, best_sim, best_d = -1, 0.0, 0.0
        for i, dist in zip(ix, d):
            if dist > self.fuzzy_km:
                break
            main = self._main[i]
            sim = max((_similar(q, k, k == main) for q in keys for k in self._keys[i]), default=0.0)
            if sim > best_sim:
                best, best_sim, best_d = int(i), sim, float(dist)
        if best >= 0 and best_sim >= self.fuzzy_min:
            return Resolution(RESOLVED, self.ids[best], "fuzzy_name_nearby", best_d)
        if nearest and len(ix) and d[0] <= self.nearest_km:
            return Resolution(RESOLVED, self.ids[int(ix[0])], "nearest_commune", float(d[0]))
        return None
