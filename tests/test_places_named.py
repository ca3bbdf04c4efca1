"""Where the query's text says its partners are (``matcher.ranking.places_named``), on a hand-made catalogue.

Known answers: each text below is read against the whole fixture; the rows whose admin-1 region it names
and the rows whose country it names are exactly those listed. Then through the scoring path: a commune that
writes "une commune de la région de Kayes, au Mali" sees Kayes' towns first (its level gate hides the Kayes
region itself), with a reason that names the region once.
"""

from __future__ import annotations

import numpy as np
import pytest

from matcher.catalogue.files import Country
from matcher.domain import Facet, Kind, Level, Profile
from matcher.encoding import HashingEncoder
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.features import TEXT_FEATURES, mention_shares, text_features
from matcher.ranking.names import NameStats
from matcher.ranking.places_named import PLACE_FEATURES, named_rows, place_columns
from matcher.ranking.state import query_from_profile

T, A1 = Level.TOWN, Level.ADMIN1
# (id, name, country, level, admin-1 code, admin-1 name, population)
ROWS = [
    ("ML-R1", "Kayes", "ML", A1, "ML-1", "Kayes", 0),
    ("ML-KY", "Kayes", "ML", T, "ML-1", "Kayes", 195_000),
    ("ML-NI", "Nioro du Sahel", "ML", T, "ML-1", "Kayes", 33_000),
    ("ML-DI", "Diéma", "ML", T, "ML-1", "Kayes", 30_000),
    ("ML-R6", "Tombouctou", "ML", A1, "ML-6", "Tombouctou", 0),
    ("ML-TB", "Goundam", "ML", T, "ML-6", "Tombouctou", 12_000),
    ("CG-R11", "Bouenza", "CG", A1, "CG-11", "Bouenza", 0),
    ("CG-KY", "Kayes", "CG", T, "CG-11", "Bouenza", 58_000),
    ("SN-RZ", "Ziguinchor", "SN", A1, "SN-ZG", "Ziguinchor", 0),
    ("SN-Z", "Ziguinchor", "SN", T, "SN-ZG", "Ziguinchor", 200_000),
    ("SN-B", "Bignona", "SN", T, "SN-ZG", "Ziguinchor", 30_000),
    ("SN-P", "Pikine", "SN", T, "SN-DK", "Dakar", 1_100_000),
    ("SN-X", "Sans Région", "SN", T, "", "", 5_000),
    ("BF-O", "Ouahigouya", "BF", T, "BF-NO", "Nord", 120_000),
    ("FR-RN", "Rennes", "FR", T, "53", "Bretagne", 220_000),
    ("FR-R53", "Bretagne", "FR", A1, "53", "Bretagne", 0),
]
LV = {T: 3, A1: 0}
# Common words as the catalogue derives them, thresholds scaled to the fixture (in more than 3 names across
# more than 2 countries): "Kayes" (3 names, 2 countries) is not one.
STATS = NameStats.build([(r[1], "") for r in ROWS], [LV[r[3]] for r in ROWS], [r[2] for r in ROWS],
                        [r[6] for r in ROWS], unit_levels=[LV[A1]], common_min_names=3, common_min_countries=2)
COUNTRIES = {c: Country(code=c, name=c, name_fr=c, iso3=c, continent="AF" if c != "FR" else "EU",
                        languages=("fr",), french_official=False) for c in {r[2] for r in ROWS}}


def _profiles() -> list[Profile]:
    kinds = {T: Kind.MUNICIPALITY, A1: Kind.REGION}
    return [Profile(id=i, name=n, kind=Kind.COMMUNE if c == "FR" else kinds[lv], level=lv, country=c,
                    population=p or None, admin1_code=a1, admin1_name=a1n)
            for i, n, c, lv, a1, a1n, p in ROWS]


@pytest.fixture(scope="module")
def arrays() -> CatalogueArrays:
    return CatalogueArrays.build(_profiles(), COUNTRIES, {}, dim=8, name_stats=STATS)


def _columns(arrays: CatalogueArrays, text: str, country: str = "FR") -> dict[str, set[str]]:
    """The rows each column lifts for a query of ``country`` writing ``text``."""
    me = Profile(id="Q", name="Querville", kind=Kind.COMMUNE, country=country, expertise=Facet((), text))
    q = query_from_profile(me, arrays, encoder=HashingEncoder(dim=8), countries=COUNTRIES)
    cand = np.arange(arrays.n)
    cols = place_columns(q.text_names, *named_rows(q.tokens, q.text_names, arrays), arrays, cand, q.country)
    return {f: {str(arrays.ids[r]) for r in np.flatnonzero(v)} for f, v in cols.items()}


@pytest.mark.parametrize("text, region, country", [
    # The region named: its towns (not the region's own row: that is a mention), in the country named.
    ("Nous cherchons une commune de la région de Kayes, au Mali.", {"ML-KY", "ML-NI", "ML-DI"},
     {"ML-R1", "ML-KY", "ML-NI", "ML-DI", "ML-R6", "ML-TB"}),
    # Kayes also names a town of Congo, not a region there: Bouenza's towns are not lifted.
    # A region named says its country: Mali's rows too.
    ("Coopération avec la région de Kayes.", {"ML-KY", "ML-NI", "ML-DI"},
     {"ML-R1", "ML-KY", "ML-NI", "ML-DI", "ML-R6", "ML-TB"}),
    # A country alone: its rows, the region column empty.
    ("Nous avons des habitants originaires du Sénégal.", set(), {"SN-RZ", "SN-Z", "SN-B", "SN-P", "SN-X"}),
    # Two regions named: both regions' towns.
    ("Échanges avec Ziguinchor et Tombouctou.", {"SN-Z", "SN-B", "ML-TB"},
     {"SN-RZ", "SN-Z", "SN-B", "SN-P", "SN-X", "ML-R1", "ML-KY", "ML-NI", "ML-DI", "ML-R6", "ML-TB"}),
    # A town named is a partner, not a place to look in: neither its region nor its country is lifted.
    ("Jumelage avec Bignona.", set(), set()),
    # The author's own country is never "named" (every French row would be lifted by "en France"), nor its
    # own regions: that is where it is, not where it looks.
    ("Une commune de Bretagne, en France, spécialiste de l'eau.", set(), set()),
    # A text naming no place.
    ("Gestion de l'eau potable en régie.", set(), set()),
])
def test_a_text_names_exactly_these_regions_and_countries(arrays, text, region, country):
    got = _columns(arrays, text)
    assert got == {"region_named": region, "country_named": country}, text


def test_a_region_named_is_worth_what_its_mention_is(arrays):
    me = Profile(id="Q", name="Querville", kind=Kind.COMMUNE, country="FR",
                 expertise=Facet((), "Coopération avec la région de Kayes."))
    q = query_from_profile(me, arrays, encoder=HashingEncoder(dim=8), countries=COUNTRIES)
    cand = np.arange(arrays.n)
    by_q, _ = mention_shares(q, arrays, cand)
    region = text_features(q, arrays, cand)["region_named"]
    r1 = arrays.row("ML-R1")
    assert by_q[r1] > 0 and region[r1] == 0.0  # the region's own row: named, not "in a region named"
    assert region[arrays.row("ML-NI")] == pytest.approx(by_q[r1])


def test_without_text_the_columns_are_zero(arrays):
    me = Profile(id="Q", name="Querville", kind=Kind.COMMUNE, country="FR")
    q = query_from_profile(me, arrays, encoder=HashingEncoder(dim=8), countries=COUNTRIES)
    cols = text_features(q, arrays, np.arange(arrays.n))
    assert set(PLACE_FEATURES) <= set(TEXT_FEATURES)
    assert not any(np.asarray(cols[f]).any() for f in PLACE_FEATURES)


def test_a_region_abroad_counts_for_a_query_abroad(arrays):
    """Bretagne is a region abroad for a Senegalese query: its rows and France are lifted."""
    assert _columns(arrays, "Nous cherchons une commune de Bretagne.", country="SN") == {
        "region_named": {"FR-RN"}, "country_named": {"FR-RN", "FR-R53"}}


def test_texts_from_public_pages_name_where_the_author_worked_not_where_it_looks(arrays):
    """A profile whose texts come from a public page about its cooperation ("Depuis 1990, avec la région de
    Kayes") lifts nobody there; the same text written by the authority does; one facet written by it is enough."""
    from matcher.domain import TextSource

    page = Facet((), "Depuis 1990, coopération avec la région de Kayes, au Mali.",
                 sources=(TextSource(url="https://example.org/kayes", title="Kayes", year=1990),))
    me = Profile(id="Q", name="Querville", kind=Kind.COMMUNE, country="FR", expertise=page)
    cand = np.arange(arrays.n)
    for profile, lifted in ((me, False), (me.with_changes(expertise=Facet((), page.text)), True),
                            (me.with_changes(needs=Facet((), "Nous cherchons des échanges culturels.")), True)):
        q = query_from_profile(profile, arrays, encoder=HashingEncoder(dim=8), countries=COUNTRIES)
        cols = text_features(q, arrays, cand)
        assert bool(np.asarray(cols["region_named"]).any()) is lifted
        assert bool(np.asarray(cols["country_named"]).any()) is lifted
        assert np.asarray(cols["names_mentioned"])[arrays.row("ML-R1")] > 0  # the mention itself counts


@pytest.mark.parametrize("sources, expected", [((), False), (("page",), True)])
def test_a_stored_profile_knows_whether_its_texts_are_pages(sources, expected):
    from matcher.domain import TextSource
    from matcher.ranking.state import query_from_row

    src = tuple(TextSource(url=f"https://example.org/{s}", year=2001) for s in sources)
    me = Profile(id="FR-Q", name="Querville", kind=Kind.COMMUNE, country="FR",
                 expertise=Facet((), "Coopération avec la région de Kayes, au Mali.", sources=src))
    vec = np.full(8, 8 ** -0.5, dtype=np.float32)  # its text's embedding (any unit vector: the query wrote)
    arrays = CatalogueArrays.build([*_profiles(), me], COUNTRIES, {"FR-Q:expertise": vec}, dim=8, name_stats=STATS)
    q = query_from_row(arrays, arrays.row("FR-Q"))
    assert q.pages_only is expected
    assert bool(np.asarray(text_features(q, arrays, np.arange(arrays.n))["country_named"]).any()) is not expected
