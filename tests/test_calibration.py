"""Size calibration (``matcher.ranking.size_fit``) and the head of a list (``listing.head_keys``)."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.ranking import size_fit as cal


@pytest.mark.parametrize("ratio, expected", [
    (-2.0, 0), (-1.0, 0), (-0.7, 1), (0.0, 2), (0.47, 2), (0.6, 3), (1.0, 3), (1.01, 4), (np.nan, -1),
])
def test_ratio_bins(ratio, expected):
    assert cal.bins_of(np.array([ratio])).tolist() == [expected]


@pytest.mark.parametrize("population, band", [(500, 0), (1_500, 1), (4_999, 2), (5_000, 3), (19_999, 4),
                                              (20_000, 5), (2_000_000, 8)])
def test_query_bands_have_5000_and_20000_as_edges(population, band):
    assert cal.bands_of(np.log10([population])).tolist() == [band]
    assert np.isnan(np.nan) and cal.bands_of(np.array([np.nan])).tolist() == [-1]


def test_offsets_make_top_lists_look_like_real_partners():
    """Known answer: each query's 20 cities (> 10x its size) score d above its 30 towns of its size, d uniform
    in [0, 2] across queries; real partners are 80 % towns of its size. Before, every top 10 is cities; the
    fitted price of a city is where P(d > price) = 0.2, so 20 % of top-10 places go to cities."""
    rng = np.random.default_rng(0)
    q = np.log10(8_000)
    pools, partners = [], []
    for _ in range(400):
        ratios = np.r_[np.full(20, 1.5), np.full(30, 0.0)]
        d = rng.uniform(0, 2)
        scores = np.r_[np.full(20, 0.5 + d), np.full(30, 0.5)] + rng.normal(0, 0.001, 50)
        pools.append((scores, q, ratios))
        partners.append((q, np.r_[np.zeros(8), np.full(2, 1.5)]))
    table, report = cal.fit_offsets(pools, partners)
    assert report["over10_top_before"] == pytest.approx(1.0)
    assert report["over10_top_after"] == pytest.approx(0.2, abs=0.05)
    assert report["over10_partners"] == pytest.approx(0.2)
    band = cal.bands_of(np.array([q]))[0]
    assert table[band, 4] - table[band, 2] == pytest.approx(-1.6, abs=0.15)  # P(d > 1.6) = 0.2


def test_no_population_no_offset():
    table = np.full((cal.N_BANDS, cal.N_BINS), -2.0)
    got = cal.offsets_for(table, np.array([np.nan, 4.0, 4.0]), np.array([0.0, np.nan, 0.0]))
    assert got.tolist() == [0.0, 0.0, -2.0]


def test_the_head_is_reordered_and_the_rest_keeps_the_ranker_order(state):
    import copy
    from dataclasses import replace

    from matcher.ranking.features import FEATURE_INDEX, FEATURES
    from matcher.ranking.listing import head_keys
    from matcher.ranking.scoring import Scored

    def rows(gaps: np.ndarray) -> np.ndarray:  # a query of 100,000 inhabitants; a gap of 1.5: a city 30x its size
        X = np.zeros((len(gaps), len(FEATURES)))
        X[:, FEATURE_INDEX["size_gap"]] = gaps
        X[:, FEATURE_INDEX["size"]] = 5.0 + gaps
        return X

    # Learned, not written: training queries whose lists are cities (4 logits above their towns) and whose
    # real partners are towns their size price a city well below a town.
    gaps = np.r_[np.full(20, 1.5), np.zeros(30)]
    pools = [(np.r_[np.full(20, 4.5), np.full(30, 0.5)], rows(gaps)) for _ in range(50)]
    ranker = copy.deepcopy(state.ranker).fit_size_offsets(pools, [rows(np.zeros(10))] * 50)
    assert ranker.size_fit_["over10_top_before"] == 1.0 and ranker.size_fit_["over10_top_after"] == 0.0
    n = 400
    X = rows(np.where(np.arange(n) % 2, 1.5, 0.0))  # odd rows: cities
    logits = np.sort(np.random.default_rng(1).normal(size=n))[::-1].copy()
    key = head_keys(replace(state, ranker=ranker), Scored(np.arange(n), X, logits))
    order = np.argsort(-key, kind="stable")
    head, rest = order[:cal.TOP_K], order[cal.TOP_K:]
    assert all(X[head, FEATURE_INDEX["size_gap"]] == 0.0)  # no city in the head
    assert set(head) <= set(range(cal.POOL))
    assert list(rest) == sorted(rest)  # the rest in the ranker's order (logits are sorted)
