"""The gathered first stage (matcher.ranking.first_stage) against the reference: every feature as a column over
every candidate, then the ranker's weighted sum (``PairRanker.prefilter_columns``). Brute force."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest
from support.rankers import synthetic_ranker
from support.worlds import random_world

from matcher.domain import Facet, Filters, Kind, Profile
from matcher.encoding import HashingEncoder
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.engine import MatchState
from matcher.ranking.features import FEATURE_INDEX, FEATURES, text_features
from matcher.ranking.first_stage import first_stage
from matcher.ranking.ranker import PairRanker
from matcher.ranking.scoring import _shares, columns
from matcher.ranking.state import eligible_rows, query_from_profile, query_from_row
from matcher.ranking.text_corpus import profile_texts

ENC = HashingEncoder(dim=64)


def _text_ranker() -> PairRanker:
    r = copy.deepcopy(synthetic_ranker())
    rng = np.random.default_rng(3)
    X = np.zeros((400, len(FEATURES)))
    y = rng.random(400) < 0.1
    X[:, FEATURE_INDEX["text_dense"]] = rng.normal(size=400) + 2 * y
    X[:, FEATURE_INDEX["text_lex"]] = rng.normal(size=400) + y
    X[:, FEATURE_INDEX["query_text"]] = 1.0
    return r.fit_text(X, y.astype(int))


@pytest.fixture(scope="module")
def world() -> MatchState:
    profiles, links, countries = random_world(3_000, 1)
    texts = profile_texts(profiles)
    keys = sorted(texts)
    vecs = ENC.encode([texts[k] for k in keys])
    arrays = CatalogueArrays.build(profiles, countries, {k: vecs[i] for i, k in enumerate(keys)}, dim=64)
    return MatchState.build(arrays, links, _text_ranker(), countries)


def _check(st: MatchState, q, cand: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    assert st.ranker is not None
    reference = st.ranker.prefilter_columns(columns(st, q, cand))
    fast = first_stage(st.ranker, q, st.arrays, st.history, cand, text_features(q, st.arrays, cand),
                       priority=st.priority, level_compat=st.level_compat, shares=_shares(st, q))
    assert not np.isnan(fast).any()
    np.testing.assert_allclose(fast, reference, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("row", [0, 7, 150, 299, 300, 1_000, 2_999])  # French queries, then foreign ones
def test_catalogue_queries(world: MatchState, row: int) -> None:
    q = query_from_row(world.arrays, row)
    _check(world, q, eligible_rows(world, q, None, Filters()))


@pytest.mark.parametrize("row", [3, 42, 301])
def test_leave_one_out_queries(world: MatchState, row: int) -> None:
    """As the evaluation asks: the query's own links out of the history (degree, shares, sources)."""
    q = query_from_row(world.arrays, row, exclude_rows=(row,))
    _check(world, q, eligible_rows(world, q, None, Filters(include_existing=True)))


@pytest.mark.parametrize("profile", [
    Profile(id="x", name="Sans-Lieu", kind=Kind.COMMUNE, country="FR"),  # no place, no size
    Profile(id="x", name="Eauville", kind=Kind.COMMUNE, country="FR", population=3_000, lat=45.0, lon=2.0,
            expertise=Facet(("water_sanitation",), "Assainissement et eau potable, régie de l'eau")),
    Profile(id="x", name="Preferring", kind=Kind.COMMUNE, country="FR", population=20_000, lat=47.0, lon=1.0,
            preferred_countries=("SN",), languages=("fr",)),
    Profile(id="x", name="Nowhere", kind=Kind.MUNICIPALITY, country="ZZ"),  # a country the catalogue lacks
])
def test_ad_hoc_queries(world: MatchState, profile: Profile) -> None:
    q = query_from_profile(profile, world.arrays, encoder=ENC, countries=world.countries)
    _check(world, q, eligible_rows(world, q, profile, Filters()))


def test_a_structural_ranker_without_text_model(world: MatchState) -> None:
    st = replace(world, ranker=synthetic_ranker())
    q = query_from_row(st.arrays, 11)
    _check(st, q, eligible_rows(st, q, None, Filters()))
