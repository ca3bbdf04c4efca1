"""French and English wording helpers for the reasons: country prepositions, names with their
articles, language names (numbers, percentages and plurals are in ``quantities``).

French country names take different prepositions and articles (``au Mali``, ``en Allemagne``,
``aux Pays-Bas``, ``à Madagascar``). The standard rules, applied to the *head* word of the name
(``Soudan`` in ``Soudan du Sud``, ``Bosnie`` in ``Bosnie-Herzégovine``):

- a plural name (head ending in -s, or listed in ``_PLURAL_HEADS``) takes ``les`` / ``aux`` / ``des``;
- a name without article (most islands and city-states, ``Saint-…``, ``_NO_ARTICLE``) takes ``à`` / ``de``;
- a name starting with a vowel takes ``l'`` / ``en`` / ``d'`` (``en Iran``, ``en Allemagne``);
- a feminine name (head ending in -e, but see ``_MASCULINE_E_HEADS``) takes ``la`` / ``en`` / ``de``;
- any other name is masculine: ``le`` / ``au`` / ``du``.

``_IN_OVERRIDES`` and ``_OF_OVERRIDES`` hold the few names that follow none of these (``à la Barbade``,
``dans les Territoires palestiniens``). The rules and tables were checked against every ``name_fr`` of
``data/countries.json`` (see ``tests/test_wording.py``).

French authority names (the staff view names the query) get their article too: ``du département du
Calvados``, ``de la région Bretagne``, ``de la CC du Perche``, ``du Havre``, ``d'Angers`` (``fr_name``).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from functools import cache

from matcher.explain.quantities import locale
from matcher.paths import DATA_DIR

VOWELS = frozenset("AEIOUÂÀÄÉÈÊËÎÏÔÖÛÙÜŒÆaeiouâàäéèêëîïôöûùüœæ")

# ---- countries in French -------------------------------------------------------------------------

#: Names in ``countries.json`` that are not the usual French name (historic codes carry English names).
_FR_NAME_FIXES = {
    "Netherlands Antilles": "Antilles néerlandaises",
    "Serbia and Montenegro": "Serbie-et-Monténégro",
    "R.A.S. chinoise de Hong Kong": "Hong Kong",
    "R.A.S. chinoise de Macao": "Macao",
    "État de la Cité du Vatican": "Vatican",
}
#: Islands, city-states and other names used without article: "à Cuba", "de Cuba".
_NO_ARTICLE = frozenset({
    "Anguilla", "Antigua-et-Barbuda", "Aruba", "Bahreïn", "Chypre", "Cuba", "Curaçao", "Djibouti", "Gibraltar",
    "Guam", "Guernesey", "Haïti", "Hong Kong", "Israël", "Jersey", "Macao", "Madagascar", "Malte", "Maurice",
    "Mayotte", "Monaco", "Montserrat", "Nauru", "Niue", "Oman", "Porto Rico", "Sao Tomé-et-Principe",
    "Singapour", "Taïwan", "Trinité-et-Tobago", "Wallis-et-Futuna",
})
#: Masculine names ending in -e (by their head word): "au Mexique", "au Royaume-Uni".
_MASCULINE_E_HEADS = frozenset({
    "Belize", "Cambodge", "Mexique", "Mozambique", "Royaume", "Suriname", "Territoire", "Zimbabwe",
})
#: Feminine names whose head does not end in -e.
_FEMININE = frozenset({"Sierra Leone"})
#: Plural names whose head does not end in -s: "aux Fidji", "aux Samoa américaines".
_PLURAL_HEADS = frozenset({"Fidji", "Kiribati", "Samoa", "Tokelau", "Tonga", "Tuvalu"})
#: Singular names whose head ends in -s.
_SINGULAR_S_HEADS = frozenset({"Honduras", "Laos"})
#: "In <country>" where the rules give the wrong preposition.
_IN_OVERRIDES = {
    "Barbade": "à la Barbade",
    "Dominique": "à la Dominique",
    "Grenade": "à la Grenade",
    "Israël": "en Israël",
    "Svalbard et Jan Mayen": "au Svalbard et à Jan Mayen",
    "Terres australes françaises": "dans les Terres australes françaises",
    "Territoire britannique de l’océan Indien": "dans le Territoire britannique de l’océan Indien",
    "Territoires palestiniens": "dans les Territoires palestiniens",
}
_OF_OVERRIDES = {
    "Haïti": "d'Haïti",  # mute h
    "Svalbard et Jan Mayen": "du Svalbard et de Jan Mayen",
}


@cache
def _countries() -> dict[str, dict[str, object]]:
    try:
        with open(DATA_DIR / "countries.json", encoding="utf-8") as f:
            data: dict[str, dict[str, object]] = json.load(f)
    except OSError:  # pragma: no cover - a checkout always has it
        return {}
    return data


def _resolve(code_or_name: str, key: str) -> str:
    s = code_or_name.strip()
    if len(s) == 2 and s.isupper():
        c = _countries().get(s)
        if c is not None:
            return str(c[key]).strip()
    return s


def _head(name: str) -> str:
    return name.split(" ")[0].split("-")[0]


def _elide_de(word: str) -> str:
    """``de`` before a word: ``d'`` before a vowel."""
    return f"d'{word}" if word[:1] in VOWELS else f"de {word}"


@functools.lru_cache(maxsize=4096)  # pure, and asked again and again by the reasons
def fr_country(code_or_name: str) -> str:
    """The French name to print: ``"NL"`` or ``"Pays-Bas"`` -> ``"Pays-Bas"``."""
    name = _resolve(code_or_name, "name_fr")
    return _FR_NAME_FIXES.get(name, name)


@functools.lru_cache(maxsize=4096)  # pure, and asked again and again by the reasons
def _fr_article(name: str) -> str:
    """``"le "``, ``"la "``, ``"l'"``, ``"les "`` or ``""``: the article of a French country name."""
    head = _head(name)
    if name in _NO_ARTICLE or head in ("Saint", "Sainte") or head in ("La", "Le", "Les", "L'"):
        return ""
    if head == "Île":
        return "l'"
    if head in _PLURAL_HEADS or (head.endswith("s") and head not in _SINGULAR_S_HEADS):
        return "les "
    if name[:1] in VOWELS:
        return "l'"
    if name in _FEMININE or (head.endswith("e") and head not in _MASCULINE_E_HEADS):
        return "la "
    return "le "


@functools.lru_cache(maxsize=4096)  # pure, and asked again and again by the reasons
def fr_the_country(code_or_name: str) -> str:
    """The name with its article: ``"le Mali"``, ``"la France"``, ``"l'Iran"``, ``"les Pays-Bas"``, ``"Cuba"``."""
    name = fr_country(code_or_name)
    return _fr_article(name) + name


@functools.lru_cache(maxsize=4096)  # pure, and asked again and again by the reasons
def fr_in_country(code_or_name: str) -> str:
    """"In <country>": ``"au Mali"``, ``"en Allemagne"``, ``"aux Pays-Bas"``, ``"à Madagascar"``."""
    name = fr_country(code_or_name)
    if name in _IN_OVERRIDES:
        return _IN_OVERRIDES[name]
    art = _fr_article(name)
    if art == "le ":
        return f"au {name}"
    if art == "les ":
        return f"aux {name}"
    if art == "l'" and _head(name) == "Île":
        return f"à l'{name}"
    if art in ("la ", "l'"):
        return f"en {name}"
    return f"à {name}"


@functools.lru_cache(maxsize=4096)  # pure, and asked again and again by the reasons
def fr_of_country(code_or_name: str, *, article: bool = True) -> str:
    """"Of <country>": ``"du Mali"``, ``"des Pays-Bas"``, ``"de Madagascar"``, and ``"de la France"``,
    ``"de l'Allemagne"`` (``article=False``: ``"de France"``, ``"d'Allemagne"``, as in "les communes
    de France")."""
    name = fr_country(code_or_name)
    if name in _OF_OVERRIDES:
        return _OF_OVERRIDES[name]
    art = _fr_article(name)
    if art == "le ":
        return f"du {name}"
    if art == "les ":
        return f"des {name}"
    if not article and fr_in_country(name).startswith("en ") and _head(name) != "République":
        return _elide_de(name)
    if art in ("la ", "l'"):
        return f"de {art}{name}"
    return _elide_de(name)


# ---- countries in English ------------------------------------------------------------------------
_EN_THE_FIRST = ("United ", "Republic ", "Democratic ", "Central African ", "Dominican ", "Czech Republic",
                 "Netherlands", "Isle of ", "Vatican", "Philippines", "Bahamas", "Maldives", "Comoros",
                 "Seychelles", "British ", "French Southern", "Palestinian", "U.S. ", "Northern Mariana",
                 "Turks and", "Cayman", "Cook ", "Faroe", "Falkland", "Marshall", "Solomon", "Cocos",
                 "Aland", "Åland")


@functools.lru_cache(maxsize=4096)  # pure, and asked again and again by the reasons
def en_country(code_or_name: str) -> str:
    """The English name as used in a sentence: ``"Mali"``, ``"the Netherlands"``, ``"the United States"``."""
    name = " ".join(_resolve(code_or_name, "name").split())
    name = name.removeprefix("The ")
    if name.startswith(_EN_THE_FIRST):
        return f"the {name}"
    return name


def cap(s: str) -> str:
    """Capitalise the first letter only (``"le Calvados"`` -> ``"Le Calvados"``)."""
    return s[:1].upper() + s[1:]


# ---- French authority names ----------------------------------------------------------------------
#: Articles of the départements (101 in the catalogue); a name not listed falls back to the rules.
_DEPARTMENT_ARTICLES: dict[str, str] = {
    **{n: "le " for n in (
        "Bas-Rhin", "Calvados", "Cantal", "Cher", "Doubs", "Finistère", "Gard", "Gers", "Haut-Rhin", "Jura",
        "Loir-et-Cher", "Loiret", "Lot", "Lot-et-Garonne", "Maine-et-Loire", "Morbihan", "Nord", "Pas-de-Calais",
        "Puy-de-Dôme", "Rhône", "Tarn", "Tarn-et-Garonne", "Territoire de Belfort", "Val-d'Oise", "Val-de-Marne",
        "Var", "Vaucluse")},
    **{n: "la " for n in (
        "Charente", "Charente-Maritime", "Corrèze", "Corse-du-Sud", "Creuse", "Côte-d'Or", "Dordogne", "Drôme",
        "Gironde", "Guadeloupe", "Guyane", "Haute-Corse", "Haute-Garonne", "Haute-Loire", "Haute-Marne",
        "Haute-Savoie", "Haute-Saône", "Haute-Vienne", "Loire", "Loire-Atlantique", "Lozère", "Manche", "Marne",
        "Martinique", "Mayenne", "Meurthe-et-Moselle", "Meuse", "Moselle", "Nièvre", "Sarthe", "Savoie",
        "Saône-et-Loire", "Seine-Maritime", "Seine-Saint-Denis", "Seine-et-Marne", "Somme", "Vendée", "Vienne")},
    **{n: "l'" for n in (
        "Ain", "Aisne", "Allier", "Ardèche", "Ariège", "Aube", "Aude", "Aveyron", "Essonne", "Eure",
        "Eure-et-Loir", "Hérault", "Ille-et-Vilaine", "Indre", "Indre-et-Loire", "Isère", "Oise", "Orne", "Yonne")},
    **{n: "les " for n in (
        "Alpes-Maritimes", "Alpes-de-Haute-Provence", "Ardennes", "Bouches-du-Rhône", "Côtes-d'Armor",
        "Deux-Sèvres", "Hautes-Alpes", "Hautes-Pyrénées", "Hauts-de-Seine", "Landes", "Pyrénées-Atlantiques",
        "Pyrénées-Orientales", "Vosges", "Yvelines")},
    **{n: "" for n in ("La Réunion", "Mayotte", "Paris")},
}
#: Régions and overseas collectivités: "la région Bretagne" (the institution's usual name), or the place
#: with its article where it is not a région or is not named so.
_REGION_FORMS = {
    "Corse": "la Corse",
    "Guyane": "la Guyane",
    "La Réunion": "la région Réunion",
    "Martinique": "la Martinique",
    "Mayotte": "Mayotte",
    "Nouvelle-Calédonie": "la Nouvelle-Calédonie",
    "Polynésie française": "la Polynésie française",
    "Saint-Pierre-et-Miquelon": "Saint-Pierre-et-Miquelon",
    "Wallis et Futuna": "Wallis-et-Futuna",
}
_INTERCO_FEMININE_PREFIXES = ("CC ", "CA ", "CU ", "Métropole", "Communauté", "Agglomération")
#: Kind nouns with their article, for the staff view of an unnamed authority.
_KIND_NOUNS_FR = {
    "commune": "la commune", "intercommunality": "l'intercommunalité", "department": "le département",
    "region": "la région", "municipality": "la municipalité", "province": "la province",
    "state": "l'État", "district": "le district", "county": "le comté", "governorate": "le gouvernorat",
    "prefecture": "la préfecture",
}
_KIND_NOUNS_EN = {
    "commune": "the commune", "intercommunality": "the intercommunality", "department": "the département",
    "region": "the region", "municipality": "the municipality", "province": "the province",
    "state": "the state", "district": "the district", "county": "the county", "governorate": "the governorate",
    "prefecture": "the prefecture",
}


@dataclass(frozen=True)
class FrName:
    """A French noun phrase in its two uses: ``subject`` (``"le Calvados"``, also an object) and ``de``
    (``"du Calvados"``)."""

    subject: str
    de: str


def _de(phrase: str) -> str:
    """``de`` + a noun phrase, with contraction and elision: ``du Havre``, ``des Abymes``, ``d'Angers``."""
    for art, contracted in (("le ", "du "), ("Le ", "du "), ("les ", "des "), ("Les ", "des ")):
        if phrase.startswith(art):
            return contracted + phrase[len(art):]
    if phrase.startswith(("la ", "La ", "l'", "L'", "l’", "L’")):
        return f"de {phrase}"
    first = phrase[:1]
    if first in VOWELS or (first in "Yy" and phrase[1:2] not in VOWELS and phrase[1:2] != ""):
        return f"d'{phrase}"
    return f"de {phrase}"


@functools.lru_cache(maxsize=4096)  # pure, and asked again and again by the reasons
def fr_de(phrase: str) -> str:
    """``de`` + any name or noun phrase (``"de Pikine"``, ``"d'Agadez"``, ``"du Cap"``)."""
    return _de(phrase)


@functools.lru_cache(maxsize=4096)  # pure, and asked again and again by the reasons
def fr_que(phrase: str) -> str:
    """``que`` + a noun phrase, elided before a vowel: ``"que Rennes"``, ``"qu'Angers"``."""
    return f"qu'{phrase}" if phrase[:1] in VOWELS else f"que {phrase}"


@functools.lru_cache(maxsize=4096)  # pure, and asked again and again by the reasons
def fr_name(name: str, kind: str = "") -> FrName:
    """A French authority's name as a noun phrase:
    ``fr_name("Calvados", "department").de == "du département du Calvados"``.

    Communes and foreign authorities keep their own article (``Le Havre`` -> ``du Havre``); no elision
    before h (mute or aspirated h is lexical: ``de Haguenau`` but ideally ``d'Hyères``)."""
    name = name.strip()
    if not name:
        noun = _KIND_NOUNS_FR.get(kind, "la collectivité française")
        return FrName(noun, _de(noun))
    if kind == "department":
        # "le département des Landes": singular whatever the name (a verb agrees with it), and the
        # institution rather than the place.
        art = _DEPARTMENT_ARTICLES.get(name)
        if art is None:
            art = _fr_article(name) if not name.startswith(("Haut-", "Bas-")) else "le "
        phrase = "le département " + _de(art + name)
    elif kind == "region":
        phrase = _REGION_FORMS.get(name, f"la région {name}")
    elif kind == "intercommunality" and name.startswith(_INTERCO_FEMININE_PREFIXES):
        phrase = f"la {name}"
    elif kind == "intercommunality" and name.startswith("Eurométropole"):
        phrase = f"l'{name}"
    else:
        phrase = name
    return FrName(phrase, _de(phrase))


@functools.lru_cache(maxsize=4096)  # pure, and asked again and again by the reasons
def en_name(name: str, kind: str = "") -> str:
    """An authority's name in English: the name itself (``"the Landes département"`` for a département,
    whose English name may take an article); a kind noun when there is none."""
    name = name.strip()
    if not name:
        return _KIND_NOUNS_EN.get(kind, "the French authority")
    return f"the {name} département" if kind == "department" else name


# ---- language names ----------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)  # pure, and asked again and again by the reasons
def language_names(codes: tuple[str, ...], lang: str) -> str:
    """Language codes as names: ``("fr", "wo")`` -> ``"français, wolof"`` / ``"French, Wolof"``."""
    names = locale(lang).languages
    return ", ".join(str(names.get(c.replace("-", "_"), c)) for c in codes)
