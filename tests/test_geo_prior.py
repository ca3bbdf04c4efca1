"""The theme → geography prior (``matcher.ranking.geo_prior``): known answers on a hand-made world, the smoothing
against a plain loop, leave-one-out, and the sentence that explains it with exact counts."""

from __future__ import annotations

import numpy as np
import pytest
from profiles_fixture import COUNTRIES, foreign, fr

from matcher.domain import Facet, Link
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.geo_prior import (
    BASE_STRENGTH,
    THEME_STRENGTH,
    CooperationIndex,
    column,
    strongest_theme,
    tables_for,
)
from matcher.themes import tag_text

WATER = "Nous gérons notre service d'eau potable et d'assainissement."
CULTURE = "Festival, musée, théâtre : nous menons des échanges culturels et artistiques."

PROFILES = [
    fr("F1", "Eauville", 45.0, 4.0, 5000, expertise=Facet(text=WATER)),
    fr("F2", "Aqua-sur-Loire", 47.0, 1.0, 8000, dep="45", region="24", expertise=Facet(text=WATER)),
    fr("F3", "Culturac", 44.0, 2.0, 9000, dep="12", region="76", expertise=Facet(text=CULTURE)),
    fr("F4", "Silencieux", 46.0, 3.0, 7000),
    foreign("S1", "Ndiaye", "SN", 14.7, -17.4, 30000, admin1="01"),
    foreign("S2", "Thiesso", "SN", 14.8, -16.9, 40000, admin1="02"),
    foreign("S3", "Kaolacko", "SN", 14.1, -16.0, 20000, admin1="02"),
    foreign("G1", "Kankan", "GN", 10.4, -9.3, 50000),
    foreign("D1", "Rheinstadt", "DE", 49.0, 8.4, 30000),
    foreign("D2", "Mainburg", "DE", 50.0, 8.3, 30000, admin1="02"),
    foreign("B1", "Recifinho", "BR", -8.0, -34.9, 30000),
]
LINKS = [Link("F1", "S1", "cooperation"), Link("F2", "S2", "cooperation"), Link("F3", "D1", "cooperation"),
         Link("F4", "D2", "twinning")]


@pytest.fixture(scope="module")
def arrays() -> CatalogueArrays:
    return CatalogueArrays.build(PROFILES, {c.code: c for c in COUNTRIES}, {}, dim=8)


def _bits(a: CatalogueArrays, text: str) -> int:
    return a.theme_bits(tag_text(text))


def test_only_cooperation_links_between_france_and_abroad_are_indexed(arrays: CatalogueArrays) -> None:
    idx = CooperationIndex.build(arrays, LINKS)
    assert [arrays.ids[r] for r in idx.french] == ["F1", "F2", "F3"]
    assert [arrays.ids[r] for r in idx.foreign] == ["S1", "S2", "D1"]


def test_water_goes_to_senegal_culture_to_germany(arrays: CatalogueArrays) -> None:
    idx = CooperationIndex.build(arrays, LINKS)
    cand = np.array([arrays.row(x) for x in ("S1", "S2", "S3", "G1", "D1", "D2", "B1")])
    water = column(tables_for(idx, arrays, query_bits=_bits(arrays, WATER), is_french=True), arrays, cand)
    culture = column(tables_for(idx, arrays, query_bits=_bits(arrays, CULTURE), is_french=True), arrays, cand)
    s1, s2, s3, g1, d1, d2, b1 = water
    assert min(s1, s2, s3) > max(g1, d1, d2, b1)  # both water cases went to Senegal
    assert s2 == pytest.approx(s3)  # same country, same region: the prior does not tell towns apart
    assert s1 > 0 and b1 < 0  # a lift over a uniform choice; nothing went to South America
    c_s1, *_, c_d1, c_d2, c_b1 = culture
    assert c_d1 > c_s1 and c_d1 > c_d2 > c_b1


def test_the_smoothing_is_the_documented_formula(arrays: CatalogueArrays) -> None:
    """Brute force: the country term of Senegal for a water query, from the counts by hand."""
    idx = CooperationIndex.build(arrays, LINKS)
    t = tables_for(idx, arrays, query_bits=_bits(arrays, WATER), is_french=True)
    assert t is not None
    conts = sorted({int(c) for c in arrays.country_continent if c >= 0})
    n_cont = int(arrays.country_continent.max()) + 1
    w = {"SN": 1.0, "DE": 0.0}  # the water cases' weights (query themes all shared; culture shares none)
    af = arrays.country_continent[arrays.country_index("SN")]
    # continent level: Africa has both water cases, all cases: 2 of 3 in Africa
    p_all_af = (2 + BASE_STRENGTH / n_cont) / (3 + BASE_STRENGTH)
    p_af = (2 * w["SN"] + THEME_STRENGTH * p_all_af) / (2 + THEME_STRENGTH)
    african = [c for c in range(len(arrays.country_codes)) if arrays.country_continent[c] == af]
    p_all_sn = (2 + BASE_STRENGTH / len(african)) / (2 + BASE_STRENGTH)
    p_sn = (2 + THEME_STRENGTH * p_all_sn) / (2 + THEME_STRENGTH)
    expected = np.log(p_af * n_cont) + np.log(p_sn * len(african))
    assert conts and t.country[arrays.country_index("SN")] == pytest.approx(expected)


def test_leave_one_out_forgets_the_query_own_case(arrays: CatalogueArrays) -> None:
    idx = CooperationIndex.build(arrays, LINKS)
    f1, s1, s2 = arrays.row("F1"), arrays.row("S1"), arrays.row("S2")
    bits = _bits(arrays, WATER)
    with_own = column(tables_for(idx, arrays, query_bits=bits, is_french=True), arrays, np.array([s1, s2]))
    loo = column(tables_for(idx, arrays, query_bits=bits, is_french=True, exclude_rows=(f1,)), arrays,
                 np.array([s1, s2]))
    assert with_own[0] > loo[0]  # S1's region lost its only case
    assert loo[1] > loo[0]  # S2's region keeps F2's


def test_a_foreign_query_is_told_where_in_france(arrays: CatalogueArrays) -> None:
    idx = CooperationIndex.build(arrays, [*LINKS, Link("F2", "G1", "cooperation")])
    # Kankan needs water: F1 (région 84) and F2 (région 24) worked on water with Senegal / Guinea.
    ndiaye_needs = arrays.theme_bits(tag_text("Nous avons besoin d'eau potable et d'assainissement."))
    t = tables_for(idx, arrays, query_bits=ndiaye_needs, is_french=False)
    assert t is not None and t.french_side
    french = np.array([arrays.row(x) for x in ("F1", "F2", "F3", "F4")])
    col = column(t, arrays, french)
    # The foreign ends wrote no needs here: no case shares a theme, so all cases' places decide: région 24 has
    # two of the four cases, régions 84 and 76 one each; Silencieux is in Eauville's département.
    assert col[1] > col[0] and col[0] == pytest.approx(col[2]) and col[3] == pytest.approx(col[0])
    assert (column(t, arrays, np.array([arrays.row("S1")])) == 0).all()  # abroad: nothing to say


def test_no_case_no_prior(arrays: CatalogueArrays) -> None:
    idx = CooperationIndex.build(arrays, [Link("F4", "D2", "twinning")])
    assert tables_for(idx, arrays, query_bits=1, is_french=True) is None


def test_the_sentence_counts_are_exact(arrays: CatalogueArrays) -> None:
    idx = CooperationIndex.build(arrays, [*LINKS, Link("F1", "G1", "cooperation")])
    bits = _bits(arrays, WATER) | _bits(arrays, CULTURE)
    got = strongest_theme(idx, arrays, query_bits=bits, is_french=True, row=arrays.row("S3"))
    assert got is not None and got.place == "country"
    # Water cases: F1-S1, F2-S2, F1-G1 (3); two went to Senegal. Culture: F3-D1, none to Senegal.
    assert (got.here, got.total) == (2, 3) and got.theme in arrays.theme_codes
    assert strongest_theme(idx, arrays, query_bits=bits, is_french=True, row=arrays.row("B1")) is None


def test_case_kernel_is_the_documented_formula() -> None:
    from matcher.ranking.geo_prior import KERNEL_TAU, case_kernel

    vecs = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [1.0, 0.0]])
    q = np.array([0.6, 0.8])  # cosines 0.6, 0.96, 0.8, (0.6 but no text)
    got = case_kernel(q, vecs, np.array([True, True, True, False]))
    assert got == pytest.approx([np.exp((0.6 - 0.96) / KERNEL_TAU), 1.0, np.exp((0.8 - 0.96) / KERNEL_TAU), 0.0])


def test_the_cases_most_like_the_query_text_weigh_most() -> None:
    """With the query's text embedded, the cases whose French side wrote like it decide where the prior points,
    whatever theme bits the query has."""
    from matcher.encoding import HashingEncoder

    enc = HashingEncoder(dim=64)
    vectors = {f"{p.id}:expertise": enc.encode([p.expertise.text])[0] for p in PROFILES if p.expertise.text}
    a = CatalogueArrays.build(PROFILES, {c.code: c for c in COUNTRIES}, vectors, dim=64)
    idx = CooperationIndex.build(a, LINKS)
    cand = np.array([a.row("S1"), a.row("D1")])
    water_bits = _bits(a, WATER)  # the themes say water (Senegal) …
    by_themes = column(tables_for(idx, a, query_bits=water_bits, is_french=True), a, cand)
    by_text = column(tables_for(idx, a, query_bits=water_bits, is_french=True,
                                query_vec=enc.encode([CULTURE])[0]), a, cand)  # … the text is Culturac's
    assert by_themes[0] > by_themes[1] and by_text[1] > by_text[0]
