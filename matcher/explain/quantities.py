"""Numbers as the explanations write them, in French and English: CLDR's separators and plural rules
(through babel), percentages that are never a false 0 or 100, populations and size factors rounded the way
a sentence states them."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale

from matcher.domain import SIZE_BOUNDS


@functools.lru_cache(maxsize=16)
def locale(lang: str) -> Locale:
    return Locale.parse(lang)


@functools.lru_cache(maxsize=16)
def _symbols(lang: str) -> tuple[str, str, str]:
    """CLDR's group separator, decimal sign and minus sign for ``lang`` (fr: narrow no-break space, comma)."""
    sym = locale(lang).number_symbols["latn"]
    return sym["group"], sym["decimal"], sym["minusSign"]


def number(x: float, lang: str, digits: int = 0) -> str:
    """``4 300`` (narrow no-break space) in French, ``4,300`` in English; ``digits`` decimals, fixed.
    CLDR's symbols (through babel) with Python's formatting: reasons format thousands of distinct
    distances and sizes, and babel's pattern machinery cost a third of a list's explanation time."""
    group, decimal, minus = _symbols(lang)
    # Half up on the decimal value written (0.25 -> 0.3), as CLDR formatting does, not on the binary float.
    exact = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{exact:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", group).replace("-", minus)


def integer(n: int, lang: str) -> str:
    """An exact integer (a population as given): ``3 692`` / ``3,692``."""
    group, _, minus = _symbols(lang)
    return f"{int(n):,}".replace(",", group).replace("-", minus)


def plural(n: float, one: str, other: str, lang: str) -> str:
    """The noun form CLDR's plural rules give ``n``: French 0 and 1 are singular, English only 1."""
    return one if locale(lang).plural_form(n) == "one" else other


def count(n: int, one: str, other: str, lang: str) -> str:
    """``"1 partenariat"``, ``"2 partenariats"``, ``"1,200 partnerships"``."""
    return f"{integer(n, lang)} {plural(n, one, other, lang)}"


def percent(share: float, lang: str, digits: int = 0) -> str:
    """A share as a percentage, never a false 0 or 100: ``12 %``, ``0,2 %``, ``moins de 0,1 %``,
    ``plus de 99 %`` (French puts a no-break space before %)."""
    sign = "\u00a0%" if lang == "fr" else "%"
    p = 100.0 * share
    if p <= 0:
        return number(0, lang) + sign
    for d in (digits, digits + 1):
        if round(p, d) > 0:
            break
    else:
        floor = number(10.0 ** -(digits + 1), lang, digits + 1) + sign
        return f"moins de {floor}" if lang == "fr" else f"less than {floor}"
    if round(p, d) >= 100:
        if p < 100:
            return ("plus de " if lang == "fr" else "more than ") + number(99, lang) + sign
        return number(100, lang) + sign
    return number(p, lang, d) + sign


def rounded_population(n: int) -> float:
    """A population as a sentence states it: exact below 1,000, to the hundred below 100,000, to the
    thousand below a million, to 100,000 above (``rounded_inhabitants`` says "2,4 millions")."""
    n = int(n)
    unit = 1 if n < 1_000 else 100 if n < 100_000 else 1_000 if n < 1_000_000 else 100_000
    return float(int(Decimal(n).scaleb(-len(str(unit)) + 1).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                 * unit)


def rounded_people(n: int, lang: str) -> str:
    """``rounded_population`` as words: ``7 700``, ``2,4 millions`` / ``7,700``, ``2.4 million``."""
    r = rounded_population(n)
    if r >= 1_000_000:
        m = number(r / 1_000_000, lang, 0 if r % 1_000_000 == 0 else 1)
        return f"{m} {plural(r / 1_000_000, 'million', 'millions', lang)}" if lang == "fr" else f"{m} million"
    return integer(int(r), lang)


def rounded_inhabitants(n: int, lang: str) -> str:
    """``7 700 habitants``, ``2,4 millions d'habitants`` / ``7,700 inhabitants``, ``2.4 million inhabitants``."""
    r = rounded_population(n)
    if r >= 1_000_000:
        return f"{rounded_people(n, lang)} d'habitants" if lang == "fr" else f"{rounded_people(n, lang)} inhabitants"
    return count(int(r), "habitant", "habitants", lang) if lang == "fr" else \
        count(int(r), "inhabitant", "inhabitants", lang)


def rounded_factor(f: float) -> float:
    """A size ratio as "about N times" says it: one decimal below 3, whole below 10, 2 significant digits above."""
    if f < 3:
        return float(Decimal(repr(f)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    if f < 10:
        return float(Decimal(repr(f)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    digits = len(str(int(f))) - 2
    return float(Decimal(repr(f)).scaleb(-digits).quantize(Decimal(1), rounding=ROUND_HALF_UP).scaleb(digits))


def factor(f: float, lang: str) -> str:
    """``1,7``, ``3``, ``390`` / ``1.7``, ``3``, ``390``: ``rounded_factor`` in the language's format."""
    r = rounded_factor(f)
    return number(r, lang, 0 if r == int(r) else 1)


def band_label(band: str, lang: str) -> str:
    """A size band as the profile form says it: "moins de 5 000 habitants", "5,000 to 50,000 inhabitants"."""
    low, high = SIZE_BOUNDS[band]
    unit = "habitants" if lang == "fr" else "inhabitants"
    if not low:
        return f"moins de {integer(high or 0, lang)} {unit}" if lang == "fr" else f"under {integer(high or 0, lang)} {unit}"
    if high is None:
        return f"plus de {integer(low, lang)} {unit}" if lang == "fr" else f"over {integer(low, lang)} {unit}"
    if lang == "fr":
        return f"de {integer(low, lang)} à {integer(high, lang)} {unit}"
    return f"{integer(low, lang)} to {integer(high, lang)} {unit}"
