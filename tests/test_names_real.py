"""Names on the real catalogue (slow: loads it): the two communes of issue 23 write "Petite commune du
Finistère… Grand site…" and no namesake (Petite Rivière, Petite Anse, Grand, Le Grand, Orp-le-Grand…)
is read as mentioned, so none enters their top 10 through ``names_mentioned``; a real mention still counts."""

from __future__ import annotations

import numpy as np
import pytest
from support.rankers import MonotoneLists

from matcher.domain import Facet, Filters
from matcher.encoding import HashingEncoder
from matcher.paths import DATA_DIR, MODELS_DIR
from matcher.ranking.features import mention_shares
from matcher.ranking.state import query_from_profile

pytestmark = [pytest.mark.slow]

COMMUNES = ("FR-COM-29217", "FR-COM-29003")  # Pont-Aven, Audierne
TEXT = ("Petite commune du Finistère, nous sommes un Grand site de France et une Petite Cité de Caractère. "
        "Nouvelle stratégie : notre régie de l'eau potable et de l'assainissement forme les agents d'autres "
        "collectivités. Grand Prix de la ville, Port de plaisance, Belle-Île au large.")


@pytest.fixture(scope="module")
def matcher(tmp_path_factory):
    from matcher.ranking.loading import load_matcher
    from matcher.store.sqlite import SQLiteStore

    store = SQLiteStore.open(tmp_path_factory.mktemp("db") / "twinmatch.db", DATA_DIR)
    # The names need no meaning: a hashing encoder of the model's width stands in for it.
    m, _ = load_matcher(store, encoder=HashingEncoder(dim=512), ranker_path=MODELS_DIR / "ranker.joblib")
    yield MonotoneLists(m), store
    store.close()


@pytest.mark.parametrize("commune", COMMUNES)
def test_ordinary_words_name_no_namesake(matcher, commune):
    m, store = matcher
    me = store.get(commune).with_changes(expertise=Facet((), TEXT))
    state = m.state
    q = query_from_profile(me, state.arrays, encoder=m.encoder, countries=state.countries)
    by_q, _ = mention_shares(q, state.arrays, np.arange(state.arrays.n))
    # the one place the text does name: the commune's own département (in France, so never a candidate)
    assert [str(state.arrays.names[r]) for r in np.flatnonzero(by_q)] == ["Finistère"]
    for filters in (Filters(), Filters(continents=("AF",))):
        top = m.recommend(me, k=10, filters=filters)
        assert not [x.name for x in top if any(r.code == "names_mentioned" for r in x.reasons)]


def test_a_real_mention_still_counts(matcher):
    m, store = matcher
    me = store.get(COMMUNES[0]).with_changes(expertise=Facet((), TEXT + " Nous coopérons avec Bignona au Sénégal."))
    state = m.state
    q = query_from_profile(me, state.arrays, encoder=m.encoder, countries=state.countries)
    by_q, _ = mention_shares(q, state.arrays, np.arange(state.arrays.n))
    a = state.arrays
    named = {(str(a.names[r]), a.country_codes[a.country[r]]) for r in np.flatnonzero(by_q)}
    assert named == {("Bignona", "SN"), ("Finistère", "FR")}, named
    top = m.recommend(me, k=50, filters=Filters(continents=("AF",)))
    hit = next(x for x in top if x.name == "Bignona")
    reason = next(r for r in hit.reasons if r.code == "names_mentioned")
    assert (reason.text_fr, reason.text_en) == ("Votre texte mentionne Bignona (Sénégal)",
                                                "Your text mentions Bignona (Senegal)")
