"""Known answers across languages, on the real multilingual model (USE v3 via sentence-transformers).

Each query's needs are written in one language and the right partner's expertise in another; a
keyword matcher would see no shared word. Marked ``real_model`` (loads the packaged weights, offline).
"""

from __future__ import annotations

import pytest
from support.worlds import MULTILINGUAL_COUNTRIES as COUNTRIES

from matcher.domain import Facet, Kind, Profile
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.engine import MatchState, recommend
from matcher.ranking.text_corpus import profile_texts

pytestmark = pytest.mark.real_model

def p(id_: str, country: str, lat: float, lon: float, expertise: str, needs: str) -> Profile:
    kind = Kind.COMMUNE if country == "FR" else Kind.MUNICIPALITY
    # No coordinates: geography is the same unknown for every pair, so the texts decide.
    del lat, lon
    return Profile(id=id_, name=id_, kind=kind, country=country, population=20_000,
                   expertise=Facet((), expertise), needs=Facet((), needs))


# Two-by-two: (query, right partner).
WORLD = [
    p("fr-water", "FR", 45.0, 2.0, "Régie municipale de l'eau potable et de l'assainissement des eaux usées",
      "Développer le tourisme culturel et l'artisanat"),
    p("sn-sanitation", "SN", 14.7, -17.4, "Cultural tourism, crafts and music festivals",
      "We need help with sewage treatment, sanitation and drinking water supply"),
    p("fr-registry", "FR", 47.0, 1.0, "Modernisation et numérisation de l'état civil",
      "Échanges sportifs entre clubs de football"),
    p("br-registry", "BR", -8.0, -35.0, "Escolas de futebol e esporte para jovens",
      "Precisamos modernizar o registro civil e digitalizar as certidões de nascimento"),
    p("de-energy", "DE", 48.0, 9.0, "Erneuerbare Energien, Solarparks und kommunale Energieeffizienz",
      "Austausch über Landwirtschaft und Ernährungssicherheit"),
    p("ma-energy", "MA", 33.6, -7.6, "الزراعة والأمن الغذائي",
      "نحتاج إلى دعم في مجال الطاقة الشمسية والطاقات المتجددة"),
    p("es-waste", "ES", 40.4, -3.7, "Gestión de residuos sólidos, recogida selectiva y reciclaje",
      "Intercambios de jóvenes y programas de voluntariado"),
    p("tn-waste", "TN", 36.8, 10.2, "Volontariat et échanges de jeunes",
      "Nous cherchons un appui pour la collecte et le recyclage des déchets ménagers"),
]


@pytest.fixture(scope="module")
def world_state(ranker):
    from matcher.encoding import SentenceTransformerEncoder

    enc = SentenceTransformerEncoder()
    texts = profile_texts(WORLD)
    keys = sorted(texts)
    vecs = enc.encode([texts[k] for k in keys])
    arrays = CatalogueArrays.build(WORLD, COUNTRIES, {k: vecs[i] for i, k in enumerate(keys)}, dim=enc.dim)
    return MatchState.build(arrays, [], ranker, COUNTRIES), enc


@pytest.mark.parametrize("query, partner", [
    ("fr-water", "sn-sanitation"), ("sn-sanitation", "fr-water"),
    ("fr-registry", "br-registry"), ("br-registry", "fr-registry"),
    ("de-energy", "ma-energy"), ("ma-energy", "de-energy"),
    ("es-waste", "tn-waste"), ("tn-waste", "es-waste"),
])
def test_cross_language_partner_first(world_state, query, partner):
    state, enc = world_state
    by_id = {x.id: x for x in WORLD}
    got = recommend(by_id[query], state=state, encoder=enc, k=3)
    assert got[0].id == partner, [(m.id, m.score) for m in got]
    assert got[0].reasons[0].code in ("text_dense", "text_lex", "names_mentioned")


def test_encoder_is_offline_and_normalised():
    import numpy as np

    from matcher.encoding import SentenceTransformerEncoder

    enc = SentenceTransformerEncoder()
    v = enc.encode(["eau potable", "drinking water", "football"])
    assert v.shape == (3, 512)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3
