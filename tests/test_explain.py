"""Reasons tell the truth: about which side of the average a feature's value is on, about the pair
(no missing fact, no false "comparable"), in correct French and English, to the right reader."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from matcher.domain import Kind
from matcher.explain.contributions import (
    LOW_SENTENCES,
    SENTENCES,
    SILENT_FEATURES,
    TWO_SIDED,
    ReasonContext,
    reasons_for,
)
from matcher.ranking.features import FEATURE_INDEX, FEATURES
from matcher.ranking.places_named import PLACE_FEATURES

CTX = ReasonContext(
    candidate_name="Rheinnah", country_name_fr="Allemagne", country_name_en="Germany", distance_km=600.0,
    q_population=12_000, c_population=20_000, nearby_partner_count=0, nearby_km=40.0, c_degree=0,
    shared_languages=(), need_themes=(), offer_themes=(), admin1_name="Bade-Wurtemberg",
    country_links_nearby=3, country_links_km=60.0, q_country_code="FR", c_country_code="DE", area_scope="region",
    area_links=20, area_links_in_country=2,
)


def _one(code: str, value: float, average: float) -> tuple[str, ...]:
    """The English reasons when only ``code`` contributes (+1 logit), at ``value`` against ``average``."""
    x, avg, contrib = np.zeros(len(FEATURES)), np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
    i = FEATURE_INDEX[code]
    x[i], avg[i], contrib[i] = value, average, 1.0
    return tuple(r.text_en for r in reasons_for(x, contrib, CTX, average=avg))


@pytest.mark.parametrize("code, value, average, expected", [
    # Above the average: the presence sentence.
    ("near_global", 2.0, 0.4, "An area that twins with your country: 3 partnerships with your country within 60 km"),
    ("admin1", 1.0, 0.1, "Your area already has partners in the region of Rheinnah (Bade-Wurtemberg)"),
    # Below the average yet lifting the score (a negative weight): the low-side sentence, never "already".
    ("near_global", 0.0, 0.4, "An area little twinned with your country so far (3 partnerships within 60 km)"),
    # "its region" read as the query's own; a zero weighted count is "no partner", not "few".
    ("admin1", 0.0, 0.1, "Your area has no partner in the region of Rheinnah (Bade-Wurtemberg) so far"),
    ("admin1", 0.5, 1.0, "Your area has few partners in the region of Rheinnah (Bade-Wurtemberg) so far"),
    ("country_global", -2.5, -1.0, "Germany: only"),
    # Two-sided sentences state the value: true on both sides.
    ("log_distance", 6.4, 7.5, "600 km from you"),
    ("degree", 0.0, 0.03, "No known partnership with a French authority"),
])
def test_reason_sentence_follows_the_side_of_the_average(code, value, average, expected):
    got = _one(code, value, average)
    assert len(got) == 1 and got[0].startswith(expected)


@pytest.mark.parametrize("code", ["priority_zone", "same_continent", "level_compat", "francophone", "direct"])
def test_a_low_value_with_nothing_true_to_say_gives_no_reason(code):
    assert _one(code, 0.0, 0.3) == ()


# ---- wording: the sentences are true for the pair and correct French / English -------------------
NNBSP = "\u202f"
#: Every fact filled, so every sentence has something to say.
FULL = ReasonContext(
    candidate_name="Pikine", country_name_fr="Sénégal", country_name_en="Senegal", distance_km=4287.0,
    q_population=220_000, c_population=300_000, nearby_partner_count=2, nearby_km=40.0, c_degree=3,
    shared_languages=("fr", "wo"), need_themes=(("eau", "water"),), offer_themes=(("santé", "health"),),
    admin1_name="Dakar", country_links_nearby=5, country_links_km=60.0, q_kind="commune", q_name="Rennes",
    q_country_fr="France", q_country_en="France", text_directions=("need", "offer"),
    shared_terms=("assainissement",), shared_types=("twinning", "technical_exchange"), mention="both", french_status="official", q_country_code="FR",
    c_country_code="SN", area_scope="region", area_links=41, area_links_in_country=5, area_partners_in_country=4,
    country_pair_links=30,
    geo_theme=("Eau et assainissement", "Water and sanitation"), geo_here=14, geo_total=61, geo_place="country",
)
VALUES = {"level_compat": 1.0, "country": 0.12, "country_global": 0.03, "admin1_global": 0.012}
SECOND_PERSON = re.compile(r"\b(vous|votre|vos|vôtre|you|your|yours)\b", re.IGNORECASE)
ALL_SENTENCES = [(f"{code}", f) for code, f in SENTENCES.items()] + [(f"{code}:low", f) for code, f in
                                                                      LOW_SENTENCES.items()]
KINDS = ["commune", "intercommunality", "department", "region", "municipality", "province", "state", "district", "county", "governorate", "prefecture", ""]


def _say(code: str, ctx: ReasonContext, value: float | None = None) -> tuple[str, str] | None:
    f = dict(ALL_SENTENCES)[code]
    if code in PLACE_FEATURES:  # said only of a candidate the text does not name itself (FULL's texts do)
        ctx = replace(ctx, mention="candidate_names_query" if ctx.mention == "both" else ctx.mention)
    return f(VALUES.get(code.split(":")[0], 0.6) if value is None else value, ctx)


@pytest.mark.parametrize("code", [c for c, _ in ALL_SENTENCES])
@pytest.mark.parametrize("kind", KINDS)
def test_every_sentence_has_a_staff_form_without_second_person(code, kind):
    for value in (0.0, 0.004, VALUES.get(code.split(":")[0], 0.6)):
        got = _say(code, replace(FULL, audience="staff", q_kind=kind), value)
        if got is None:
            assert value == 0.0 or code.split(":")[0] == "level_compat", (code, value)
            continue
        for text in got:
            assert not SECOND_PERSON.search(text), text
    assert _say(code, replace(FULL, audience="staff", q_kind=kind)) is not None


@pytest.mark.parametrize("code", [c for c, _ in ALL_SENTENCES])
def test_fr_and_en_differ_and_have_no_placeholder(code):
    for ctx in (FULL, replace(FULL, audience="staff")):
        got = _say(code, ctx)
        assert got is not None and got[0] != got[1]
        for text in got:
            assert "None" not in text and "()" not in text and "  " not in text and not text.endswith(" ")


@pytest.mark.parametrize("kind, fr, en", [
    ("region", "votre région", "your region"),
    (Kind.REGION, "votre région", "your region"),
    ("department", "votre département", "your département"),
    ("commune", "votre commune", "your commune"),
    ("intercommunality", "votre intercommunalité", "your intercommunality"),
    ("municipality", "votre municipalité", "your municipality"),
])
def test_the_query_is_named_by_its_kind(kind, fr, en):
    ctx = replace(FULL, q_kind=kind, mention="candidate_names_query", c_population=260_000)
    for code in ("names_mentioned", "pop_ratio"):
        got = _say(code, ctx)
        assert got is not None and fr in got[0] and en in got[1], got


@pytest.mark.parametrize("code", [c for c, _ in ALL_SENTENCES])
def test_a_region_is_never_called_a_department(code):
    got = _say(code, replace(FULL, q_kind="region", mention="candidate_names_query"))
    assert got is not None and "département" not in got[0] and "département" not in got[1], got


def test_an_unknown_kind_is_neutral():
    got = _say("names_mentioned", replace(FULL, q_kind="", mention="candidate_names_query"))
    assert got == ("Le texte de Pikine (Sénégal) vous mentionne", "The text of Pikine (Senegal) mentions you")
    got = _say("country", replace(FULL, q_kind=""))
    assert got == ("5 des 41 partenariats connus de votre région ou à moins de 50 km de chez vous sont au Sénégal",
                   "5 of the 41 known partnerships in your region or within 50 km of you are in Senegal")


def test_a_region_names_itself_in_the_staff_view():
    got = _say("log_distance", replace(FULL, audience="staff", q_kind="region", q_name="Bretagne"))
    assert got == (f"À 4{NNBSP}287 km de la région Bretagne", "4,287 km from Bretagne")
    got = _say("admin1", replace(FULL, audience="staff", q_kind="department", q_name="Landes"))
    assert got == ("Le département des Landes a déjà des partenaires dans la région de Pikine (Dakar)",
                   "The Landes département already has partners in the region of Pikine (Dakar)")


@pytest.mark.parametrize("code, fr, en", [
    ("log_distance", f"À 4{NNBSP}287 km de Rennes", "4,287 km from Rennes"),
    ("country", ("5 des 41 partenariats connus de la même région que Rennes ou à moins de 50 km de Rennes sont au "
                 "Sénégal"), "5 of the 41 known partnerships in the same region as Rennes or within 50 km of Rennes are in Senegal"),
    ("text_dense", "Besoins et expertises de Rennes et de Pikine se répondent dans les deux sens",
     "The needs and expertise of Rennes and Pikine match both ways"),
    ("names_mentioned", "Rennes et Pikine (Sénégal) se mentionnent mutuellement dans leurs textes",
     "Rennes and Pikine (Senegal) mention each other in their texts"),
    ("near_global", "Secteur tourné vers la France : 5 partenariats avec la France à moins de 60 km de Pikine",
     "An area that twins with France: 5 partnerships with France within 60 km of Pikine"),
])
def test_staff_sentences(code, fr, en):
    assert _say(code, replace(FULL, audience="staff")) == (fr, en)


@pytest.mark.parametrize("directions, mention, code, fr, en", [
    (("need",), "", "text_dense", "Vos besoins rejoignent son expertise", "Your needs match their expertise"),
    (("offer",), "", "text_dense", "Votre expertise répond à ses besoins", "Your expertise answers their needs"),
    (("need", "offer"), "", "text_dense", "Besoins et expertises se répondent dans les deux sens",
     "Needs and expertise match both ways"),
    (("need",), "", "text_lex", "Vos besoins et son expertise emploient des termes communs (assainissement)",
     "Your needs and their expertise use some of the same terms (assainissement)"),
    ((), "query_names_candidate", "names_mentioned", "Votre texte mentionne Pikine (Sénégal)",
     "Your text mentions Pikine (Senegal)"),
    ((), "candidate_names_query", "names_mentioned", "Le texte de Pikine (Sénégal) mentionne votre commune",
     "The text of Pikine (Senegal) mentions your commune"),
])
def test_text_sentences_follow_the_directions(directions, mention, code, fr, en):
    assert _say(code, replace(FULL, text_directions=directions, mention=mention)) == (fr, en)


def test_staff_text_names_both_sides():
    got = _say("text_dense", replace(FULL, audience="staff", text_directions=("offer",)))
    assert got == ("L'expertise de Rennes répond aux besoins de Pikine", "The expertise of Rennes answers the needs of Pikine")


def test_text_lex_shows_at_most_three_terms():
    got = _say("text_lex", replace(FULL, text_directions=("offer",), shared_terms=("a", "b", "c", "d")))
    assert got is not None and got[0].endswith("(a, b, c)")


@pytest.mark.parametrize("code, change", [
    ("log_distance", {"distance_km": None}), ("log_distance", {"distance_km": float("nan")}),
    ("size", {"q_population": None}), ("size_far", {"c_population": None}),
    ("size", {"c_population": None}), ("size_gap", {"q_population": None}), ("size_gap", {"c_population": None}),
    ("pop_ratio", {"q_population": None}), ("pop_ratio", {"c_population": 0}),
    ("admin1", {"admin1_name": ""}), ("admin1:low", {"admin1_name": ""}),
    ("admin1_global", {"admin1_name": ""}), ("admin1_global:low", {"admin1_name": ""}),
    ("names_mentioned", {"mention": ""}), ("text_dense", {"text_directions": ()}), ("text_lex", {"text_directions": ()}),
    ("priority_zone", {"country_name_fr": ""}), ("francophone", {"country_name_fr": ""}),
    ("near_global", {"country_links_nearby": 0}),
    # Staff cannot say "votre pays": without the query's country there is nothing to say.
    ("country_global", {"audience": "staff", "q_country_fr": "", "q_country_en": ""}),
    ("near_global:low", {"audience": "staff", "q_country_fr": "", "q_country_en": ""}),
])
def test_a_missing_fact_gives_no_sentence(code, change):
    assert _say(code, replace(FULL, **change)) is None


def test_a_missing_fact_gives_no_reason():
    ctx = replace(CTX, distance_km=None, admin1_name="")
    for code, value, average in (("log_distance", 6.4, 7.5), ("admin1", 1.0, 0.1), ("admin1_global", -2.0, -3.0)):
        x, avg, contrib = np.zeros(len(FEATURES)), np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
        i = FEATURE_INDEX[code]
        x[i], avg[i], contrib[i] = value, average, 1.0
        assert reasons_for(x, contrib, ctx, average=avg) == ()


def test_a_missing_value_gives_no_reason_and_frees_its_place():
    x, avg, contrib = np.zeros(len(FEATURES)), np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
    x[FEATURE_INDEX["size"]], contrib[FEATURE_INDEX["size"]] = float("nan"), 2.0
    x[FEATURE_INDEX["degree"]], contrib[FEATURE_INDEX["degree"]] = np.log1p(3), 1.0
    x[FEATURE_INDEX["log_distance"]], contrib[FEATURE_INDEX["log_distance"]] = 6.4, 0.5
    got = reasons_for(x, contrib, replace(CTX, distance_km=None, c_degree=3), average=avg, top=1)
    assert [r.code for r in got] == ["degree"]


@pytest.mark.parametrize("q_pop, c_pop, comparable", [
    (450_000, 3_692, False), (3_692, 450_000, False), (12_000, 17_000, True), (10_000, 15_000, True),
    (10_000, 15_001, False), (15_001, 10_000, False),
])
def test_size_is_one_sentence_and_comparable_only_within_a_factor_of_one_and_a_half(q_pop, c_pop, comparable):
    ctx = replace(CTX, q_population=q_pop, c_population=c_pop)
    said = {SENTENCES[code](0.0, ctx) for code in ("size", "size_gap", "size_far", "pop_ratio")}
    assert len(said) == 1  # the four size features say the same one sentence
    fr, en = said.pop() or ("", "")
    assert ("taille comparable" in fr) is comparable and ("comparable size" in en) is comparable
    assert ("fois" in fr) is not comparable and ("times" in en) is not comparable


@pytest.mark.parametrize("q_pop, c_pop, fr, en", [
    (3_692, 450_000, f"Une ville de 450{NNBSP}000 habitants, environ 120 fois plus que votre commune",
     "A town of 450,000 inhabitants, about 120 times as many as your commune"),
    (2_777, 7_712, f"Une ville de 7{NNBSP}700 habitants, environ 2,8 fois plus que votre commune",
     "A town of 7,700 inhabitants, about 2.8 times as many as your commune"),
    (75_598, 146_351, f"Une ville de 146{NNBSP}000 habitants, environ 1,9 fois plus que votre commune",
     "A town of 146,000 inhabitants, about 1.9 times as many as your commune"),
    (2_777, 2_364_230, "Une ville de 2,4 millions d'habitants, environ 850 fois plus que votre commune",
     "A town of 2.4 million inhabitants, about 850 times as many as your commune"),
    (91_808, 12_000, f"Une ville de 12{NNBSP}000 habitants, environ 8 fois moins que votre commune",
     "A town of 12,000 inhabitants, about 8 times fewer than your commune"),
    (3_727, 3_346, f"Une ville de 3{NNBSP}300 habitants : une taille comparable (votre commune : 3{NNBSP}700)",
     "A town of 3,300 inhabitants: a comparable size (your commune: 3,700)"),
])
def test_size_relative_to_the_query_in_rounded_figures(q_pop, c_pop, fr, en):
    ctx = replace(CTX, q_population=q_pop, c_population=c_pop, q_kind="commune", c_kind="municipality")
    assert SENTENCES["size"](0.0, ctx) == (fr, en)


def test_size_in_the_staff_view_names_the_query():
    ctx = replace(FULL, audience="staff", c_kind="municipality")
    assert SENTENCES["size"](0.0, ctx) == (
        f"Une ville de 300{NNBSP}000 habitants : une taille comparable (Rennes : 220{NNBSP}000)",
        "A town of 300,000 inhabitants: a comparable size (Rennes: 220,000)")
    assert SENTENCES["size"](0.0, replace(ctx, c_population=900_000)) == (
        f"Une ville de 900{NNBSP}000 habitants, environ 4 fois plus que Rennes",
        "A town of 900,000 inhabitants, about 4 times as many as Rennes")


@pytest.mark.parametrize("country_fr, country_en, fr, en", [
    ("Mali", "Mali", "au Mali", "in Mali"), ("Pays-Bas", "The Netherlands", "aux Pays-Bas", "in the Netherlands"),
    ("Madagascar", "Madagascar", "à Madagascar", "in Madagascar"), ("Allemagne", "Germany", "en Allemagne", "in Germany"),
    ("Iran", "Iran", "en Iran", "in Iran"), ("Mexique", "Mexico", "au Mexique", "in Mexico"),
])
def test_country_sentences_use_the_right_preposition(country_fr, country_en, fr, en):
    ctx = replace(CTX, country_name_fr=country_fr, country_name_en=country_en, french_status="official")
    for code in ("francophone", "country", "country:low"):
        got = _say(code, ctx, 0.2)
        assert got is not None and fr in got[0] and en in got[1], got
        assert f"en {country_fr}" not in got[0] or fr.startswith("en ")


def test_numbers_and_plurals():
    one = replace(CTX, nearby_partner_count=1, c_degree=1, country_links_nearby=1)
    assert SENTENCES["direct"](1.0, one) == ("Déjà jumelée avec 1 collectivité à moins de 40 km de chez vous",
                                             "Twinned with 1 authority within 40 km of you")
    assert SENTENCES["degree"](1.0, one) == ("Déjà 1 partenariat connu avec des collectivités françaises",
                                             "Already 1 known partnership with French authorities")
    assert SENTENCES["degree"](1.0, replace(one, c_country_code="FR", c_degree=5)) == (
        "Déjà 5 partenariats connus", "Already 5 known partnerships")
    far = SENTENCES["log_distance"](0.0, replace(CTX, distance_km=4300.4))
    assert far == (f"À 4{NNBSP}300 km de chez vous", "4,300 km from you")


def test_direct_without_nearby_partners_does_not_say_departement_for_a_region():
    got = SENTENCES["direct"](0.4, replace(CTX, q_kind="region"))
    assert got == ("Déjà jumelée avec des collectivités de votre région ou à moins de 50 km de chez vous",
                   "Twinned with authorities in your region or within 50 km of you")


@pytest.mark.parametrize("lift, said", [(1.5, True), (0.2, True), (0.05, False), (0.0, False), (-1.0, False)])
def test_level_compat_is_said_only_where_the_levels_partner_more_than_chance(lift: float, said: bool) -> None:
    out = SENTENCES["level_compat"](lift, CTX)
    assert (out == ("Des niveaux de collectivité qui coopèrent souvent entre eux",
                    "Levels of local government that often partner with each other")) is said
    assert said or out is None


@pytest.mark.parametrize("code", ["text_dense", "text_lex", "names_mentioned"])
def test_new_text_features_speak_only_above_the_average(code):
    if code not in FEATURE_INDEX:
        pytest.skip(f"{code} is not a feature yet")
    assert code not in TWO_SIDED and code not in LOW_SENTENCES
    x, avg, contrib = np.zeros(len(FEATURES)), np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
    i = FEATURE_INDEX[code]
    contrib[i] = 1.0
    ctx = replace(FULL, text_directions=("need",), mention="both")
    x[i], avg[i] = -0.5, 0.0
    assert reasons_for(x, contrib, ctx, average=avg) == ()
    x[i] = 2.0
    assert [r.code for r in reasons_for(x, contrib, ctx, average=avg)] == [code]


def test_audience_must_be_known():
    with pytest.raises(ValueError):
        replace(CTX, audience="staf")


def test_every_feature_has_a_sentence_or_is_silent():
    assert set(FEATURES) - SILENT_FEATURES <= set(SENTENCES)
    assert set(LOW_SENTENCES) <= set(SENTENCES) and TWO_SIDED <= set(SENTENCES)




@pytest.mark.parametrize("code, change, fr, en", [
    ("names_mentioned", {"candidate_name": "Brussels", "candidate_name_fr": "Bruxelles",
                         "country_name_fr": "Belgique", "country_name_en": "Belgium", "mention": "query_names_candidate"},
     "Votre texte mentionne Bruxelles (Belgique)", "Your text mentions Brussels (Belgium)"),
    ("log_distance", {"audience": "staff", "q_name": "Genoa", "q_name_fr": "Gênes"},
     f"À 4{NNBSP}287 km de Gênes", "4,287 km from Genoa"),
])
def test_french_sentences_say_the_french_names(code, change, fr, en):
    """A name with a French form ("Bruxelles", "Gênes") is said in French sentences, the catalogue name in
    English ones (issue K: "Brussels", "Genoa" on French pages)."""
    assert _say(code, replace(FULL, **change)) == (fr, en)


def _text_reasons(ctx: ReasonContext) -> list[tuple[str, str]]:
    """The reasons when both text features lift the score, text_dense more: one fact, said once."""
    x, avg, contrib = np.zeros(len(FEATURES)), np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
    for code, c in (("text_dense", 2.0), ("text_lex", 1.0)):
        x[FEATURE_INDEX[code]], avg[FEATURE_INDEX[code]], contrib[FEATURE_INDEX[code]] = 3.0, 0.0, c
    return [(r.text_fr, r.text_en) for r in reasons_for(x, contrib, ctx, average=avg)]


@pytest.mark.parametrize("directions, page_years, fr, en", [
    # The candidate's expertise (it answers the query's needs) came from a page on a cooperation begun in 2019:
    # said on the first text reason, once.
    (("need",), ((2019,), ()), "Vos besoins rejoignent son expertise (d'après une page publique sur sa coopération engagée en 2019)",
     "Your needs match their expertise (according to a public page on its partnership begun in 2019)"),
    (("need",), ((0,), ()), "Vos besoins rejoignent son expertise (d'après une page publique sur sa coopération)",
     "Your needs match their expertise (according to a public page on its partnership)"),
    (("offer",), ((2019,), (2018, 2021, 2018)),
     "Votre expertise répond à ses besoins (d'après des pages publiques sur ses coopérations engagées en 2018 et 2021)",
     "Your expertise answers their needs (according to public pages on its partnerships begun in 2018 and 2021)"),
    (("need", "offer"), ((2017,), (2019, 0)),
     "Besoins et expertises se répondent dans les deux sens (d'après des pages publiques sur ses coopérations engagées en 2017 et 2019)",
     "Needs and expertise match both ways (according to public pages on its partnerships begun in 2017 and 2019)"),
    # The page is about the side that did not match: nothing said; the authority wrote it: nothing said.
    (("offer",), ((2019,), ()), "Votre expertise répond à ses besoins", "Your expertise answers their needs"),
    (("need",), ((), ()), "Vos besoins rejoignent son expertise", "Your needs match their expertise"),
])
def test_a_text_reason_says_once_when_public_pages_gave_the_text(directions, page_years, fr, en):
    got = _text_reasons(replace(CTX, text_directions=directions, c_page_years=page_years))
    assert got == [(fr, en)]  # the two text features state one fact: said once


def test_the_text_reason_quotes_the_shared_words_then_the_pages():
    ctx = replace(CTX, text_directions=("offer",), shared_terms=("potable", "eau"), c_page_years=((), (2009,)))
    assert _text_reasons(ctx) == [(
        ("Votre expertise répond à ses besoins (termes communs : potable, eau ; d'après une page publique sur sa "
        "coopération engagée en 2009)"),
        ("Your expertise answers their needs (shared terms: potable, eau; according to a public page on its "
        "partnership begun in 2009)"))]


def test_staff_read_whose_cooperation_the_page_is_about():
    ctx = replace(CTX, text_directions=("need",), c_page_years=((2019,), ()), audience="staff", q_name="Ville-Test",
                  q_kind="commune")
    (fr, en), = _text_reasons(ctx)
    assert fr.endswith("(d'après une page publique sur la coopération de Rheinnah engagée en 2019)")
    assert en.endswith("(according to a public page on the partnership of Rheinnah begun in 2019)")


def test_the_page_note_goes_inside_the_terms_brackets():
    x, avg, contrib = np.zeros(len(FEATURES)), np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
    x[FEATURE_INDEX["text_lex"]], contrib[FEATURE_INDEX["text_lex"]] = 3.0, 1.0
    ctx = replace(CTX, text_directions=("need",), shared_terms=("eau", "assainissement"), c_page_years=((2019,), ()))
    (r,) = reasons_for(x, contrib, ctx, average=avg)
    assert r.text_fr == ("Vos besoins et son expertise emploient des termes communs (eau, assainissement ; "
                         "d'après une page publique sur sa coopération engagée en 2019)")
    assert r.text_en.endswith("(eau, assainissement; according to a public page on its partnership begun in 2019)")


@pytest.mark.parametrize(("directions", "audience", "fr"), [
    (("offer",), "query", "Votre expertise et ses besoins sont rédigés de façon proche"),
    (("need",), "query", "Vos besoins et son expertise sont rédigés de façon proche"),
    (("need", "offer"), "query", "Besoins et expertises sont rédigés de façon proche dans les deux sens"),
    (("offer",), "staff", "L'expertise de Ville-Test et les besoins de Rheinnah sont rédigés de façon proche"),
])
def test_shared_n_grams_without_a_shared_word_are_worded_alike(directions, audience, fr):
    """Two Polish texts share character n-grams but no word: "the same terms" would be false."""
    x, avg, contrib = np.zeros(len(FEATURES)), np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
    x[FEATURE_INDEX["text_lex"]], contrib[FEATURE_INDEX["text_lex"]] = 3.0, 1.0
    ctx = replace(CTX, text_directions=directions, shared_terms=(), audience=audience, q_name="Ville-Test",
                  q_kind="commune")
    (r,) = reasons_for(x, contrib, ctx, average=avg)
    assert r.text_fr == fr and "terms" not in r.text_en


def test_a_shared_word_is_quoted():
    x, avg, contrib = np.zeros(len(FEATURES)), np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
    x[FEATURE_INDEX["text_lex"]], contrib[FEATURE_INDEX["text_lex"]] = 3.0, 1.0
    ctx = replace(CTX, text_directions=("offer",), shared_terms=())
    assert reasons_for(x, contrib, replace(ctx, shared_terms=("wymiana",)), average=avg)[0].text_fr == (
        "Votre expertise et ses besoins emploient des termes communs (wymiana)")


# ---- where the query's text says its partners are (region_named, country_named) -------------------------
@pytest.mark.parametrize("code, ctx, expected", [
    ("region_named", replace(FULL, mention=""), ("Dans la région Dakar (Sénégal), que votre texte nomme",
                                                 "In the Dakar region (Senegal), which your text names")),
    ("country_named", replace(FULL, mention=""), ("Au Sénégal, que votre texte nomme",
                                                  "In Senegal, which your text names")),
    ("country_named", replace(FULL, mention="", country_name_fr="Comores", country_name_en="Comoros"),
     ("Aux Comores, que votre texte nomme", "In the Comoros, which your text names")),
    ("region_named", replace(FULL, mention="", audience="staff"),
     ("Dans la région Dakar (Sénégal), que nomme le texte de Rennes",
      "In the Dakar region (Senegal), which the text of Rennes names")),
    # The text names the candidate itself: its mention says it (with its country), the place is not said again.
    ("region_named", replace(FULL, mention="query_names_candidate"), None),
    ("country_named", replace(FULL, mention="both"), None),
    # A fact the context lacks gives no sentence.
    ("region_named", replace(FULL, mention="", admin1_name=""), None),
])
def test_place_named_sentences(code, ctx, expected):
    assert SENTENCES[code](1.0, ctx) == expected


def test_a_region_named_and_its_country_are_one_fact_the_region_said():
    """A town in the region the text names is in the country it names too: both priors lift it by the same
    amount, and the reason is the region's (it says the country), once."""
    x, avg, contrib = np.zeros(len(FEATURES)), np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
    for code in ("country_named", "region_named"):
        x[FEATURE_INDEX[code]], contrib[FEATURE_INDEX[code]] = 1.0, 8.0
    got = reasons_for(x, contrib, replace(FULL, mention=""), average=avg)
    assert [r.text_fr for r in got] == ["Dans la région Dakar (Sénégal), que votre texte nomme"]
