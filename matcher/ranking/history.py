"""Collaborative priors learned from known partnerships.

Twinnings cluster between areas (a French département and a German district, a région and a
province). For a query q and every candidate c, with each known link (a, b) weighted by how close its
end ``a`` is to q (a distance kernel, plus same département / région):

- ``direct``:  Σ w(a) · [b = c]                 authorities near q partnered with c itself
- ``near``:    Σ w(a) · k(d(b, c)), b ≠ c        ... with places near c
- ``admin1``:  Σ w(a) · [admin1(b) = admin1(c)]  ... with c's admin-1 region
- ``country``: Σ w(a) · [country(b) = country(c)] / Σ w(a)   share of the neighbourhood's links
- ``country_global``: share of all links from q's country going to c's country
- ``admin1_global``: ... going to c's admin-1 region (Bavaria, Catalonia: where twinning clusters)
- ``near_global``: Σ k(d(b, c)) over all links from q's country, b ≠ c: how twinned with q's country the
  area around c is, at the scale of a few towns (finer than the admin-1 share, and for the whole country
  where ``near`` only reads q's neighbourhood)
- ``degree``:  c's number of known partners (availability / activity)

Leave-one-out: links touching the query (or any id in ``exclude``) are ignored, so the query's own
partners never explain themselves. Pure numpy/scipy on arrays; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.neighbors import BallTree

from matcher.domain import Link
from matcher.geo import EARTH_RADIUS_KM, km_from_dot
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.derived import once

QUERY_SCALE_KM = 10.0  # query-side kernel: exp(-d / scale) up to QUERY_RADIUS_KM
QUERY_RADIUS_KM = 50.0
NEAR_SCALE_KM = 25.0  # candidate-side kernel around each partner
NEAR_RADIUS_KM = 60.0
SAME_ADMIN2_WEIGHT = 0.5
SAME_ADMIN1_WEIGHT = 0.15

HISTORY_FEATURES = ("direct", "near", "admin1", "country", "country_global", "admin1_global", "near_global",
                    "degree")


@dataclass(frozen=True)
class HistoryIndex:
    """Links as row-index arrays over a ``CatalogueArrays``, both orientations, plus the neighbour kernel."""

    src: np.ndarray  # (2L,) row of the end near the query
    dst: np.ndarray  # (2L,) row of the partner end
    dst_pos: np.ndarray  # (2L,) index of dst into ``endpoints``
    endpoints: np.ndarray  # (E,) unique dst rows
    kernel: sp.csr_matrix  # (E, n) k(d(endpoint, c)), zero beyond NEAR_RADIUS_KM and on the diagonal
    degree: np.ndarray  # (n,) known partners per row
    n: int

    @classmethod
    def build(cls, arrays: CatalogueArrays, links: Iterable[Link]) -> HistoryIndex:
        pairs = [(arrays.row(link.a), arrays.row(link.b)) for link in links]
        rows = np.array([(a, b) for a, b in pairs if a is not None and b is not None and a != b],
                        dtype=np.int64).reshape(-1, 2)
        src = np.concatenate([rows[:, 0], rows[:, 1]])
        dst = np.concatenate([rows[:, 1], rows[:, 0]])
        endpoints, dst_pos = np.unique(dst, return_inverse=True)
        kernel = neighbour_kernel(arrays, endpoints)
        degree = np.bincount(dst, minlength=arrays.n).astype(np.float32)
        return cls(src=src, dst=dst, dst_pos=dst_pos, endpoints=endpoints, kernel=kernel, degree=degree,
                   n=arrays.n)

    def subset(self, keep_links: np.ndarray) -> HistoryIndex:
        """The index restricted to some links (mask over the first L orientation), kernel shared."""
        keep = np.concatenate([keep_links, keep_links])
        dst = self.dst[keep]
        return HistoryIndex(src=self.src[keep], dst=dst, dst_pos=self.dst_pos[keep], endpoints=self.endpoints,
                            kernel=self.kernel, degree=np.bincount(dst, minlength=self.n).astype(np.float32),
                            n=self.n)

    @property
    def n_links(self) -> int:
        return len(self.src) // 2


def neighbour_kernel(arrays: CatalogueArrays, endpoints: np.ndarray) -> sp.csr_matrix:
    """Sparse k(d(e, c)) = exp(-d / NEAR_SCALE_KM) for every endpoint e and catalogue row c within radius."""
    n = arrays.n
    ok = arrays.has_coord
    coord_rows = np.flatnonzero(ok)
    if len(endpoints) == 0 or len(coord_rows) == 0:
        return sp.csr_matrix((len(endpoints), n), dtype=np.float32)
    tree = BallTree(np.radians(np.stack([arrays.lat[ok], arrays.lon[ok]], axis=1)), metric="haversine")
    e_ok = ok[endpoints]
    q = np.radians(np.stack([arrays.lat[endpoints[e_ok]], arrays.lon[endpoints[e_ok]]], axis=1))
    ind, dist = tree.query_radius(q, r=NEAR_RADIUS_KM / EARTH_RADIUS_KM, return_distance=True)
    e_idx = np.flatnonzero(e_ok)
    r_list, c_list, v_list = [], [], []
    for i, (cols, d) in enumerate(zip(ind, dist)):
        cols = coord_rows[cols]
        km = d * EARTH_RADIUS_KM
        keep = cols != endpoints[e_idx[i]]
        r_list.append(np.full(int(keep.sum()), e_idx[i]))
        c_list.append(cols[keep])
        v_list.append(np.exp(-km[keep] / NEAR_SCALE_KM))
    r = np.concatenate(r_list) if r_list else np.zeros(0, dtype=np.int64)
    c = np.concatenate(c_list) if c_list else np.zeros(0, dtype=np.int64)
    v = np.concatenate(v_list) if v_list else np.zeros(0)
    return sp.csr_matrix((v.astype(np.float32), (r, c)), shape=(len(endpoints), n))


def source_weights(
    history: HistoryIndex,
    arrays: CatalogueArrays,
    *,
    q_xyz: np.ndarray | None,
    q_admin2: int,
    q_admin1: int,
    exclude_rows: Sequence[int] = (),
) -> np.ndarray:
    """w(a) for each link orientation: how much the link's near end speaks for the query's area."""
    src = history.src
    w = np.zeros(len(src), dtype=np.float64)
    if q_xyz is not None:
        dot = arrays.xyz[src] @ q_xyz
        km = km_from_dot(dot)
        has = arrays.has_coord[src]
        w = np.where(has & (km <= QUERY_RADIUS_KM), np.exp(-km / QUERY_SCALE_KM), 0.0)
    if q_admin2 >= 0:
        w = np.maximum(w, SAME_ADMIN2_WEIGHT * (arrays.admin2[src] == q_admin2))
    if q_admin1 >= 0:
        w = np.maximum(w, SAME_ADMIN1_WEIGHT * (arrays.admin1[src] == q_admin1))
    if len(exclude_rows):
        ex = np.asarray(exclude_rows)
        w[np.isin(src, ex) | np.isin(history.dst, ex)] = 0.0
    return w


def history_features(
    history: HistoryIndex,
    arrays: CatalogueArrays,
    w: np.ndarray,
    *,
    q_country: int,
    country_share: Shares,
    candidates: np.ndarray,
    exclude_rows: Sequence[int] = (),
) -> dict[str, np.ndarray]:
    """The HISTORY_FEATURES for ``candidates`` (row indices), given source weights ``w``."""
    n = arrays.n
    dst = history.dst
    direct = np.bincount(dst, weights=w, minlength=n)
    w_end = np.bincount(history.dst_pos, weights=w, minlength=len(history.endpoints))
    nz = np.flatnonzero(w_end)
    near = (history.kernel[nz].T @ w_end[nz]) if len(nz) else np.zeros(n)
    a1 = arrays.admin1[dst]
    ok = a1 >= 0
    admin1_w = np.bincount(a1[ok], weights=w[ok], minlength=max(len(arrays.admin1_keys), 1))
    cand_a1 = arrays.admin1[candidates]
    admin1 = np.where(cand_a1 >= 0, admin1_w[np.maximum(cand_a1, 0)], 0.0)
    total = w.sum()
    country_w = np.bincount(arrays.country[dst], weights=w, minlength=len(arrays.country_codes))
    country = country_w[arrays.country[candidates]] / total if total > 0 else np.zeros(len(candidates))
    degree = history.degree
    if len(exclude_rows):
        # Leave-one-out also for availability: the query's own links do not count for c.
        degree = degree.copy()
        ex = np.asarray(exclude_rows)
        touching = np.isin(history.src, ex)
        np.subtract.at(degree, dst[touching], 1.0)
    return {
        "direct": direct[candidates],
        "near": np.asarray(near).ravel()[candidates],
        "admin1": admin1,
        "country": country,
        "country_global": country_share.country[arrays.country[candidates]] if q_country >= 0
        else np.zeros(len(candidates)),
        "admin1_global": np.where(cand_a1 >= 0, country_share.admin1[np.maximum(cand_a1, 0)], 0.0)
        if q_country >= 0 else np.zeros(len(candidates)),
        "near_global": country_share.near_of(candidates) if q_country >= 0 else np.zeros(len(candidates)),
        "degree": np.maximum(degree[candidates], 0.0),
    }


@dataclass(frozen=True)
class Shares:
    """Where the links of one country's authorities go: share per country and per admin-1 region."""

    country: np.ndarray  # (n_countries,)
    admin1: np.ndarray  # (n_admin1 keys,)
    endpoint_links: np.ndarray  # (E,) the country's links ending at each history endpoint
    near: np.ndarray  # (n,) Σ k(d(endpoint, row)) weighted by ``endpoint_links`` (the ``near_global`` prior)

    def near_nonzero(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, values) where ``near`` is not zero: a few thousand of the catalogue's rows. Computed once."""
        def build() -> tuple[np.ndarray, np.ndarray]:
            rows = np.flatnonzero(self.near)
            return rows, self.near[rows].astype(float)

        return once(self, "_near_nonzero", build)

    def padded(self, n_countries: int, n_admin1: int) -> Shares:
        """These shares over a catalogue with more country or admin-1 keys (a written profile brought a
        new one): a key that no link reaches has a share of 0. Unchanged sizes: ``self``."""
        if len(self.country) >= n_countries and len(self.admin1) >= max(n_admin1, 1):
            return self
        return Shares(_pad(self.country, n_countries), _pad(self.admin1, max(n_admin1, 1)), self.endpoint_links,
                      self.near)

    def near_of(self, rows: np.ndarray) -> np.ndarray:
        """``near`` of some rows; rows appended after these shares were computed (a profile created
        since) are beyond every kernel's reach, like the zero-padded kernel says."""
        out = np.zeros(len(rows))
        inside = rows < len(self.near)
        out[inside] = self.near[rows[inside]]
        return out


def _pad(values: np.ndarray, n: int) -> np.ndarray:
    return values if len(values) >= n else np.concatenate([values, np.zeros(n - len(values), dtype=values.dtype)])


def country_shares(history: HistoryIndex, arrays: CatalogueArrays, q_country: int,
                   exclude_rows: Sequence[int] = ()) -> Shares:
    """Shares of links from authorities of ``q_country`` (leave-one-out aware)."""
    mask = arrays.country[history.src] == q_country
    if len(exclude_rows):
        ex = np.asarray(exclude_rows)
        mask &= ~(np.isin(history.src, ex) | np.isin(history.dst, ex))
    dst = history.dst[mask]
    counts = np.bincount(arrays.country[dst], minlength=len(arrays.country_codes)).astype(float)
    a1 = arrays.admin1[dst]
    a1_counts = np.bincount(a1[a1 >= 0], minlength=max(len(arrays.admin1_keys), 1)).astype(float)
    endpoint_links = np.bincount(history.dst_pos[mask], minlength=len(history.endpoints)).astype(float)
    nz = np.flatnonzero(endpoint_links)
    near = (np.asarray(history.kernel[nz].T @ endpoint_links[nz]).ravel() if len(nz)
            else np.zeros(history.kernel.shape[1]))
    total = counts.sum()
    if total == 0:
        return Shares(counts, a1_counts, endpoint_links, near)
    return Shares(counts / total, a1_counts / total, endpoint_links, near)
