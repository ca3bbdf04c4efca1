"""Names mentioned only when they are (``matcher.ranking.names``), on a hand-made catalogue of namesakes.

Known answers: every text below is read against the whole fixture; the ids it names are exactly those
listed. Common words are derived from the fixture's own names, as from the catalogue's (with thresholds
scaled to its size: a word in more than 2 names across more than 1 country).
"""

from __future__ import annotations

import numpy as np
import pytest

from matcher.catalogue.files import Country
from matcher.domain import LEVELS, Facet, Kind, Level, Profile
from matcher.encoding import HashingEncoder
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.features import mention_shares
from matcher.ranking.names import MIN_WEIGHT, NameStats, core, text_names, weight
from matcher.ranking.row_edits import with_profile
from matcher.ranking.state import query_from_profile

T, A1 = Level.TOWN, Level.ADMIN1
# (id, name, French name, country, level, population)
ROWS = [
    ("MU-PR", "Petite Rivière", "", "MU", T, 7_000),
    ("HT-PA", "Petite Anse", "", "HT", T, 3_000),
    ("CA-PB", "Petite-Bourgogne", "", "CA", T, 8_000),
    ("CA-RL", "Rivière-du-Loup", "", "CA", T, 20_000),
    ("FR-RS", "Rivière-Salée", "", "FR", T, 12_000),
    ("MU-PL", "Port Louis", "", "MU", T, 150_000),
    ("HT-PP", "Port-au-Prince", "", "HT", T, 1_200_000),
    ("NG-PH", "Port Harcourt", "", "NG", T, 1_000_000),
    ("CI-G", "Grand", "", "CI", T, 2_000),
    ("US-LG", "Le Grand", "", "US", T, 1_500),
    ("BE-OG", "Orp-le-Grand", "", "BE", T, 3_000),
    ("CI-GB", "Grand-Bassam", "", "CI", T, 80_000),
    ("CA-N", "Nouvelle", "", "CA", T, 1_700),
    ("MA-NV", "Nouvelle Ville", "", "MA", T, 5_000),
    ("HT-NF", "Nouvelle-France", "", "HT", T, 2_000),
    ("CR-SJ", "San José", "", "CR", T, 350_000),
    ("US-SJ", "San Jose", "", "US", T, 1_000_000),
    ("CU-SJL", "San José de las Lajas", "", "CU", T, 70_000),
    ("CO-SJG", "San José del Guaviare", "", "CO", T, 60_000),
    ("CR-SC", "Santa Cruz", "", "CR", T, 20_000),
    ("US-SC", "Santa Cruz", "", "US", T, 60_000),
    ("BO-SC", "Santa Cruz de la Sierra", "", "BO", T, 1_400_000),
    ("ES-SC", "Santa Cruz de Tenerife", "", "ES", T, 200_000),
    ("SN-B", "Bignona", "", "SN", T, 30_000),
    ("SN-ZR", "Région de Ziguinchor", "", "SN", A1, 0),
    ("SN-Z", "Ziguinchor", "", "SN", T, 200_000),
    ("DE-N", "Neustadt", "", "DE", T, 15_000),
    ("AT-N", "Neustadt", "", "AT", T, 12_000),
    ("AT-WN", "Wiener Neustadt", "", "AT", T, 45_000),
    ("PT-VN", "Vila Nova", "", "PT", T, 5_000),
    ("BR-VN", "Vila Nova", "", "BR", T, 8_000),
    ("PT-VNG", "Vila Nova de Gaia", "", "PT", T, 300_000),
    ("BR-VV", "Vila Velha", "", "BR", T, 400_000),
    ("BR-NF", "Nova Friburgo", "", "BR", T, 190_000),
    ("OM-S", "Sur", "", "OM", T, 100_000),
    ("CN-M", "Mali", "", "CN", T, 20_000),
    ("TN-T", "Tunis", "", "TN", T, 700_000),
    ("DZ-A", "Algiers", "Alger", "DZ", T, 2_000_000),
    ("FR-PA", "Pont-Aven", "", "FR", T, 2_800),
]
LV = {lv: i for i, lv in enumerate(LEVELS)}
STATS = NameStats.build([(r[1], r[2]) for r in ROWS], [LV[r[4]] for r in ROWS], [r[3] for r in ROWS],
                        [r[5] for r in ROWS], unit_levels=[LV[A1]], common_min_names=2, common_min_countries=1)


def named_by(text: str, own: str = "", own_country: str = "FR") -> set[str]:
    tn = text_names(text, STATS, (own,), own_country)
    return {r[0] for r in ROWS
            if weight(STATS, STATS.phrases(r[1], r[2]), LV[r[4]], r[3], r[5], tn) > 0}


def test_the_common_words_come_from_the_names():
    for w in ("petite", "riviere", "port", "grand", "nouvelle", "san", "jose", "santa", "cruz", "neustadt", "vila", "nova"):
        assert w in STATS.common, w
    for w in ("bignona", "lajas", "gaia", "sur", "louis", "tunis"):
        assert w not in STATS.common, w


@pytest.mark.parametrize("lang, text, own, named", [
    # French: ordinary words and words of a level never name a place
    ("fr", "Petite commune du Finistère, Pont-Aven est un Grand site de France.", "Pont-Aven", set()),
    ("fr", "Petite commune du Finistère. Grand site de France. Nouvelle stratégie culturelle.", "Pont-Aven",
     set()),
    ("fr", "Nouvelle stratégie : la commune s'ouvre à de nouveaux partenariats.", "", set()),
    ("fr", "Nous souhaitons un grand port de pêche et une petite rivière propre.", "", set()),
    ("fr", "Nous développons la coopération avec Bignona au Sénégal depuis 2005.", "", {"SN-B"}),
    ("fr", "Depuis 2005, la coopération avec Bignona porte sur l'eau.", "", {"SN-B"}),
    ("fr", "Le jumelage avec Port-Louis porte sur la culture.", "", {"MU-PL"}),
    ("fr", "Un jumelage avec Petite Rivière, à Maurice.", "", {"MU-PR"}),
    ("fr", "Un jumelage avec Petite Rivière et un projet au Sénégal.", "", set()),
    ("fr", "Coopération avec la région de Ziguinchor et la ville de Ziguinchor.", "", {"SN-ZR", "SN-Z"}),
    ("fr", "Des échanges avec Alger sur les transports.", "", {"DZ-A"}),
    ("fr", "Paris coopère avec Tunis et avec le Mexique.", "", {"TN-T"}),
    ("fr", "Nos projets au Mali portent sur l'eau.", "", set()),
    # a capital that only opens a sentence is no evidence without the country
    ("fr", "Sur le plan de l'eau, nous travaillons avec Bignona.", "", {"SN-B"}),
    ("fr", "Bignona est notre partenaire.", "", set()),
    ("fr", "Bignona est notre partenaire au Sénégal.", "", {"SN-B"}),
    ("fr", "Bignona cherche des partenaires pour l'eau.", "Bignona", set()),
    # Spanish
    ("es", "Cooperamos con San José de las Lajas, en Cuba, en agua potable.", "", {"CU-SJL"}),
    ("es", "Un hermanamiento con Santa Cruz para el turismo.", "", set()),
    ("es", "Un hermanamiento con Santa Cruz, en Costa Rica.", "", {"CR-SC"}),
    ("es", "Un hermanamiento con Santa Cruz, en Bolivia.", "", set()),
    # English
    ("en", "Grand plans: a new port and a partnership with Bignona.", "", {"SN-B"}),
    ("en", "Our twin town Port Louis shares our maritime heritage.", "", {"MU-PL"}),
    # Portuguese
    ("pt", "Parceria com Vila Nova de Gaia para a reabilitação urbana.", "", {"PT-VNG"}),
    ("pt", "Parceria com Vila Nova na área da cultura.", "", set()),
    # German
    ("de", "Partnerschaft mit Neustadt in Deutschland seit 1990.", "", {"DE-N"}),
    ("de", "Partnerschaft mit Neustadt seit 1990.", "", set()),
    ("de", "Partnerschaft mit Wiener Neustadt seit 1990.", "", {"AT-WN"}),
])
def test_a_text_names_exactly_these_places(lang, text, own, named):
    assert named_by(text, own) == named, (lang, text)


@pytest.mark.parametrize("name, phrase", [
    ("Commune de Pilimpikou", ("pilimpikou",)),
    ("Ville de Bobo-Dioulasso", ("bobo", "dioulasso")),
    ("Conseil départemental de la Seine-Saint-Denis", ("seine", "saint", "denis")),
    ("Municipalité de Tunis", ("tunis",)),
    ("Commune d'Agoè-Nyivé 2", ("agoe", "nyive", "2")),
    ("Le Havre", ("havre",)),
    ("Région", ()),
])
def test_a_name_is_its_words_less_its_level(name, phrase):
    assert core(name) == phrase


def test_a_mention_is_worth_the_odds_it_means_this_place():
    tn = text_names("Jumelage avec Santa Cruz, au Costa Rica.", STATS)
    assert weight(STATS, ("santa cruz",), LV[T], "CR", 20_000, tn) == 1.0
    tn = text_names("Jumelage avec Neustadt, en Allemagne et en Autriche.", STATS)
    w = weight(STATS, ("neustadt",), LV[T], "DE", 15_000, tn)
    assert w == pytest.approx(16_000 / (16_000 + 13_000 + 46_000) if w else 0.0)
    assert w == 0.0 and 16_000 / 75_000 < MIN_WEIGHT  # three namesakes in the countries named: no mention


# ---- through the arrays and the scoring path -----------------------------------------------------
COUNTRIES = {c: Country(code=c, name=c, name_fr=c, iso3=c, continent="AF", languages=("fr",), french_official=False)
             for c in {r[3] for r in ROWS} | {"FR"}}


def _profiles() -> list[Profile]:
    kinds = {T: Kind.MUNICIPALITY, A1: Kind.REGION}
    return [Profile(id=i, name=n, name_fr=f, kind=kinds[lv], level=lv, country=c, population=p)
            for i, n, f, c, lv, p in ROWS]


@pytest.fixture(scope="module")
def arrays() -> CatalogueArrays:
    return CatalogueArrays.build(_profiles(), COUNTRIES, {}, dim=8, name_stats=STATS)


def _query(arrays: CatalogueArrays, text: str) -> tuple[np.ndarray, np.ndarray]:
    me = Profile(id="FR-Q", name="Rennes", kind=Kind.COMMUNE, country="FR", expertise=Facet((), text))
    q = query_from_profile(me, arrays, encoder=HashingEncoder(dim=8), countries={})
    return mention_shares(q, arrays, np.arange(arrays.n))


def test_the_query_names_candidates_through_the_sparse_product(arrays):
    by_q, by_c = _query(arrays, "Petite commune. Grand site. Coopération avec Bignona au Sénégal et Port-Louis.")
    # both are named: no namesake of Port Louis lies in the country the text names
    assert {str(arrays.ids[r]) for r in np.flatnonzero(by_q)} == {"SN-B", "MU-PL"}
    assert not by_c.any()
    by_q, _ = _query(arrays, "Notre jumelage avec Port-Louis.")
    assert {str(arrays.ids[r]) for r in np.flatnonzero(by_q)} == {"MU-PL"}


def test_a_candidates_text_names_the_query_and_a_write_is_seen(arrays):
    bignona = next(p for p in _profiles() if p.id == "SN-B")
    written = with_profile(arrays, bignona.with_changes(needs=Facet((), "Nous cherchons un partenaire, "
                                                                        "comme Rennes, en France.")), {}, COUNTRIES)
    me = Profile(id="FR-Q", name="Rennes", kind=Kind.COMMUNE, country="FR", population=220_000)
    q = query_from_profile(me, written, encoder=None, countries={})
    by_q, by_c = mention_shares(q, written, np.arange(written.n))
    assert not by_q.any()
    assert {str(written.ids[r]) for r in np.flatnonzero(by_c)} == {"SN-B"}
    rewritten = with_profile(written, bignona.with_changes(needs=Facet((), "Petite commune.")), {}, COUNTRIES)
    assert not mention_shares(q, rewritten, np.arange(rewritten.n))[1].any()  # copy-on-write: the row replaced
    assert mention_shares(q, written, np.arange(written.n))[1].any()  # the old arrays keep theirs
