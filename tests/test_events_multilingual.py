"""An event in four languages on the real model: the batch path finds the cross-language partners."""

from __future__ import annotations

import pytest
from support.rankers import synthetic_ranker
from support.worlds import MULTILINGUAL_COUNTRIES as COUNTRIES

from matcher.events.batch import rank_event
from matcher.events.event_records import CatalogueView
from matcher.events.participants import read_participants
from matcher.events.schedule import schedule_event

pytestmark = pytest.mark.real_model

# Each French participant's needs are answered by one foreign participant's expertise, in another
# language, and the other way round; no coordinates, so the texts decide.
EVENT = """id,name,country,side,expertise,needs
fr-water,Eauville,FR,fr,Régie municipale de l'eau potable et de l'assainissement des eaux usées,Développer le tourisme culturel et l'artisanat
fr-registry,Registreville,FR,fr,Modernisation et numérisation de l'état civil,Échanges de jeunes et coopération sportive
fr-waste,Tri-sur-Mer,FR,fr,Collecte et recyclage des déchets ménagers,Agriculture urbaine et circuits courts
br-sanitation,Nova Esperança,BR,partner,Turismo cultural e artesanato local,Saneamento básico e tratamento de esgoto
de-youth,Jugendstadt,DE,partner,Jugendaustausch und Sportvereine,Digitalisierung des Standesamts und der Personenstandsregister
ma-farms,Zaraa,MA,partner,الزراعة الحضرية والأسواق المحلية للمزارعين,جمع النفايات وإعادة تدويرها
"""


@pytest.fixture(scope="module")
def real_encoder():
    from matcher.encoding import SentenceTransformerEncoder

    return SentenceTransformerEncoder()


def test_cross_language_event(real_encoder):
    event = read_participants(EVENT.encode(), "forum.csv", CatalogueView(countries=COUNTRIES))
    r = rank_event(event, state=None, encoder=real_encoder, ranker=synthetic_ranker(), countries=COUNTRIES, k=3)
    best = {pid: matches[0].partner_id for pid, matches in zip(r.ids, r.rankings)}
    assert best["fr-water"] == "br-sanitation" and best["br-sanitation"] == "fr-water"
    assert best["fr-registry"] == "de-youth" and best["de-youth"] == "fr-registry"
    assert best["fr-waste"] == "ma-farms" and best["ma-farms"] == "fr-waste"
    plan = schedule_event(event, r, 1)
    assert {(m.a, m.b) for m in plan.meetings} == {("fr-water", "br-sanitation"), ("fr-registry", "de-youth"),
                                                   ("fr-waste", "ma-farms")}
