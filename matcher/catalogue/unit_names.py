"""Find a foreign admin-1 or admin-2 unit from the way people write it: "Province du Sichuan",
"Gouvernorat de Gabès", "Județul Dolj", "Hubei Province", "Cercle de Yélimané".

Catalogue names carry the same generic words in other languages and positions ("Sichuan Sheng",
"Gabès Governorate", "Yélimané Cercle"), so both sides are reduced to a *core*: the normalised name without
leading or trailing unit words and their linking words. A core is looked up exactly within the country
(main, alternate and French names alike), then by close spelling ("Guégharkunik" / "Gegharkunik") when
one unit is clearly closest. Pure and in memory: built once from the catalogue's units.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from matcher.catalogue.normalize import has_latin, normalize_name
from matcher.domain import Level

_PARENS = re.compile(r"[(\[]([^)\]]*)[)\]]")
# Words that say "a unit of this kind" rather than which one, in the languages the lists are written in
# (after ``normalize_name``: no accents, lower case). Longer phrases first, so they win over their heads.
_HEAD_WORDS = (
    "conseil de cercle", "conseil provincial", "conseil regional", "conseil departemental", "conseil general",
    "district autonome", "ile autonome", "diputacion foral", "comunidad autonoma", "comunidad foral",
    "region metropolitaine", "gouvernement", "government", "generalitat", "province", "provincia", "provincie",
    "provinz", "region", "regione", "regiao", "departement", "departamento", "department", "gouvernorat",
    "governorate", "muhafazat", "district", "distrito", "cercle", "county", "comte", "judetul", "etat",
    "estado", "state", "oblast", "voivodie", "voivodeship", "wojewodztwo", "wilaya", "marz", "prefecture",
    "tinh", "land", "bundesland", "kanton", "canton", "municipio", "municipality", "municipalite", "commune",
)
_TAIL_WORDS = (
    "autonomous region", "uygur zizhiqu", "huizu zizhiqu", "zhuangzu zizhiqu", "zizhiqu", "sheng", "shi",
    "province", "provincia", "region", "department", "departement", "governorate", "district", "cercle",
    "county", "oblast", "raion", "state", "prefecture", "municipality", "voivodeship", "do", "ken", "fu",
)
_LINK = r"(?: (?:de la|de l|del|de|du|des|d|of|di|do|da))?"
_HEAD = re.compile(r"^(?:" + "|".join(re.escape(w) for w in _HEAD_WORDS) + r")" + _LINK + " ")
_TAIL = re.compile(r" (?:" + "|".join(re.escape(w) for w in _TAIL_WORDS) + r")$")
#: How close two cores must be for a spelling variant, and how far ahead of the next unit.
FUZZY_MIN = 0.88
FUZZY_MARGIN = 0.04


def unit_core(name: str) -> str:
    """The distinctive part of a unit's name: ``"Province du Sichuan"`` and ``"Sichuan Sheng"`` ->
    ``"sichuan"``; a name made only of generic words is kept whole (``"Centre"``)."""
    k = normalize_name(_PARENS.sub(" ", name))
    while True:
        stripped = _TAIL.sub("", _HEAD.sub("", k))
        if stripped == k or not stripped:
            return k
        k = stripped


def written_forms(name: str) -> list[str]:
    """The names a list's entry may mean: the name without its parentheses, each parenthesised part
    ("Île autonome de Ngazidja (Grande Comore)", "高松市 (Ville de Takamatsu)") and the part before a comma
    ("Murcia, Región de")."""
    outside = _PARENS.sub(" ", name).strip()
    forms = [outside, *(m.strip() for m in _PARENS.findall(name)), outside.split(",")[0]]
    return [f for f in dict.fromkeys(forms) if f]


@dataclass(frozen=True, slots=True)
class UnitHit:
    index: int  # the unit's index among the profiles the index was built from
    how: str  # "core" | "fuzzy"
    similarity: float


class UnitIndex:
    """Units by (country, core) for exact look-ups, and per country for close spellings."""

    def __init__(self, entries: Iterable[tuple[int, str, Level, Sequence[str]]]) -> None:
        """``entries``: (profile index, country, level, names) of admin-1 and admin-2 units only."""
        self._exact: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_country: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self._level: dict[int, Level] = {}
        for i, country, level, names in entries:
            self._level[i] = level
            cores = {unit_core(f) for n in names if n and has_latin(n) for f in written_forms(n)}
            cores.discard("")
            for c in cores:
                self._exact[(country, c)].append(i)
                self._by_country[country].append((c, i))

    def find(self, name: str, country: str, level_order: Sequence[Level]) -> UnitHit | None:
        """The unit ``name`` means in ``country``, preferring levels in ``level_order`` (others excluded)."""
        rank = {lv: r for r, lv in enumerate(level_order)}
        cores = list(dict.fromkeys(unit_core(f) for f in written_forms(name)))
        for core in cores:  # exact cores first, each written form in turn
            hits = [i for i in dict.fromkeys(self._exact.get((country, core), ())) if self._level[i] in rank]
            if hits:
                best = min(rank[self._level[i]] for i in hits)
                top = [i for i in hits if rank[self._level[i]] == best]
                if len(top) == 1:
                    return UnitHit(top[0], "core", 1.0)
        for core in cores:
            hit = self._closest(core, country, rank)
            if hit is not None:
                return hit
        return None

    def _closest(self, core: str, country: str, rank: dict[Level, int]) -> UnitHit | None:
        if len(core) < 4:  # short cores match too much by chance
            return None
        best: dict[int, float] = {}
        for c, i in self._by_country.get(country, ()):
            if self._level[i] in rank:
                s = difflib.SequenceMatcher(None, core, c, autojunk=False).ratio()
                if s > best.get(i, 0.0):
                    best[i] = s
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < FUZZY_MIN:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < FUZZY_MARGIN:
            return None
        return UnitHit(ranked[0][0], "fuzzy", ranked[0][1])
