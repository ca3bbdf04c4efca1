"""The theme taxonomy: completeness, label parsing in six languages, keyword tagging."""

from __future__ import annotations

import re

import pytest

from matcher.domain import Theme
from matcher.errors import InvalidInput
from matcher.themes import LANGUAGES, THEMES, fold, get_theme, parse_themes, tag_text, theme_codes

EXPECTED_CODES = (
    "water_sanitation", "health", "education_training", "culture_heritage", "youth", "agriculture_food",
    "economic_development", "tourism", "local_governance", "civil_registry", "waste", "energy_climate",
    "environment_biodiversity", "urban_planning_housing", "mobility", "digital", "gender_equality", "sport",
    "social_solidarity", "humanitarian_reconstruction",
)


def test_twenty_themes_with_expected_codes() -> None:
    assert theme_codes() == EXPECTED_CODES
    assert len(THEMES) == 20


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.code)
def test_theme_is_complete(theme: Theme) -> None:
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", theme.code)
    assert set(theme.labels) == set(LANGUAGES)
    assert all(label.strip() for label in theme.labels.values())
    assert theme.sdgs and all(1 <= n <= 17 for n in theme.sdgs)
    assert len(theme.keywords) >= 5
    assert any(re.search(r"[\u0600-\u06ff]", k) for k in theme.keywords), "needs a few Arabic cue words"
    assert theme.label("xx") == theme.labels["en"]


def test_labels_are_unambiguous_across_themes() -> None:
    owner: dict[str, str] = {}
    for t in THEMES:
        for key in [t.code, *t.labels.values()]:
            folded = fold(key)
            assert owner.setdefault(folded, t.code) == t.code, f"{key!r} names two themes"


def test_cue_words_are_not_shared_across_themes() -> None:
    owner: dict[str, str] = {}
    for t in THEMES:
        for k in t.keywords:
            folded = fold(k.rstrip("*")) + ("*" if k.endswith("*") else "")
            assert owner.setdefault(folded, t.code) == t.code, f"{k!r} is a cue word of two themes"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("  L'ÉCOLE  ", "l ecole"),
        ("Fußball", "fussball"),
        ("São Tomé e Príncipe", "sao tome e principe"),
        ("water_sanitation", "water sanitation"),
        ("المُدُن", "المدن"),
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_get_theme() -> None:
    assert get_theme("health").labels["fr"] == "Santé"
    with pytest.raises(InvalidInput) as err:
        get_theme("nope")
    assert err.value.field == "themes"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("water_sanitation", "water_sanitation"),
        ("WATER_SANITATION", "water_sanitation"),
        ("Eau et assainissement", "water_sanitation"),
        ("eau et assainissement", "water_sanitation"),
        ("Water and sanitation", "water_sanitation"),
        ("Agua y saneamiento", "water_sanitation"),
        ("agua e saneamento", "water_sanitation"),
        ("المياه والصرف الصحي", "water_sanitation"),
        ("Wasser und Sanitärversorgung", "water_sanitation"),
        ("sante", "health"),
        ("SAÚDE", "health"),
        ("Etat civil", "civil_registry"),
        ("état-civil", "civil_registry"),
        ("Civil registration", "civil_registry"),
        ("Registro civil", "civil_registry"),
        ("Registo civil", "civil_registry"),
        ("Personenstandswesen", "civil_registry"),
        ("Égalité femmes-hommes", "gender_equality"),
        ("igualdade de gênero", "gender_equality"),
        ("Gleichstellung der Geschlechter", "gender_equality"),
        ("Desporto", "sport"),
        ("Deporte", "sport"),
        ("Digitalisierung", "digital"),
        ("الرياضة", "sport"),
        ("Humanitäre Hilfe und Wiederaufbau", "humanitarian_reconstruction"),
    ],
)
def test_parse_one(value: str, code: str) -> None:
    assert parse_themes([value]) == (code,)


def test_parse_all_labels_of_all_languages() -> None:
    for t in THEMES:
        for lang in LANGUAGES:
            assert parse_themes([t.labels[lang]]) == (t.code,)


def test_parse_several_dedup_and_blank() -> None:
    assert parse_themes(["health, sport", "Santé", "", "  ", "youth;waste"]) == ("health", "sport", "youth", "waste")
    assert parse_themes([]) == ()


@pytest.mark.parametrize("bad", ["plumbing", "health, astrology", "eau"])
def test_parse_unknown_names_the_value(bad: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_themes([bad])
    assert err.value.field == "themes"
    assert bad.split(",")[-1].strip() in err.value.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Projet d'assainissement et d'eau potable", "water_sanitation"),
        ("improving sanitation in informal areas", "water_sanitation"),
        ("saneamiento básico rural", "water_sanitation"),
        ("Abwasser und Kläranlagen", "water_sanitation"),
        ("Abwasserentsorgung", "water_sanitation"),
        ("تحسين خدمات الصرف الصحي", "water_sanitation"),
        ("modernisation de l'état civil", "civil_registry"),
        ("Modernisation de l'ETAT-CIVIL", "civil_registry"),
        ("civil registration systems", "civil_registry"),
        ("informatización del registro civil", "civil_registry"),
        ("Ausbau des Standesamtes", "civil_registry"),
        ("centre de santé communautaire", "health"),
        ("construction d'écoles primaires", "education_training"),
        ("formación profesional de jóvenes", "education_training"),
        ("valorisation du patrimoine bâti", "culture_heritage"),
        ("échanges de jeunes et service civique", "youth"),
        ("appui aux agriculteurs et à l'élevage", "agriculture_food"),
        ("agricultura familiar", "agriculture_food"),
        ("soutien à l'entrepreneuriat féminin", "economic_development"),
        ("développement touristique du littoral", "tourism"),
        ("décentralisation et finances locales", "local_governance"),
        ("collecte des déchets ménagers", "waste"),
        ("Abfallwirtschaft und Recycling", "waste"),
        ("énergie solaire pour les villages", "energy_climate"),
        ("adaptation au changement climatique", "energy_climate"),
        ("Klimaschutz in der Kommune", "energy_climate"),
        ("protection de la biodiversité", "environment_biodiversity"),
        ("réhabilitation de l'habitat urbain", "urban_planning_housing"),
        ("transports en commun et pistes cyclables", "mobility"),
        ("dématérialisation des services, e-administration", "digital"),
        ("Digitalisierung der Verwaltung", "digital"),
        ("droits des femmes", "gender_equality"),
        ("Fußballverein und Sportplatz", "sport"),
        ("lutte contre la pauvreté", "social_solidarity"),
        ("reconstruction après le séisme", "humanitarian_reconstruction"),
    ],
)
def test_tag_text_finds(text: str, code: str) -> None:
    assert code in tag_text(text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("farmacia municipal", "agriculture_food"),  # 'farm' is a whole-word cue only
        ("information du public", "digital"),  # 'informatique' is not a prefix cue
        ("les bateaux du port", "water_sanitation"),  # 'eau' must be a whole word
        ("la transportation", "water_sanitation"),
        ("Schulden der Gemeinde", "education_training"),  # 'Schule*' must not match 'Schulden'
        ("agriculture intensive", "culture_heritage"),  # 'cultur*' needs a word start
    ],
)
def test_tag_text_respects_word_boundaries(text: str, absent: str) -> None:
    assert absent not in tag_text(text)


def test_tag_text_order_and_empty() -> None:
    assert tag_text("") == ()
    assert tag_text("sport, santé et eau potable") == ("water_sanitation", "health", "sport")


def _tag_text_reference(text: str) -> tuple[str, ...]:
    """Every theme's regexes on the whole text, no anchors: what the fast path must equal."""
    from matcher.themes import _patterns, fold

    f = fold(text)
    return tuple(m.code for m in _patterns()
                 if (m.latin is not None and m.latin.search(f)) or (m.arabic is not None and m.arabic.search(f)))


def test_tag_text_fast_path_equals_brute_force() -> None:
    from matcher.themes import THEMES

    corpus = [kw.replace("*", "ique") for t in THEMES for kw in t.keywords]
    corpus += [f"Notre commune cherche {kw.replace('*', 'es')} et plus" for t in THEMES for kw in t.keywords]
    corpus += ["L'eau d'abord", "Registro civil y agua potable", "والطاقة الشمسية", "", "rien à voir"]
    for text in corpus:
        assert tag_text(text) == _tag_text_reference(text), text
    for t in THEMES:
        for kw in t.keywords:
            assert t.code in tag_text(kw.replace("*", "")), (t.code, kw)
