"""The words a needs text and an expertise text share, rarest first: what the ``text_lex`` reason quotes
("Votre expertise et ses besoins emploient des termes communs (potable, assainissement)").

Words are compared folded (case and accents: "Épuration" is "epuration"). A stop word of the catalogue's
languages (the ``stop-words`` package's lists) never counts, nor a word found in more than
``COMMON_SHARE`` of the corpus texts (coopération, projet, développement…): shared, it says nothing about
the pair. Pure functions; the corpus counts are built with the catalogue arrays.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from types import MappingProxyType

from stop_words import get_stop_words

#: The stop-word lists read: the languages the catalogue's profiles are written in.
STOP_WORD_LANGUAGES = ("french", "english", "spanish", "portuguese", "german", "italian", "arabic", "dutch",
                       "romanian", "polish")
#: A word in more than this share of the corpus texts is too common to tell a pair apart. On the real
#: catalogue (346 texts) no word reaches it: "développement" is in 21 %, "eau" in 16 %, so shared words are
#: only ordered, rarest first; the cap matters once the corpus grows.
COMMON_SHARE = 0.25
WORD = re.compile(r"[^\W\d_]{3,}")
NAME_TOKEN = re.compile(r"[^\W\d_][\w-]*")  # an apostrophe ends a token: "d'Anié" is "d", "Anié"
NAME_PARTS = re.compile(r"-")


def fold(word: str) -> str:
    """Lower case without accents: how two texts' words are compared."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    return frozenset(fold(w) for lang in STOP_WORD_LANGUAGES for w in get_stop_words(lang))


#: Texts whose words are kept: the same texts are read again and again (every reason of a list reads its
#: query's; an event compares thousands of texts with thousands).
WORDS_CACHE = 65_536


@lru_cache(maxsize=WORDS_CACHE)
def words(text: str) -> Mapping[str, str]:
    """Folded word -> its first spelling in ``text`` (lower case), stop words left out, in text order
    (read-only: the answer is shared by every caller)."""
    return MappingProxyType(_words(text))


def _words(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    stops = stop_words()
    for m in WORD.finditer(text):
        key = fold(m.group())
        if key not in stops and key not in out:
            out[key] = m.group().lower()
    return out


def document_frequency(texts: Iterable[str]) -> Counter[str]:
    """In how many of ``texts`` each folded word appears."""
    df: Counter[str] = Counter()
    for t in texts:
        df.update(words(t).keys())
    return df


def shared(text: str, other: str, df: Mapping[str, int], n_texts: int, *, limit: int = 3) -> tuple[str, ...]:
    """Up to ``limit`` words both texts use, as ``text`` spells them, rarest in the corpus first (ties: in
    ``text``'s order); none that more than ``COMMON_SHARE`` of the ``n_texts`` corpus texts use."""
    mine, theirs = words(text), words(other)
    cap = COMMON_SHARE * n_texts
    common = [(df.get(k, 0), i, k) for i, k in enumerate(mine) if k in theirs and df.get(k, 0) <= cap]
    return tuple(mine[k] for _, _, k in sorted(common)[:limit])


def capitalised(text: str) -> frozenset[str]:
    """The folded words ``text`` writes with a capital inside a sentence (not its first word): the names it
    cites, of places ("Brital", "Agadez") and of bodies ("ENMITTAF"); stop words left out. A hyphenated name
    counts by its parts ("Sotouboua-Centre"), an elided article is not part of it ("d'Anié"). German writes
    every noun with a capital: there, these are its nouns."""
    out: set[str] = set()
    stops = stop_words()
    for m in NAME_TOKEN.finditer(text):
        token = m.group()
        if not token[0].isupper() or _opens_sentence(text, m.start()):
            continue
        for part in NAME_PARTS.split(token):
            key = fold(part)
            if len(key) >= 3 and key not in stops:
                out.add(key)
    return frozenset(out)


def _opens_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?:;«\"(\n"


def idf(df: int, n_texts: int) -> float:
    """A word's smoothed inverse document frequency in a corpus of ``n_texts`` texts (scikit-learn's
    ``smooth_idf``: ln((1 + n) / (1 + df)) + 1): rare words weigh more, an unseen one most."""
    return math.log((1 + n_texts) / (1 + df)) + 1.0
