"""Brute-force checks of the vectorised history priors on a random little world.

Each prior in ``matcher.ranking.history`` is a sum over known links; here every one is recomputed by a plain
loop over links with haversine distances, and the fast path must agree, leave-one-out included.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from profiles_fixture import COUNTRIES, fr

from matcher.domain import Kind, Link, Profile
from matcher.geo import EARTH_RADIUS_KM
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.history import (
    NEAR_RADIUS_KM,
    NEAR_SCALE_KM,
    QUERY_RADIUS_KM,
    QUERY_SCALE_KM,
    SAME_ADMIN1_WEIGHT,
    SAME_ADMIN2_WEIGHT,
    HistoryIndex,
    country_shares,
    history_features,
    source_weights,
)


def _km(p: Profile, q: Profile) -> float:
    assert p.lat is not None and p.lon is not None and q.lat is not None and q.lon is not None
    la1, lo1, la2, lo2 = map(math.radians, (p.lat, p.lon, q.lat, q.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _world(seed: int) -> tuple[list[Profile], list[Link]]:
    rng = np.random.default_rng(seed)
    profiles = [fr(f"FR-COM-{i:05d}", f"Commune {i}", 45 + rng.uniform(-0.6, 0.6), 4.8 + rng.uniform(-0.8, 0.8),
                   int(rng.integers(1_000, 90_000)), dep=str(rng.choice(["01", "69"])), region="84")
                for i in range(30)]
    for i in range(40):
        country = str(rng.choice(["DE", "ES"]))
        lat0, lon0 = (49.0, 8.5) if country == "DE" else (41.5, 2.0)
        profiles.append(Profile(
            id=f"GN-{i}", name=f"Town {i}", kind=Kind.MUNICIPALITY, country=country,
            admin1_code=str(rng.choice(["01", "02"])), population=int(rng.integers(2_000, 200_000)),
            lat=lat0 + rng.uniform(-0.7, 0.7), lon=lon0 + rng.uniform(-0.9, 0.9), source="test"))
    fr_ids = [p.id for p in profiles if p.country == "FR"]
    abroad = [p.id for p in profiles if p.country != "FR"]
    pairs = {(str(rng.choice(fr_ids)), str(rng.choice(abroad))) for _ in range(60)}
    return profiles, [Link(a, b, "twinning", "test") for a, b in sorted(pairs)]


def _brute(profiles: list[Profile], links: list[Link], q: Profile, c: Profile, exclude: set[str]
           ) -> dict[str, float]:
    by_id = {p.id: p for p in profiles}
    # Both orientations of every link not touching an excluded id: (near end a, partner end b).
    ends = [(by_id[x.a], by_id[x.b]) for x in links if not {x.a, x.b} & exclude]
    ends += [(b, a) for a, b in ends]

    def w(a: Profile) -> float:
        km = _km(a, q)
        v = math.exp(-km / QUERY_SCALE_KM) if km <= QUERY_RADIUS_KM else 0.0
        if a.admin2_code and a.admin2_code == q.admin2_code:
            v = max(v, SAME_ADMIN2_WEIGHT)
        if a.admin1_code == q.admin1_code and a.country == q.country:
            v = max(v, SAME_ADMIN1_WEIGHT)
        return v

    def k(b: Profile) -> float:
        km = _km(b, c)
        return math.exp(-km / NEAR_SCALE_KM) if b.id != c.id and km <= NEAR_RADIUS_KM else 0.0

    total = sum(w(a) for a, _ in ends)
    from_q_country = [b for a, b in ends if a.country == q.country]
    return {
        "direct": sum(w(a) for a, b in ends if b.id == c.id),
        "near": sum(w(a) * k(b) for a, b in ends),
        "admin1": sum(w(a) for a, b in ends if b.country == c.country and b.admin1_code == c.admin1_code),
        "country": sum(w(a) for a, b in ends if b.country == c.country) / total if total else 0.0,
        "country_global": sum(b.country == c.country for b in from_q_country) / len(from_q_country),
        "admin1_global": sum(b.country == c.country and b.admin1_code == c.admin1_code for b in from_q_country)
        / len(from_q_country),
        "near_global": sum(k(b) for b in from_q_country),
        "degree": sum(b.id == c.id for _, b in ends),
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("leave_one_out", [False, True])
def test_history_features_equal_brute_force(seed: int, leave_one_out: bool) -> None:
    profiles, links = _world(seed)
    countries = {c.code: c for c in COUNTRIES}
    a = CatalogueArrays.build(profiles, countries, {}, dim=8)
    h = HistoryIndex.build(a, links)
    fr_rows = [a.row(p.id) for p in profiles if p.country == "FR"]
    cand = np.array([a.row(p.id) for p in profiles if p.country != "FR"])
    for qr in fr_rows[:8]:
        assert qr is not None
        q = profiles[qr]
        exclude = (qr,) if leave_one_out else ()
        w = source_weights(h, a, q_xyz=a.xyz[qr], q_admin2=int(a.admin2[qr]), q_admin1=int(a.admin1[qr]),
                           exclude_rows=exclude)
        shares = country_shares(h, a, int(a.country[qr]), exclude)
        fast = history_features(h, a, w, q_country=int(a.country[qr]), country_share=shares, candidates=cand,
                                exclude_rows=exclude)
        for j, cr in enumerate(cand):
            slow = _brute(profiles, links, q, profiles[cr], {q.id} if leave_one_out else set())
            for name, value in slow.items():
                assert fast[name][j] == pytest.approx(value, rel=1e-4, abs=1e-6), (name, q.id, profiles[cr].id)


def test_near_global_reaches_appended_rows_as_zero() -> None:
    """A profile created after the shares were cached has no kernel entries: its prior is 0, not an error."""
    profiles, links = _world(3)
    a = CatalogueArrays.build(profiles, {c.code: c for c in COUNTRIES}, {}, dim=8)
    h = HistoryIndex.build(a, links)
    shares = country_shares(h, a, a.country_index("FR"))
    rows = np.array([a.n - 1, a.n, a.n + 5])
    out = shares.near_of(rows)
    assert out[0] == shares.near[a.n - 1] and out[1] == 0 and out[2] == 0
