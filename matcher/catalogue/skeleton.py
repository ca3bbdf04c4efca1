"""Names compared by what they look like (issue 25, point 4): a Unicode *skeleton* in the sense of Unicode
Technical Standard #39 (security mechanisms), "Rеnnes" with a Cyrillic е, "Ren\u200bnes" with a zero-width
space and "RENNES" all give the skeleton of "Rennes". Pure.

``name_skeleton(text)``: NFKC (compatibility forms: full-width, ligatures, mathematical letters), the
*default-ignorable* characters removed (zero-width spaces and joiners, soft hyphen, bidirectional marks,
variation selectors: every format character, category Cf, and the other ignorables), case folded, then
each character replaced by its TR39 prototype (NFD before and after, as TR39's skeleton), then the search
key of ``matcher.store.codec`` (accents and punctuation folded, abbreviations expanded: "St-Étienne" =
"Saint Etienne"). Two names with the same skeleton are the same name to a reader.

The confusables table is Unicode's ``confusables.txt`` as shipped by the ``confusable-homoglyphs`` package
(pinned in pyproject.toml): each source character lists its prototype, each prototype its sources. A pair
where neither side has other sources (a prototype with one source) is read toward the ASCII side, else the
shorter, else the lower code point.

``search_form(text)``: what to look a name up with in the store's search (which folds accents and case
but knows nothing of scripts): the same ignorables removed and every non-ASCII character whose prototype is
ASCII replaced by it, the rest left as it is ("Lуon" with a Cyrillic у is searched as "Lyon").
"""

from __future__ import annotations

import functools
import unicodedata

from matcher.store.codec import search_key

#: Default-ignorable code points that are not format characters (Cf is tested by category): combining
#: grapheme joiner, Hangul fillers, Mongolian free variation selectors, variation selectors.
_IGNORABLE_RANGES = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164),
                     (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF))
_BIDI_MARKS = "\u200e\u200f"  # the package wraps right-to-left characters in them


def is_ignorable(ch: str) -> bool:
    """A default-ignorable character: invisible, so a name with one reads the same without it."""
    if unicodedata.category(ch) == "Cf":
        return True
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _IGNORABLE_RANGES)


def _visible(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not is_ignorable(ch))


def _rank(s: str) -> tuple[bool, int, str]:
    return (not s.isascii(), len(s), s)


@functools.cache
def prototypes() -> dict[str, str]:
    """Character -> its TR39 prototype (only characters that have another one)."""
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[str, list[str]] = {}
    for key, entries in confusables_data.items():
        table[key.strip(_BIDI_MARKS)] = [e["c"].strip(_BIDI_MARKS) for e in entries]
    out: dict[str, str] = {}
    for ch, targets in table.items():
        if len(ch) != 1 or len(targets) != 1 or not targets[0]:
            continue  # a prototype of several sources maps to itself; multi-character keys are prototypes
        target = targets[0]
        back = table.get(target, [])
        # target has sources of its own: it is the prototype; a pair: toward ASCII, then shorter, then lower
        if len(back) > 1 or min(ch, target, key=_rank) == target:
            out[ch] = target
    return out


def skeleton(text: str) -> str:
    """TR39's skeleton of ``text`` after NFKC, ignorables removed and case folded (see the module)."""
    table = prototypes()
    folded = unicodedata.normalize("NFD", _visible(text).casefold())
    return unicodedata.normalize("NFD", "".join(table.get(ch, ch) for ch in folded))


def name_skeleton(text: str) -> str:
    """The form two names are compared in: equal skeletons = the same name to a reader."""
    return search_key(skeleton(text))


def search_form(text: str) -> str:
    """``text`` to search the catalogue with: ignorables removed, non-ASCII look-alikes of ASCII letters
    replaced by them (see the module)."""
    table = prototypes()
    out = []
    for ch in _visible(text):
        proto = table.get(ch, ch) if not ch.isascii() else ch
        out.append(proto if proto.isascii() else ch)
    return "".join(out)
