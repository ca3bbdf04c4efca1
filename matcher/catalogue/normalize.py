"""Name normalisation for matching place names written by different sources, and country free text.

Twinning lists, Wikidata labels, INSEE and GeoNames all spell the same place differently: accents or not,
``St``/``Saint``/``Sankt``, hyphens or spaces, a qualifier in parentheses (``Valence (Drôme)``), an admin
suffix after a comma (``Bury St Edmunds, Suffolk``), two languages separated by a slash. ``normalize_name``
folds all of these to one key; ``name_keys`` gives the ordered list of keys to try for a name read from a
list (most specific first, so ``Frankfurt (Oder)`` is tried before ``Frankfurt``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from matcher.catalogue.accents import strip_accents

if TYPE_CHECKING:  # pragma: no cover
    from matcher.catalogue.files import Country

# Letters NFKD does not decompose into a base letter + accent; without this table "Łódź" would lose its Ł.
_SPECIAL = str.maketrans({
    "ł": "l", "đ": "d", "ð": "d", "ø": "o", "œ": "oe", "æ": "ae", "ß": "ss", "þ": "th", "ı": "i",
    "ħ": "h", "ŧ": "t", "ŋ": "ng", "ſ": "s",
})
# Modifier letters inside words (Polynesian ʻokina, Arabic ʿayn/hamza transliterations): deleted, since
# "Taiʻarapu" is also written "Taiarapu".
_MODIFIERS = str.maketrans("", "", "\u02bb\u02bd\u02be\u02bf")
# Apostrophes, hyphens, dashes, dots, slashes and other separators all become one space: sources disagree
# on "La Valette-du-Var" / "La Valette du Var" and "L'Haÿ" / "L’Haÿ".
_SEPARATORS = re.compile(r"[\s'’ʼ`´‘\-‐‑‒–—―_.,;:/\\|+*\"“”«»!?()\[\]{}]+")
_AMPERSAND = re.compile(r"\s*&\s*")
# Abbreviations expanded after folding. "st"/"ste" are the French and English abbreviations of
# Saint/Sainte; "sankt" is the German spelling (St. Gallen = Sankt Gallen). "San"/"Santa" are left alone:
# they are full words in Spanish and Italian and do not correspond to one French form.
_ABBREVIATIONS = {
    "st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes", "sankt": "saint",
    "mt": "mount", "ft": "fort",
}
_ABBREV_RE = re.compile(r"\b(" + "|".join(_ABBREVIATIONS) + r")\b")
_PARENS = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")
#: Leading articles dropped to form the alternate key ("Le Touquet" and "Touquet" both give "touquet").
ARTICLES = frozenset({"le", "la", "les", "l", "the", "el", "il", "lo", "los", "las", "gli", "het", "de", "der",
                      "die", "das", "den"})
# Latin letters; an alternate name without any (Cyrillic, Han, Arabic...) can never match the Latin-script
# names of the lists, so the resolver skips it instead of normalising it.
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


# Administrative words around a name in the lists ("Razgrad Municipality", "Arlington County",
# "London Borough of Haringey", "Gmina Izabelin"). "City"/"Town" are left: they are parts of names
# ("Kansas City", "Cape Town").
_ADMIN_HEAD = re.compile(
    r"^((london |royal |metropolitan )?borough of|city of|town of|municipality of|county of|district of|"
    r"gmina|municipio de|comune di|commune de|ville de|stadt|landkreis|obshtina|opstina|rajon) "
)
_ADMIN_TAIL = re.compile(
    r" (municipality|municipal district|district|county|borough|township|gmina|commune|"
    r"urban district|rural district|rural gmina|urban gmina|city council|council)$"
)
_SPACED_DASH = re.compile(r"\s+[-–—]\s+")


def has_latin(s: str) -> bool:
    return _LATIN.search(s) is not None


@lru_cache(maxsize=262_144)
def normalize_name(s: str) -> str:
    """Fold a place name to a comparison key: casefold, no accents, one space between words, Saint expanded.

    Parentheses and commas are kept as word separators here (``Frankfurt (Oder)`` -> ``frankfurt oder``):
    stripping qualifiers is ``name_keys``'s job, since for some places the qualifier is part of the name.
    """
    if not s:
        return ""
    t = s.casefold()
    if not t.isascii():
        t = strip_accents(t.translate(_SPECIAL).translate(_MODIFIERS))
        t = t.translate(_SPECIAL)  # NFKD can expose letters of the table (rare compatibility forms)
    t = _AMPERSAND.sub(" and ", t)
    t = _SEPARATORS.sub(" ", t).strip()
    return _ABBREV_RE.sub(lambda m: _ABBREVIATIONS[m.group(1)], t)


def strip_article(key: str) -> str:
    """The alternate key without its leading article(s): ``le mans`` -> ``mans``, ``l isle adam`` -> ``isle adam``.

    Returns the key unchanged when dropping would leave nothing (``La``).
    """
    words = key.split()
    i = 0
    while i < len(words) - 1 and words[i] in ARTICLES:
        i += 1
    return " ".join(words[i:])


def name_keys(s: str) -> list[str]:
    """Ordered, distinct comparison keys for a name read from a list, most specific first.

    1. the whole name (``chateau chinon ville`` is a real INSEE name, ``frankfurt oder`` a GeoNames one);
    2. without parenthetical qualifiers (``Valence (Drôme)`` -> ``valence``);
    3. the part before the first comma (``Bury St Edmunds, Suffolk`` -> ``bury saint edmunds``);
    4. each side of a slash (``Watermael-Boitsfort / Watermaal-Bosvoorde``, ``Dillingen/Saar``).
    """
    raw = s.strip()
    if not raw:
        return []
    variants = [raw, _PARENS.sub(" ", raw).strip()]
    variants.append(variants[-1].split(",")[0])
    if "/" in raw:
        variants.extend(part for part in variants[-1].split("/"))
    keys: list[str] = []
    for v in variants:
        k = normalize_name(v)
        if k and k not in keys:
            keys.append(k)
    for k in list(keys):  # "Razgrad Municipality", "London Borough of Haringey" -> "razgrad", "haringey"
        bare = _ADMIN_TAIL.sub("", _ADMIN_HEAD.sub("", k))
        if bare and bare not in keys:
            keys.append(bare)
    # "Bonn – Bad Godesberg", "Prague 18 – Letňany": a town and its district joined by a spaced dash. The
    # partner is the district; the town is a different authority, so it is not offered as a key.
    parts = [p for p in _SPACED_DASH.split(variants[1]) if p.strip()]
    if len(parts) > 1:
        k = normalize_name(parts[-1])
        if k and k not in keys:
            keys.append(k)
    return keys


def parenthetical(s: str) -> str:
    """The text inside the first parentheses, normalised (``Arras (communauté)`` -> ``communaute``), or ''."""
    m = re.search(r"\(([^)]*)\)", s)
    return normalize_name(m.group(1)) if m else ""


# --- Countries -------------------------------------------------------------------------------------------

#: Country strings seen in the twinning lists (or common historic/short forms) that are not a current
#: English or French short name. Keys are written naturally and normalised when the table is built.
COUNTRY_VARIANTS: dict[str, str] = {
    # United Kingdom and its nations (Wikipedia lists use the nation, sometimes with ", United Kingdom").
    "England": "GB", "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB", "Great Britain": "GB",
    "UK": "GB", "United Kingdom of Great Britain and Northern Ireland": "GB", "Britain": "GB",
    "Angleterre": "GB", "Écosse": "GB", "Pays de Galles": "GB", "Irlande du Nord": "GB",
    "United States of America": "US", "USA": "US", "U.S.": "US", "U.S.A.": "US", "America": "US",
    "People's Republic of China": "CN", "PRC": "CN", "Republic of China": "TW",
    "Republic of Ireland": "IE", "Eire": "IE",
    "Czech Republic": "CZ", "Czechia": "CZ",
    "Ivory Coast": "CI", "Côte d'Ivoire": "CI", "Cote d'Ivoire": "CI",
    "Democratic Republic of the Congo": "CD", "DR Congo": "CD", "DRC": "CD", "Congo-Kinshasa": "CD",
    "Zaire": "CD", "République démocratique du Congo": "CD",
    "Republic of the Congo": "CG", "Congo": "CG", "Congo-Brazzaville": "CG",
    "Kingdom of the Netherlands": "NL", "Holland": "NL", "The Netherlands": "NL",
    "West Germany": "DE", "East Germany": "DE", "Federal Republic of Germany": "DE",
    "Russian Federation": "RU",
    "Republic of Macedonia": "MK", "Macedonia": "MK", "FYROM": "MK",
    "Bosnia and Hercegovina": "BA", "Bosnia": "BA",
    "Georgia (country)": "GE",
    "Moldavia": "MD", "Republic of Moldova": "MD",
    "Palestine": "PS", "State of Palestine": "PS", "Palestinian territories": "PS",
    "Palestinian National Authority": "PS", "Palestinian Territory": "PS", "West Bank": "PS",
    "Gaza Strip": "PS",
    "Northern Cyprus": "CY", "Turkish Republic of Northern Cyprus": "CY",
    "Kosovo": "XK", "Republic of Kosovo": "XK",
    "East Timor": "TL", "Timor-Leste": "TL",
    "Federated States of Micronesia": "FM", "Micronesia": "FM",
    "Cape Verde": "CV", "Cabo Verde": "CV",
    "Swaziland": "SZ", "Eswatini": "SZ", "Burma": "MM", "Myanmar": "MM",
    "South Korea": "KR", "Republic of Korea": "KR", "Korea": "KR", "North Korea": "KP",
    "Vietnam": "VN", "Viet Nam": "VN", "Laos": "LA", "Syria": "SY", "Iran": "IR", "Brunei": "BN",
    "Russia": "RU", "Taiwan": "TW", "Vatican City": "VA", "Holy See": "VA",
    "São Tomé and Príncipe": "ST", "Gambia": "GM", "The Gambia": "GM", "Bahamas": "BS",
    "Turkey": "TR", "Türkiye": "TR", "Surinam": "SR",
    "Åland Islands, Finland": "AX", "Åland": "AX", "Faroe Islands": "FO",
    # Typos and other languages seen in the Wikipedia list.
    "Saint Vincent and the Grenadines": "VC", "Saint Kitts and Nevis": "KN", "Saint Lucia": "LC",
    "Grece": "GR", "Kazakhstah": "KZ", "Madagaskar": "MG", "Island": "IS",
}

#: Overseas départements and collectivités (INSEE code) -> their own ISO code: their towns are French
#: communes, while a list may give "Réunion" or "Réunion, France" as the country.
OVERSEAS_DEPARTMENTS: dict[str, str] = {
    "971": "GP", "972": "MQ", "973": "GF", "974": "RE", "975": "PM", "976": "YT", "977": "BL", "978": "MF",
    "986": "WF", "987": "PF", "988": "NC",
}
FRENCH_OVERSEAS = frozenset(OVERSEAS_DEPARTMENTS.values())

#: The régions merged in 2016 (INSEE code of the merged région -> former names): the 2017 lists still
#: name them ("Nord-Pas-de-Calais").
FORMER_REGIONS: dict[str, tuple[str, ...]] = {
    "44": ("Alsace", "Champagne-Ardenne", "Lorraine"),
    "75": ("Aquitaine", "Limousin", "Poitou-Charentes"),
    "84": ("Auvergne", "Rhône-Alpes"),
    "27": ("Bourgogne", "Franche-Comté"),
    "76": ("Languedoc-Roussillon", "Midi-Pyrénées"),
    "32": ("Nord-Pas-de-Calais", "Picardie"),
    "28": ("Basse-Normandie", "Haute-Normandie"),
    "24": ("Centre",),
}


def _country_key(s: str) -> str:
    key = normalize_name(_PARENS.sub(" ", s))
    for prefix in ("the ", "in "):  # "The Gambia", "in Italy"
        key = key.removeprefix(prefix)
    return key


class CountryNames:
    """Country free text -> ISO alpha-2, from countries.json names, Babel's en/fr names and the variants."""

    def __init__(self, countries: Mapping[str, Country] | None = None) -> None:
        table: dict[str, str] = {}
        try:  # Babel (installed with the build extra) adds names countries.json may not have.
            from babel import Locale

            for lang in ("fr", "en"):
                for code, label in Locale(lang).territories.items():
                    if len(code) == 2 and code.isalpha():
                        table[_country_key(label)] = code
        except ImportError:  # pragma: no cover - babel is optional at run time
            pass
        for c in (countries or {}).values():
            for label in (c.name, c.name_fr):
                if label:
                    table[_country_key(label)] = c.code
        for label, code in COUNTRY_VARIANTS.items():
            table[_country_key(label)] = code
        self._table = table
        self._codes = {c.upper() for c in table.values()} | {c.upper() for c in (countries or {})}
        self._iso3 = {c.iso3.upper(): c.code for c in (countries or {}).values() if c.iso3}

    def code(self, text: str | None) -> str | None:
        """ISO alpha-2 code for ``text``, or None when it names no known country.

        ``A, B`` strings (``England, United Kingdom``, ``Réunion, France``, ``Brandenburg, Germany``) try the
        whole string, then the last part (the country), then the first one.
        """
        if not text or not text.strip():
            return None
        raw = text.strip()
        if len(raw) == 2 and raw.isalpha() and raw.upper() in self._codes:
            return raw.upper()
        if len(raw) == 3 and raw.isupper() and raw in self._iso3:
            return self._iso3[raw]
        hit = self._table.get(_country_key(raw))
        if hit:
            return hit
        if "," in raw:
            parts = [p for p in raw.split(",") if p.strip()]
            if len(parts) > 1 and self._table.get(_country_key(parts[-1])) == "FR":
                first = self._table.get(_country_key(parts[0]))
                if first in FRENCH_OVERSEAS:  # "Réunion, France": keep the finer code
                    return first
            for part in (parts[-1], parts[0]) if parts else ():
                hit = self._table.get(_country_key(part))
                if hit:
                    return hit
        return None


_DEFAULT_NAMES: list[CountryNames] = []


def country_code(name: str | None, countries: Mapping[str, Country] | None = None) -> str | None:
    """ISO alpha-2 for a country written in English or French free text (None when unknown).

    Without ``countries`` a shared table (Babel names + variants) is used; a resolver that reads many names
    should build one ``CountryNames`` and call ``.code`` instead.
    """
    if countries is not None:
        return CountryNames(countries).code(name)
    if not _DEFAULT_NAMES:
        _DEFAULT_NAMES.append(CountryNames())
    return _DEFAULT_NAMES[0].code(name)
