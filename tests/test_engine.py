from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from profiles_fixture import PROFILES

from matcher.domain import Facet, Filters, Kind, Profile
from matcher.errors import InvalidInput
from matcher.ranking.engine import Matcher, diversify, recommend

BY_ID = {p.id: p for p in PROFILES}


def ids(matches):
    return [m.id for m in matches]


@pytest.mark.parametrize(
    "query, expected_first",
    [
        ("FR-COM-00001", "GN-100"),  # water utility ↔ municipality needing sanitation (and offering tourism)
        ("FR-COM-00002", "GN-200"),  # civil-registry expertise ↔ commune needing état civil, both ways
        ("GN-100", "FR-COM-00001"),  # reciprocity: the same pair seen from Senegal
        ("FR-COM-00003", "GN-300"),  # no text: neighbours of Lyonville are twinned with Rheinstadt
    ],
)
def test_obvious_partner_ranks_first(state, encoder, query, expected_first):
    matches = recommend(BY_ID[query], state=state, encoder=encoder, k=5)
    assert matches[0].id == expected_first
    assert [m.rank for m in matches] == list(range(1, len(matches) + 1))
    assert all(a.score >= b.score for a, b in itertools.pairwise(matches))


def test_reasons_reflect_contributions(state, encoder):
    m = recommend(BY_ID["FR-COM-00001"], state=state, encoder=encoder, k=1)[0]
    assert m.reasons, "a match must carry reasons"
    codes = [r.code for r in m.reasons]
    assert any(c in ("text_dense", "text_lex", "names_mentioned", "theme_need", "theme_offer") for c in codes)
    contribs = [r.contribution for r in m.reasons]
    assert contribs == sorted(contribs, reverse=True) and all(c > 0 for c in contribs)
    assert all(r.text_fr and r.text_en and r.text_fr != r.text_en for r in m.reasons)


def test_history_reason_counts_nearby_partners(state, encoder):
    m = recommend(BY_ID["FR-COM-00003"], state=state, encoder=encoder, k=1)[0]
    direct = [r for r in m.reasons if r.code == "direct"]
    assert direct and "Twinned with 2 authorities within 40 km" in direct[0].text_en


def test_default_exclusions_and_filters(state, encoder):
    # Existing partners are excluded by default, and the own country always (international matching).
    got = ids(recommend(BY_ID["FR-COM-00004"], state=state, encoder=encoder, k=10))
    assert "GN-300" not in got and "GN-301" not in got
    assert not any(i.startswith("FR-") for i in got)
    got = ids(recommend(BY_ID["FR-COM-00004"], state=state, encoder=encoder, k=10,
                        filters=Filters(include_existing=True)))
    assert "GN-300" in got
    got = ids(recommend(BY_ID["FR-COM-00001"], state=state, encoder=encoder, k=10, filters=Filters(countries=("BR",))))
    assert got == ["GN-400"]
    got = ids(recommend(BY_ID["FR-COM-00001"], state=state, encoder=encoder, k=10,
                        filters=Filters(francophone_only=True)))
    assert set(got) == {"GN-100", "GN-200"}
    got = ids(recommend(BY_ID["FR-COM-00001"], state=state, encoder=encoder, k=10,
                        filters=Filters(min_population=20_000, max_population=50_000)))
    assert set(got) == {"GN-200", "GN-300"}
    got = ids(recommend(BY_ID["FR-COM-00001"], state=state, encoder=encoder, k=10,
                        filters=Filters(themes=("digital",))))
    # Cidade offers digital government; Kankan's "numérisation des registres" is tagged digital too.
    assert set(got) == {"GN-400", "GN-200"}
    got = ids(recommend(BY_ID["FR-COM-00001"], state=state, encoder=encoder, k=10, filters=Filters(exclude=("GN-100",))))
    assert "GN-100" not in got


def test_adhoc_profile_not_stored(state, encoder):
    adhoc = Profile(id="adhoc", name="Nouvelle commune", kind=Kind.COMMUNE, country="FR", lat=45.0, lon=2.1,
                    population=10_000,
                    expertise=Facet((), "Assainissement et eau potable, stations d'épuration"),
                    needs=Facet((), "Tourisme culturel et artisanat"))
    matches = recommend(adhoc, state=state, encoder=encoder, k=3)
    assert matches[0].id == "GN-100"
    assert state.arrays.row("adhoc") is None


def test_k_must_be_positive(state, encoder):
    with pytest.raises(InvalidInput):
        recommend(BY_ID["FR-COM-00001"], state=state, encoder=encoder, k=0)


def test_write_is_visible_to_next_query(state, encoder):
    matcher = Matcher(state, encoder=encoder)
    before = {m.id: m for m in matcher.recommend(BY_ID["FR-COM-00002"], k=10)}
    assert next(iter(before)) == "GN-200"
    # Brazil's Cidade now needs civil registry work too, and offers youth exchanges: a better match.
    cidade = BY_ID["GN-400"].with_changes(
        needs=Facet(("civil_registry",), "Numérisation des registres d'état civil, modernisation de l'état civil"),
        expertise=Facet(("youth",), "Coopération jeunesse et échanges scolaires"))
    matcher.profile_written(cidade)
    after = {m.id: m for m in matcher.recommend(BY_ID["FR-COM-00002"], k=10)}
    assert list(after).index("GN-400") < list(before).index("GN-400")
    assert {"text_dense", "text_lex", "names_mentioned"} & {r.code for r in after["GN-400"].reasons}
    new = Profile(id="GN-999", name="Nova", kind=Kind.MUNICIPALITY, country="BR", lat=-10.0, lon=-40.0,
                  population=20_000, needs=Facet((), "Régie de l'eau potable, assainissement"))
    matcher.profile_written(new)
    assert "GN-999" in ids(matcher.recommend(BY_ID["FR-COM-00001"], k=10))
    matcher.profile_deleted("GN-999")
    assert "GN-999" not in ids(matcher.recommend(BY_ID["FR-COM-00001"], k=10))


def test_a_written_profile_in_a_new_admin1_region_is_ranked(state, encoder):
    """A write that brings an admin-1 key the catalogue had not seen: the country shares cached before it
    (Brazil's and France's) have a 0 for it, not an index error; the same score as a fresh state's."""
    matcher = Matcher(state, encoder=encoder)
    matcher.recommend(BY_ID["FR-COM-00001"], k=10)  # caches France's shares
    new = Profile(id="GN-998", name="Nova Serra", kind=Kind.MUNICIPALITY, country="BR", lat=-12.0, lon=-41.0,
                  population=30_000, admin1_code="NEW1", needs=Facet((), "Régie de l'eau potable, assainissement"))
    assert "BR:NEW1" not in state.arrays.admin1_keys
    matcher.profile_written(new)
    got = {m.id: m.score for m in matcher.recommend(BY_ID["FR-COM-00001"], k=20)}
    assert "GN-998" in got
    fresh = Matcher(replace(matcher._state, _shares={}), encoder=encoder)
    assert fresh.recommend(BY_ID["FR-COM-00001"], k=20)[0].score == pytest.approx(max(got.values()))
    assert {m.id: m.score for m in fresh.recommend(BY_ID["FR-COM-00001"], k=20)}["GN-998"] == pytest.approx(
        got["GN-998"])


@pytest.mark.parametrize("diversity", [0.0, 0.5, 5.0])
def test_diversify_brute_force(diversity):
    rng = np.random.default_rng(1)
    scores = rng.normal(size=30)
    countries = rng.integers(0, 4, size=30)
    got, values = diversify(scores, countries, 10, diversity)
    # The value each was picked with (what a list shows) never increases down the list.
    assert (np.diff(values) <= 1e-12).all()
    # Brute force: replay the greedy rule literally.
    picked, left = [], list(range(30))
    for _ in range(10):
        best = max(left, key=lambda i: (scores[i] - diversity * sum(countries[j] == countries[i] for j in picked),
                                        -np.argsort(np.argsort(-scores, kind="stable"))[i]))
        picked.append(best)
        left.remove(best)
    assert list(got) == picked
    if diversity == 0:
        assert list(got) == list(np.argsort(-scores)[:10])


def test_near_global_reason_counts_links_from_the_query_country(encoder, ranker):
    """A town 13 km from Rheinstadt, which two French communes twin with: its area twins with France."""
    from profiles_fixture import COUNTRIES, LINKS, foreign

    from matcher.explain.contributions import SENTENCES
    from matcher.ranking.arrays import CatalogueArrays
    from matcher.ranking.engine import MatchState, query_from_row
    from matcher.ranking.scoring import reason_contexts

    profiles = [*PROFILES, foreign("GN-302", "Rheinnah", "DE", 49.1, 8.5, 20_000, admin1="08")]
    arrays = CatalogueArrays.build(profiles, {c.code: c for c in COUNTRIES}, {}, dim=encoder.dim)
    st = MatchState.build(arrays, LINKS, ranker, {c.code: c for c in COUNTRIES})
    rows = np.array([arrays.row("GN-302"), arrays.row("GN-300"), arrays.row("GN-100")])
    far = query_from_row(arrays, arrays.row("FR-COM-00002"))
    got = [c.country_links_nearby for c in reason_contexts(st, far, None, rows, np.zeros(3))]
    # Rheinnah: both links to Rheinstadt; Rheinstadt: links ending at itself do not count; Ndiaye: none.
    assert got == [2, 0, 0]
    # Leave-one-out: Villeurbanne-Test's own link to Rheinstadt no longer speaks for the area.
    own = arrays.row("FR-COM-00004")
    loo = query_from_row(arrays, own, exclude_rows=(own,))
    assert reason_contexts(st, loo, None, rows[:1], np.zeros(1))[0].country_links_nearby == 1
    ctx = reason_contexts(st, far, None, rows[:1], np.zeros(1))[0]
    fr_text, en_text = SENTENCES["near_global"](1.0, ctx)
    assert en_text == "An area that twins with your country: 2 partnerships with your country within 60 km of Rheinnah"
    assert "2 partenariats avec votre pays à moins de 60 km de Rheinnah" in fr_text


@pytest.mark.parametrize("prefs", [{"preferred_countries": ("SN",)}, {"preferred_regions": ("AF",)}])
def test_stated_preference_lifts_a_stored_profile_without_text(state, encoder, prefs):
    """Lyonville is stored with no text; its stated preference for Senegal (or Africa) must still count."""
    from dataclasses import replace

    plain = BY_ID["FR-COM-00003"]
    base = recommend(plain, state=state, encoder=encoder, k=10)
    got = recommend(replace(plain, **prefs), state=state, encoder=encoder, k=10)
    before, after = ids(base), ids(got)
    ndiaye = got[after.index("GN-100")]
    assert ndiaye.score > base[before.index("GN-100")].score
    assert any(r.code == "preferred" and r.text_en == "In the countries or regions you are looking for"
               for r in ndiaye.reasons)
    # Candidates outside the preference keep their order relative to each other.
    assert [i for i in after if i not in ("GN-100", "GN-200")] == [i for i in before if i not in ("GN-100", "GN-200")]


def test_stored_preferences_reach_every_query_path(state, encoder):
    """Staff suggestions and batch work build queries from catalogue rows: a preference written through
    the matcher must be there, and gone when the profile drops it or is deleted."""
    from dataclasses import replace

    from matcher.ranking.engine import query_from_row

    m = Matcher(state, encoder=encoder)
    lyon = BY_ID["FR-COM-00003"]
    row = m.state.arrays.row(lyon.id)
    assert query_from_row(m.state.arrays, row).preferred_countries == frozenset()
    m.profile_written(replace(lyon, preferred_countries=("SN",), preferred_regions=("AF",)))
    a = m.state.arrays
    q = query_from_row(a, a.row(lyon.id))
    assert q.preferred_countries == {a.country_index("SN")} and len(q.preferred_continents) == 1
    m.profile_written(lyon)
    assert query_from_row(m.state.arrays, m.state.arrays.row(lyon.id)).preferred_countries == frozenset()
    m.profile_written(replace(lyon, preferred_countries=("SN",)))
    m.profile_deleted(lyon.id)
    assert lyon.id not in m.state.arrays.preferences


def test_a_reason_says_when_the_candidate_s_text_came_from_a_public_page(state, encoder):
    """GN-100's needs taken from a public page on its cooperation begun in 2019 (a real cooperation case, J): Eauville's text reason
    says so, once; written by the authority (a profile edit drops the sources), it no longer does."""
    from matcher.domain import TextSource

    matcher = Matcher(state, encoder=encoder)
    gn = BY_ID["GN-100"]
    page = TextSource(url="https://example.org/cas", title="Coopération", year=2019, partner="FR-COM-00001")
    matcher.profile_written(gn.with_changes(needs=replace(gn.needs, sources=(page,))))
    m = next(m for m in matcher.recommend(BY_ID["FR-COM-00001"], k=5) if m.id == "GN-100")
    text = [r for r in m.reasons if r.code in ("text_dense", "text_lex")]
    assert text and "d'après une page publique sur sa coopération engagée en 2019" in text[0].text_fr
    assert sum("page publique" in r.text_fr for r in m.reasons) == 1
    matcher.profile_written(gn)
    m = next(m for m in matcher.recommend(BY_ID["FR-COM-00001"], k=5) if m.id == "GN-100")
    assert not any("page publique" in r.text_fr for r in m.reasons)


def test_a_text_reason_quotes_the_words_both_texts_use(state, encoder):
    """Eauville (expertise: water, needs: tourism) and Ndiaye (needs: water, expertise: tourism) match both
    ways: the text reason (one, whichever text feature lifts more) quotes words both texts use, from those two
    pairs of texts only. A profile written since the build (a row edit) is quoted from its new text."""
    m = next(x for x in recommend(BY_ID["FR-COM-00001"], state=state, encoder=encoder, k=5) if x.id == "GN-100")
    said = [r for r in m.reasons if r.code in ("text_dense", "text_lex")]
    assert len(said) == 1, [r.code for r in m.reasons]
    quoted = said[0].text_fr.split("(")[1].rstrip(")").removeprefix("termes communs : ").split(", ")
    water = {"eau", "potable", "assainissement", "eaux", "usées", "réseaux"}
    tourism = {"tourisme", "culturel", "artisanat", "local"}
    assert len(quoted) == 3 and set(quoted) <= water | tourism
    matcher = Matcher(state, encoder=encoder)
    text = "Numérisation des registres d'état civil"
    matcher.profile_written(BY_ID["GN-400"].with_changes(needs=Facet(("civil_registry",), text)))
    a = matcher.state.arrays
    assert a.texts["needs"][a.text_row[a.row("GN-400")]] == text
