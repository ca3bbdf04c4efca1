"""Names mentioned in texts: when one side's text really names the other authority, as pure functions.

A name counts as mentioned only when its **full name** (the name less the words of its level, "Commune
de", "District"; or its French name) appears **as a phrase** in the text: consecutive folded words, the
first written with a capital, a hyphenated word never cut ("Port-Louis" does not mention a "Louis").
What the mention is worth is the probability that it means this authority: ``1 / d``, ``d`` the number of
catalogue names of the candidate's level that contain the phrase ("Santa Cruz": hundreds, worth nothing;
"Bignona": one). Where the text names countries (other than its author's), only authorities of those
countries can be meant, and ``d`` counts their namesakes there only. Then:

- **common words never count alone**: a one-word name made of a word many names share across many
  countries (``NameStats.common``, derived from the catalogue's own names: "grand", "petite", "port",
  "nouvelle", "santa"...) counts only where the text names its country, and then by its rarity there;
- **a capital at the start of a sentence is not evidence**: such a phrase (with no other capital in it,
  and never written with a capital inside a sentence) counts only where the text names its country;
- a mention worth less than ``MIN_WEIGHT`` is no mention.

The scoring path stays a sparse product: each catalogue row hashes its phrases into ``NAME_FEATURES``
columns (``name_matrix``), each text its candidate phrases (``text_matrix``); the product gives the few
rows that may be named, and only those are checked exactly (``weight``: hash collisions, country,
rarity) — a loop over the hits, never over the names.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from matcher.themes import fold

NAME_FEATURES = 2**22  # hashed phrase columns; collisions are removed by the exact check of the hits
MAX_TOKENS = 6  # longest phrase looked for (99.8 % of catalogue names have at most 5 words)
#: A word is common when more than ``COMMON_MIN_NAMES`` catalogue names in more than ``COMMON_MIN_COUNTRIES``
#: countries contain it (``benchmarks/name_words.py`` prints the measurement behind these figures).
COMMON_MIN_NAMES = 15
COMMON_MIN_COUNTRIES = 4
#: A word is a level word when it starts or ends at least this many admin-unit names, twice as many as
#: town names ("county", "district", "kabupaten", "rayon", "municipio"...).
LEVEL_EDGE_MIN = 30
#: The least a mention may be worth: even odds that it means this authority rather than a namesake.
MIN_WEIGHT = 0.5
#: Inhabitants added to every population when namesakes are weighed: an unknown population (most admin
#: units) counts as a small place, and namesakes without any are weighed equally.
POP_SMOOTH = 1000.0


def mass(population: float) -> float:
    """How likely a text is to mean a place, before reading it: its population, smoothed (the Milan a
    French text names is Milan, Italy, not Milan, Tennessee)."""
    return max(float(population), 0.0) + POP_SMOOTH

#: Words of a level or form written in names (kinds; the derived ones are added by ``NameStats.build``).
KIND_WORDS = frozenset(fold(w) for w in [
    "commune", "ville", "municipalité", "municipalidad", "municipality", "municipio", "município", "city", "town",
    "cité", "région", "region", "región", "regione", "province", "provincia", "département", "department",
    "departamento", "district", "distrito", "county", "comté", "state", "état", "estado", "governorate",
    "gouvernorat", "préfecture", "prefecture", "cercle", "arrondissement", "communauté", "agglomération",
    "métropole", "metropolitan", "metropolitana", "metropole", "urbaine", "rural", "rurale", "conseil", "council",
    "gouvernement", "government", "mairie", "départemental", "régional", "municipal", "municipale", "provincial",
    "général", "générale",
])
#: Articles and prepositions that open or close a name as a text writes it ("la ville du Havre").
EDGE_ARTICLES = frozenset(["de", "du", "des", "la", "le", "les", "l", "d", "of", "the", "y", "en", "et", "and",
                           "di", "del", "da", "do", "della"])

_UNIT = re.compile(r"\w+(?:[-‐‑]\w+)*")
_HYPHEN = re.compile(r"[-‐‑]")
_BREAK = re.compile(r"[.!?…:;\n\r•·|()\[\]«»\"“”]")  # what ends a sentence (or a title, a list item)
_SEP = re.compile(r"[,/–—&+]")  # what a name does not run across
_HASH = HashingVectorizer(n_features=NAME_FEATURES, alternate_sign=False, norm=None, analyzer=lambda xs: xs)
UNITS_LEVELS = ("admin1", "admin2", "intercommunal")


def core(name: str, level_words: frozenset[str] = KIND_WORDS) -> tuple[str, ...]:
    """The folded words of a name less its level words and articles at either end
    ("Commune de Bignona" -> ("bignona",), "Jhunjhunu District" -> ("jhunjhunu",))."""
    toks = fold(name).split()
    drop = level_words | EDGE_ARTICLES
    while toks and toks[0] in drop:
        toks.pop(0)
    while toks and toks[-1] in drop:
        toks.pop()
    return tuple(toks)


def subphrases(toks: Sequence[str]) -> set[str]:
    """Every run of consecutive words of ``toks`` (at most ``MAX_TOKENS``), as folded phrases."""
    return {" ".join(toks[i:j]) for i in range(len(toks)) for j in range(i + 1, min(len(toks), i + MAX_TOKENS) + 1)}


@dataclass(frozen=True)
class NameStats:
    """What the catalogue's names say about words and phrases, fitted once (like the lexical IDF: a later
    write does not refit it; a phrase it has never seen counts one namesake, itself)."""

    level_words: frozenset[str]
    common: frozenset[str]
    phrase_ids: dict[str, int]
    start: np.ndarray  # (P + 1,) offsets of each phrase's namesakes in ``levels`` / ``countries``
    levels: np.ndarray  # (namesakes,) int8 level index of each name containing the phrase
    countries: np.ndarray  # (namesakes,) int32 index into ``codes``
    masses: np.ndarray  # (namesakes,) float64 ``mass`` of each (its population, smoothed)
    codes: tuple[str, ...]

    @classmethod
    def build(cls, names: Sequence[Sequence[str]], levels: Sequence[int], countries: Sequence[str],
              populations: Sequence[float] | None = None, *,
              unit_levels: Iterable[int] = (), common_min_names: int = COMMON_MIN_NAMES,
              common_min_countries: int = COMMON_MIN_COUNTRIES, level_edge_min: int = LEVEL_EDGE_MIN) -> NameStats:
        """``names[i]``: the names of row i (its name and French name), ``levels[i]`` its level index,
        ``countries[i]`` its ISO code, ``populations[i]`` its population (0 unknown); ``unit_levels``: the
        level indices of admin units."""
        pops = populations if populations is not None else [0.0] * len(names)
        units = frozenset(unit_levels)
        edge_unit: Counter[str] = Counter()
        edge_town: Counter[str] = Counter()
        for row_names, lv in zip(names, levels):
            for nm in set(row_names):
                toks = fold(nm).split()
                if len(toks) >= 2:
                    (edge_unit if lv in units else edge_town).update({toks[0], toks[-1]})
        local: dict[str, set[str]] = defaultdict(set)
        for row_names, c in zip(names, countries):
            for nm in set(row_names):
                for w in fold(nm).split():
                    local[w].add(c)
        # A level word belongs to one country's or language's names ("kabupaten", "powiat"): a word that
        # opens unit names in many countries is a name's own ("Nord", "Sud": Nord-Kivu is not Kivu).
        level_words = KIND_WORDS | {w for w, k in edge_unit.items() if k >= level_edge_min
                                    and k >= 2 * edge_town[w] and len(local[w]) <= common_min_countries}
        cores = [{c for c in (core(nm, level_words) for nm in row_names) if c} for row_names in names]
        n_names: Counter[str] = Counter()
        n_countries: dict[str, set[str]] = defaultdict(set)
        for row_cores, c in zip(cores, countries):
            words = {w for toks in row_cores for w in toks}
            n_names.update(words)
            for w in words:
                n_countries[w].add(c)
        common = frozenset(w for w, k in n_names.items()
                           if k > common_min_names and len(n_countries[w]) > common_min_countries)
        phrase_ids: dict[str, int] = {}
        for row_cores in cores:
            for core_toks in row_cores:
                if len(core_toks) <= MAX_TOKENS:
                    phrase_ids.setdefault(" ".join(core_toks), len(phrase_ids))
        codes = tuple(sorted(set(countries)))
        cidx = {c: i for i, c in enumerate(codes)}
        pid_l: list[int] = []
        lv_l: list[int] = []
        c_l: list[int] = []
        m_l: list[float] = []
        for row_cores, lv, c, pop in zip(cores, levels, countries, pops):
            seen = {phrase_ids[s] for toks in row_cores for s in subphrases(toks) if s in phrase_ids}
            pid_l.extend(seen)
            lv_l.extend([lv] * len(seen))
            c_l.extend([cidx[c]] * len(seen))
            m_l.extend([mass(pop)] * len(seen))
        pid = np.asarray(pid_l, dtype=np.int64)
        order = np.argsort(pid, kind="stable")
        start = np.zeros(len(phrase_ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(pid, minlength=len(phrase_ids)), out=start[1:])
        return cls(level_words=level_words, common=common, phrase_ids=phrase_ids, start=start,
                   levels=np.asarray(lv_l, dtype=np.int8)[order], countries=np.asarray(c_l, dtype=np.int32)[order],
                   masses=np.asarray(m_l, dtype=np.float64)[order], codes=codes)

    def namesakes(self, phrase: str, level: int, countries: Iterable[str] | None = None) -> float:
        """The summed ``mass`` of the names of ``level`` (in ``countries``, if given) that contain ``phrase``."""
        pid = self.phrase_ids.get(phrase)
        if pid is None:
            return 0.0
        seg = slice(int(self.start[pid]), int(self.start[pid + 1]))
        hit = self.levels[seg] == level
        if countries is not None:
            hit &= np.isin(self.countries[seg], [self.codes.index(c) for c in countries if c in self.codes])
        return float(self.masses[seg][hit].sum())

    def phrases(self, *names: str) -> tuple[str, ...]:
        """The phrases that mention an authority with these names (its name, its French name)."""
        return _phrases(names, self.level_words)


EMPTY_STATS = NameStats(level_words=KIND_WORDS, common=frozenset(), phrase_ids={}, start=np.zeros(1, np.int64),
                        levels=np.zeros(0, np.int8), countries=np.zeros(0, np.int32), masses=np.zeros(0),
                        codes=())


@lru_cache(maxsize=65536)
def _phrases(names: tuple[str, ...], level_words: frozenset[str]) -> tuple[str, ...]:
    out = [" ".join(c) for c in (core(n, level_words) for n in names if n) if 0 < len(c) <= MAX_TOKENS]
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class TextNames:
    """What one text can name: its candidate phrases (``grams``: capitalised with evidence; ``weak``: the
    only capital is a sentence's first letter) and the countries it names other than its author's."""

    grams: frozenset[str] = frozenset()
    weak: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.grams and not self.weak


@lru_cache(maxsize=1)
def country_phrases() -> dict[str, frozenset[str]]:
    """Folded country names in French, English, Spanish, Portuguese, German and Italian -> ISO codes
    (CLDR through babel)."""
    from babel import Locale

    out: dict[str, set[str]] = defaultdict(set)
    for lang in ("fr", "en", "es", "pt", "de", "it"):
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("EU", "EZ", "UN", "ZZ", "QO"):
                phrase = " ".join(fold(name).split())
                if phrase:
                    out[phrase].add(code)
    return {k: frozenset(v) for k, v in out.items()}


def text_names(text: str, stats: NameStats = EMPTY_STATS, own_names: Sequence[str] = (), own_country: str = ""
               ) -> TextNames:
    """The phrases ``text`` may name authorities with, less every part of its author's own names
    (``own_names``: a text naming its own town names no partner), and the countries it names."""
    # (folded words, capital, sentence start, separated from the previous word)
    units: list[tuple[list[str], bool, bool, bool]] = []
    last = 0
    for m in _UNIT.finditer(text):
        initial = not units or bool(_BREAK.search(text, last, m.start()))
        apart = initial or bool(_SEP.search(text, last, m.start()))
        last = m.end()
        for k, part in enumerate(_HYPHEN.split(m.group(0))):
            toks = fold(part).split()
            # An acronym ("ONG", "MAD") is not a capitalised name.
            cap = part[:1].isupper() and not (len(part) > 1 and part.isupper())
            if toks:  # the parts of a hyphenated word are words: "Pilimpikou-Arbollé" names Arbollé
                units.append((toks, cap, initial and k == 0, apart and k == 0))
    proper = {u[0][0] for u in units if u[1] and not u[2]}  # first words written with a capital mid-sentence
    own: set[str] = set()
    for nm in own_names:
        if nm:
            own |= subphrases(core(nm, stats.level_words))
    grams: set[str] = set()
    weak: set[str] = set()
    for i, (toks, cap, initial, _) in enumerate(units):
        if not cap:
            continue
        words: list[str] = []
        evidence = not initial or toks[0] in proper
        for j in range(i, len(units)):
            if j > i:
                evidence = evidence or units[j][1]
            words.extend(units[j][0])
            if len(words) > MAX_TOKENS:
                break
            phrase = " ".join(words)
            more = j + 1 < len(units) and not units[j + 1][3]
            # Common words followed by a capitalised word are part of a longer name ("Grand Port Maritime").
            embedded = more and units[j + 1][1] and all(w in stats.common for w in words)
            if phrase not in own:
                (grams if evidence and not embedded else weak).add(phrase)
            if not more:
                break  # a phrase does not run across a sentence break or a comma
    lexicon = country_phrases()
    countries = {c for p in grams | weak for c in lexicon.get(p, ())} - {own_country}
    return TextNames(frozenset(grams), frozenset(weak - grams), frozenset(countries))


def weight(stats: NameStats, phrases: Iterable[str], level: int, country: str, population: float,
           text: TextNames) -> float:
    """What ``text`` naming an authority (its ``phrases``, ``level``, ``country``, ``population``) is worth:
    the probability that it means this one among the names of its level containing the phrase, each
    weighed by its ``mass`` — among those of the countries the text names, where it names this one's.
    0 when the text does not name it, or it is worth less than ``MIN_WEIGHT``."""
    mine = mass(population)
    best = 0.0
    for p in phrases:
        strong = p in text.grams
        if not strong and p not in text.weak:
            continue
        named = country_phrases().get(p)
        if named is not None and country not in named:
            continue  # "Mali" names the country, not a town of that name elsewhere
        words = p.split()
        all_common = all(w in stats.common for w in words)
        if country in text.countries:
            total = stats.namesakes(p, level, text.countries)
        elif not strong or (len(words) == 1 and all_common):
            continue  # a common word alone, or a capital that only opens a sentence: its country must back it
        elif text.countries and (all_common or stats.namesakes(p, level, text.countries) > 0):
            continue  # the text names other countries, where this phrase (or a namesake) is more likely meant
        else:
            total = stats.namesakes(p, level)
        best = max(best, mine / max(total, mine))
    return best if best >= MIN_WEIGHT else 0.0


# ---- the sparse product --------------------------------------------------------------------------
def _hashed(lists: Sequence[Iterable[str]]) -> sp.csr_matrix:
    if not lists:
        return sp.csr_matrix((0, NAME_FEATURES), dtype=np.float32)
    m = sp.csr_matrix(_HASH.transform([sorted(x) for x in lists]), dtype=np.float32)
    m.data[:] = 1.0
    return m


def name_matrix(phrases: Sequence[Iterable[str]]) -> sp.csr_matrix:
    """(n, NAME_FEATURES) binary rows: the hashed phrases of each authority."""
    return _hashed(phrases)


def text_matrix(texts: Sequence[TextNames]) -> sp.csr_matrix:
    """(m, NAME_FEATURES) binary rows: the hashed candidate phrases of each text."""
    return _hashed([t.grams | t.weak for t in texts])


__all__ = [
    "COMMON_MIN_COUNTRIES",
    "COMMON_MIN_NAMES",
    "MIN_WEIGHT",
    "NAME_FEATURES",
    "NameStats",
    "TextNames",
    "core",
    "country_phrases",
    "name_matrix",
    "text_matrix",
    "text_names",
    "weight",
]
