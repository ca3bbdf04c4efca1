"""French and English wording: country prepositions, names with articles, numbers, plurals."""

from __future__ import annotations

import csv
import gzip
import json

import pytest

from matcher.explain.quantities import count, integer, number, percent, plural
from matcher.explain.wording import (
    en_country,
    en_name,
    fr_country,
    fr_in_country,
    fr_name,
    fr_of_country,
    fr_que,
    fr_the_country,
    language_names,
)
from matcher.paths import DATA_DIR

COUNTRIES = json.loads((DATA_DIR / "countries.json").read_text(encoding="utf-8"))
NNBSP = "\u202f"  # narrow no-break space: the French group separator


@pytest.mark.parametrize("name, expected", [
    # masculine: au
    ("Mali", "au Mali"), ("Sénégal", "au Sénégal"), ("Royaume-Uni", "au Royaume-Uni"), ("Maroc", "au Maroc"),
    ("Burkina Faso", "au Burkina Faso"), ("Canada", "au Canada"), ("Japon", "au Japon"), ("Brésil", "au Brésil"),
    ("Viêt Nam", "au Viêt Nam"), ("Cap-Vert", "au Cap-Vert"), ("Soudan du Sud", "au Soudan du Sud"),
    ("Costa Rica", "au Costa Rica"), ("Laos", "au Laos"), ("Honduras", "au Honduras"), ("Yémen", "au Yémen"),
    ("Congo-Kinshasa", "au Congo-Kinshasa"), ("Vanuatu", "au Vanuatu"),
    # masculine ending in -e: au
    ("Mexique", "au Mexique"), ("Cambodge", "au Cambodge"), ("Mozambique", "au Mozambique"),
    ("Zimbabwe", "au Zimbabwe"), ("Belize", "au Belize"), ("Suriname", "au Suriname"),
    # feminine, or starting with a vowel: en
    ("Allemagne", "en Allemagne"), ("France", "en France"), ("Belgique", "en Belgique"),
    ("Côte d’Ivoire", "en Côte d’Ivoire"), ("Guinée-Bissau", "en Guinée-Bissau"), ("Afrique du Sud", "en Afrique du Sud"),
    ("Sierra Leone", "en Sierra Leone"), ("Bosnie-Herzégovine", "en Bosnie-Herzégovine"),
    ("Iran", "en Iran"), ("Irak", "en Irak"), ("Afghanistan", "en Afghanistan"), ("Équateur", "en Équateur"),
    ("Ouganda", "en Ouganda"), ("Uruguay", "en Uruguay"), ("Angola", "en Angola"), ("Israël", "en Israël"),
    ("Jamaïque", "en Jamaïque"), ("Nouvelle-Calédonie", "en Nouvelle-Calédonie"), ("Martinique", "en Martinique"),
    ("Hongrie", "en Hongrie"),
    # plural: aux
    ("Pays-Bas", "aux Pays-Bas"), ("États-Unis", "aux États-Unis"), ("Émirats arabes unis", "aux Émirats arabes unis"),
    ("Philippines", "aux Philippines"), ("Comores", "aux Comores"), ("Seychelles", "aux Seychelles"),
    ("Îles Marshall", "aux Îles Marshall"), ("Fidji", "aux Fidji"), ("Samoa", "aux Samoa"),
    ("Samoa américaines", "aux Samoa américaines"),
    # islands, city-states, no article: à
    ("Madagascar", "à Madagascar"), ("Cuba", "à Cuba"), ("Haïti", "à Haïti"), ("Malte", "à Malte"),
    ("Chypre", "à Chypre"), ("Singapour", "à Singapour"), ("Maurice", "à Maurice"), ("Monaco", "à Monaco"),
    ("Sainte-Lucie", "à Sainte-Lucie"), ("Saint-Marin", "à Saint-Marin"), ("Trinité-et-Tobago", "à Trinité-et-Tobago"),
    ("Sao Tomé-et-Principe", "à Sao Tomé-et-Principe"), ("Oman", "à Oman"), ("Taïwan", "à Taïwan"),
    ("La Réunion", "à La Réunion"), ("Mayotte", "à Mayotte"),
    # the odd ones
    ("Barbade", "à la Barbade"), ("Grenade", "à la Grenade"), ("Île de Man", "à l'Île de Man"),
    ("Territoires palestiniens", "dans les Territoires palestiniens"),
    ("État de la Cité du Vatican", "au Vatican"), ("R.A.S. chinoise de Hong Kong", "à Hong Kong"),
    ("Serbia and Montenegro", "en Serbie-et-Monténégro"),
])
def test_fr_in_country(name, expected):
    assert fr_in_country(name) == expected


@pytest.mark.parametrize("code, expected", [
    ("ML", "au Mali"), ("NL", "aux Pays-Bas"), ("MG", "à Madagascar"), ("DE", "en Allemagne"), ("US", "aux États-Unis"),
])
def test_fr_in_country_takes_an_iso_code(code, expected):
    assert fr_in_country(code) == expected


@pytest.mark.parametrize("name, article, expected", [
    ("Mali", True, "du Mali"), ("France", True, "de la France"), ("Pays-Bas", True, "des Pays-Bas"),
    ("Allemagne", True, "de l'Allemagne"), ("Madagascar", True, "de Madagascar"), ("Haïti", True, "d'Haïti"),
    ("Oman", True, "d'Oman"), ("Israël", True, "d'Israël"),
    ("France", False, "de France"), ("Allemagne", False, "d'Allemagne"), ("Iran", False, "d'Iran"),
    ("Mali", False, "du Mali"), ("Barbade", False, "de la Barbade"),
    ("République centrafricaine", False, "de la République centrafricaine"),
])
def test_fr_of_country(name, article, expected):
    assert fr_of_country(name, article=article) == expected


@pytest.mark.parametrize("name, expected", [
    ("France", "la France"), ("Mali", "le Mali"), ("Iran", "l'Iran"), ("Pays-Bas", "les Pays-Bas"), ("Cuba", "Cuba"),
    ("Mexique", "le Mexique"),
])
def test_fr_the_country(name, expected):
    assert fr_the_country(name) == expected


@pytest.mark.parametrize("code", sorted(COUNTRIES))
def test_every_country_gets_a_preposition_and_an_article(code):
    """Every name of countries.json: one of the forms the rules give, around the (fixed) French name."""
    name = fr_country(COUNTRIES[code]["name_fr"])
    got = fr_in_country(COUNTRIES[code]["name_fr"])
    assert got.split(" ")[0] in ("au", "aux", "en", "à", "dans"), got
    assert got.endswith(name) or code == "SJ", got
    assert "en Saint" not in got and "au Île" not in got and "en Îles" not in got
    assert fr_the_country(code).endswith(name) and fr_of_country(code).endswith(name.split(" ")[-1])


@pytest.mark.parametrize("name, expected", [
    ("US", "the United States"), ("NL", "the Netherlands"), ("GB", "the United Kingdom"), ("ML", "Mali"),
    ("PH", "the Philippines"), ("CD", "the Democratic Republic of the Congo"), ("DE", "Germany"),
    ("Bonaire, Saint Eustatius and Saba ", "Bonaire, Saint Eustatius and Saba"), ("Isle of Man", "the Isle of Man"),
])
def test_en_country(name, expected):
    assert en_country(name) == expected


@pytest.mark.parametrize("name, kind, subject, de", [
    ("Rennes", "commune", "Rennes", "de Rennes"),
    ("Angers", "commune", "Angers", "d'Angers"),
    ("Le Havre", "commune", "Le Havre", "du Havre"),
    ("Les Abymes", "commune", "Les Abymes", "des Abymes"),
    ("La Rochelle", "commune", "La Rochelle", "de La Rochelle"),
    ("Yvetot", "commune", "Yvetot", "d'Yvetot"),
    ("Calvados", "department", "le département du Calvados", "du département du Calvados"),
    ("Gironde", "department", "le département de la Gironde", "du département de la Gironde"),
    ("Ain", "department", "le département de l'Ain", "du département de l'Ain"),
    ("Landes", "department", "le département des Landes", "du département des Landes"),
    ("Paris", "department", "le département de Paris", "du département de Paris"),
    ("Bretagne", "region", "la région Bretagne", "de la région Bretagne"),
    ("Grand Est", "region", "la région Grand Est", "de la région Grand Est"),
    ("Corse", "region", "la Corse", "de la Corse"),
    ("CC du Perche", "intercommunality", "la CC du Perche", "de la CC du Perche"),
    ("Métropole de Lyon", "intercommunality", "la Métropole de Lyon", "de la Métropole de Lyon"),
    ("Eurométropole de Strasbourg", "intercommunality", "l'Eurométropole de Strasbourg",
     "de l'Eurométropole de Strasbourg"),
    ("Rennes Métropole", "intercommunality", "Rennes Métropole", "de Rennes Métropole"),
    ("Agadez", "municipality", "Agadez", "d'Agadez"),
    ("", "region", "la région", "de la région"),
    ("", "", "la collectivité française", "de la collectivité française"),
])
def test_fr_name(name, kind, subject, de):
    got = fr_name(name, kind)
    assert (got.subject, got.de) == (subject, de)


def test_every_department_and_region_of_the_catalogue_has_its_article():
    with gzip.open(DATA_DIR / "authorities.csv.gz", "rt", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["kind"] in ("department", "region") and r["country"] == "FR"]
    from matcher.explain.wording import _DEPARTMENT_ARTICLES

    assert {r["name"] for r in rows if r["kind"] == "department"} <= set(_DEPARTMENT_ARTICLES)
    for r in rows:
        de = fr_name(r["name"], r["kind"]).de
        assert de.startswith(("du ", "de la ", "de l'", "des ", "de ")) and " de le " not in de and " de les " not in de


def test_english_names():
    assert en_name("Landes", "department") == "the Landes département"
    assert en_name("Rennes", "commune") == "Rennes"
    assert en_name("", "commune") == "the commune"


@pytest.mark.parametrize("phrase, expected", [("Rennes", "que Rennes"), ("Orléans", "qu'Orléans"),
                                              ("le département de l'Ain", "que le département de l'Ain")])
def test_fr_que(phrase, expected):
    assert fr_que(phrase) == expected


@pytest.mark.parametrize("x, lang, digits, expected", [
    (4300, "fr", 0, f"4{NNBSP}300"), (4300, "en", 0, "4,300"), (450_000, "fr", 0, f"450{NNBSP}000"),
    (0.734, "fr", 2, "0,73"), (0.734, "en", 2, "0.73"), (1_234_567.8, "en", 1, "1,234,567.8"),
])
def test_number(x, lang, digits, expected):
    assert number(x, lang, digits) == expected


def test_integers_are_printed_exactly():
    assert integer(3692, "fr") == f"3{NNBSP}692" and integer(1_170_791, "en") == "1,170,791"


@pytest.mark.parametrize("n, lang, expected", [
    (0, "fr", "0 partenariat"), (1, "fr", "1 partenariat"), (2, "fr", "2 partenariats"),
    (0, "en", "0 partnerships"), (1, "en", "1 partnership"), (2, "en", "2 partnerships"),
    (1200, "fr", f"1{NNBSP}200 partenariats"),
])
def test_count_plurals(n, lang, expected):
    one, other = ("partenariat", "partenariats") if lang == "fr" else ("partnership", "partnerships")
    assert count(n, one, other, lang) == expected
    assert plural(n, one, other, lang) == expected.split(" ")[-1]


@pytest.mark.parametrize("share, lang, digits, expected", [
    (0.12, "fr", 0, "12\u00a0%"), (0.12, "en", 0, "12%"), (0.002, "fr", 0, "0,2\u00a0%"),
    (0.0002, "fr", 0, "moins de 0,1\u00a0%"), (0.0002, "en", 0, "less than 0.1%"), (0.0, "en", 0, "0%"),
    (0.9996, "fr", 0, "plus de 99\u00a0%"), (1.0, "en", 0, "100%"), (1.0, "fr", 1, "100\u00a0%"), (0.0123, "fr", 1, "1,2\u00a0%"),
])
def test_percent_never_rounds_to_a_false_figure(share, lang, digits, expected):
    assert percent(share, lang, digits) == expected


def test_language_names():
    assert language_names(("fr", "wo"), "fr") == "français, wolof"
    assert language_names(("fr", "wo"), "en") == "French, Wolof"
    assert language_names(("xx",), "en") == "xx"
