"""The one accent fold every comparison key is built on (standard library only, so any module may use it).

``strip_accents`` is Unicode compatibility decomposition (NFKD: ``ﬁ`` -> ``fi``, ``①`` -> ``1``, ``é`` -> ``e`` +
an accent) with every combining mark dropped; case and separators are kept. ``fold`` adds case folding
(``ß`` -> ``ss``, ``İ`` -> ``i``) and turns any run of characters that are not letters or digits into one space.
Letters NFKD does not decompose (``ł``, ``ø``, ``œ``, ``ı``) stay as they are: the callers that need them
spelled in Latin letters say so on top (``french.fold``: ``œ`` -> ``oe``; ``normalize.normalize_name``: its
table of special letters, modifier letters and abbreviations; ``themes.fold``: the Arabic tatweel).
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+")


def strip_accents(text: str) -> str:
    """``text`` in NFKD without its combining marks: ``"Saint-Étienne"`` -> ``"Saint-Etienne"``."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Accent- and case-insensitive key, one space between words: ``"Saint-Étienne"`` -> ``"saint etienne"``,
    ``"Fußball"`` -> ``"fussball"``, ``"İzmir"`` -> ``"izmir"``."""
    return _NON_WORD.sub(" ", strip_accents(text).casefold()).strip()
