"""Known answers on the real catalogue, the real model and the shipped ranker (slow, real model).

A small Breton commune registers its water-and-sanitation expertise; Senegalese towns write their needs:
one small town needs sanitation, larger ones need other things. What each wrote must decide.
"""

from __future__ import annotations

import pytest
from support.rankers import MonotoneLists

from matcher.domain import Facet, Filters
from matcher.paths import DATA_DIR, MODELS_DIR

pytestmark = [pytest.mark.slow, pytest.mark.real_model]

COMMUNE = "FR-COM-29003"  # Audierne, 3,727 inhabitants
SANITATION = "GN-2252336"  # Diouloulou, 5,920 inhabitants
OTHERS = {  # larger Senegalese towns whose needs are about other things
    "GN-2253354": "Dakar souhaite développer ses industries culturelles, la musique et le cinéma.",
    "GN-2244322": "Touba cherche des partenaires pour le sport et les équipements sportifs pour la jeunesse.",
    "GN-2244802": "Thiès veut numériser ses services municipaux et former ses agents à l'informatique.",
    "GN-2250805": "Kaolack souhaite promouvoir le tourisme et l'artisanat local.",
}
WATER = ("Notre commune gère en régie son service d'eau potable et d'assainissement : captage, station "
         "d'épuration, réseaux d'eaux usées, et forme les agents d'autres collectivités.")
NEED_FR = "Notre commune a besoin d'un réseau d'assainissement, de latrines et d'un accès à l'eau potable."
NEED_EN = "Our town needs a sewerage network, latrines and access to clean drinking water."


@pytest.fixture(scope="module")
def matcher(tmp_path_factory):
    from matcher.encoding import SentenceTransformerEncoder
    from matcher.ranking.loading import load_matcher
    from matcher.store.sqlite import SQLiteStore

    db = tmp_path_factory.mktemp("db") / "twinmatch.db"
    store = SQLiteStore.open(db, DATA_DIR)
    m, _ = load_matcher(store, encoder=SentenceTransformerEncoder(), ranker_path=MODELS_DIR / "ranker.joblib")
    for pid, text in OTHERS.items():
        m.profile_written(store.get(pid).with_changes(needs=Facet((), text)))
    yield MonotoneLists(m), store
    store.close()


@pytest.mark.parametrize("need", [NEED_FR, NEED_EN])
def test_water_expertise_finds_the_town_needing_sanitation(matcher, need):
    m, store = matcher
    m.profile_written(store.get(SANITATION).with_changes(needs=Facet((), need)))
    commune = store.get(COMMUNE).with_changes(expertise=Facet((), WATER))
    m.profile_written(commune)
    got = [x.id for x in m.recommend(commune, k=10, filters=Filters(continents=("AF",)))]
    assert SANITATION in got[:3], got
    assert all(got.index(SANITATION) < got.index(o) for o in OTHERS if o in got)
    top = next(x for x in m.recommend(commune, k=3, filters=Filters(continents=("AF",))) if x.id == SANITATION)
    assert {r.code for r in top.reasons} & {"text_dense", "text_lex"}
    assert any("besoins" in r.text_fr for r in top.reasons)


def test_and_the_town_finds_the_commune(matcher):
    m, store = matcher
    m.profile_written(store.get(COMMUNE).with_changes(expertise=Facet((), WATER)))
    town = store.get(SANITATION).with_changes(needs=Facet((), NEED_FR))
    m.profile_written(town)
    got = [x.id for x in m.recommend(town, k=10, filters=Filters(countries=("FR",)))]
    assert COMMUNE in got[:3], got


def test_without_text_the_twinning_model_decides(matcher):
    """A commune that wrote nothing gets the structural ranking: no text reason anywhere."""
    m, store = matcher
    plain = store.get("FR-COM-29006")  # Bénodet
    got = m.recommend(plain, k=10)
    assert got and not {r.code for x in got for r in x.reasons} & {"text_dense", "text_lex", "names_mentioned"}
