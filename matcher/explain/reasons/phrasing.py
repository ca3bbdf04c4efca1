"""The phrasing shared by the reason sentences: who "you" and "they" are, and how figures read.

The query is "votre commune" / "your commune" when it reads its own reasons and its name in the staff
view (``q_fr``, ``q_en``, ``area_fr``, ``area_en``); the candidate is always named (``c_fr``, ``c_en``).
The rest turn the context's facts into words or refuse them: a usable distance (``distance``),
kilometres (``km``), a pair of populations (``pops``) and whether they are comparable (``within``),
inhabitants, theme labels, and shares ("seulement 12 %", ``only``).
"""

from __future__ import annotations

import math

from matcher.explain.quantities import count, number, percent
from matcher.explain.reasons.context import COMPARABLE_FACTOR, ReasonContext
from matcher.explain.wording import FrName, en_name, fr_name, fr_que

#: "Your <kind>" in French, by the query's Kind value (kinds not listed read "votre territoire").
YOUR_FR = {
    "commune": "votre commune", "intercommunality": "votre intercommunalité", "department": "votre département",
    "region": "votre région", "municipality": "votre municipalité", "province": "votre province",
    "state": "votre État", "district": "votre district", "county": "votre comté",
    "governorate": "votre gouvernorat", "prefecture": "votre préfecture",
}
_YOUR_EN = {
    "commune": "your commune", "intercommunality": "your intercommunality", "department": "your département",
    "region": "your region", "municipality": "your municipality", "province": "your province",
    "state": "your state", "district": "your district", "county": "your county",
    "governorate": "your governorate", "prefecture": "your prefecture",
}
#: The candidate as "a <kind>" opening a sentence ("Une ville de 7 700 habitants"), by its Kind value.
_A_KIND_FR = {
    "commune": "Une commune", "intercommunality": "Une intercommunalité", "department": "Un département",
    "region": "Une région", "municipality": "Une ville", "province": "Une province", "state": "Un État",
    "district": "Un district", "county": "Un comté", "governorate": "Un gouvernorat", "prefecture": "Une préfecture",
}
_A_KIND_EN = {
    "commune": "A commune", "intercommunality": "An intercommunality", "department": "A département",
    "region": "A region", "municipality": "A town", "province": "A province", "state": "A state",
    "district": "A district", "county": "A county", "governorate": "A governorate", "prefecture": "A prefecture",
}
#: Kinds whose neighbourhood is the region itself ("authorities in your region", not "near you").
REGIONAL = frozenset({"region", "state", "governorate"})


def kind(k: object) -> str:
    """A Kind or its value as the plain string (``str(Kind.REGION)`` is ``"Kind.REGION"``)."""
    return str(getattr(k, "value", k) or "")


def staff(c: ReasonContext) -> bool:
    return c.audience == "staff"


def a_kind_fr(c: ReasonContext) -> str:
    return _A_KIND_FR.get(kind(c.c_kind), "Une collectivité")


def a_kind_en(c: ReasonContext) -> str:
    return _A_KIND_EN.get(kind(c.c_kind), "An authority")


def your_fr(c: ReasonContext) -> str:
    return YOUR_FR.get(kind(c.q_kind), "votre territoire")


def your_en(c: ReasonContext) -> str:
    return _YOUR_EN.get(kind(c.q_kind), "your area")


def q_fr(c: ReasonContext) -> FrName:
    """The query as a French noun phrase: "votre commune", or its name in the staff view."""
    if staff(c):
        return fr_name(c.q_name_fr or c.q_name, kind(c.q_kind))
    your = your_fr(c)
    return FrName(your, f"de {your}")


def q_en(c: ReasonContext) -> str:
    return en_name(c.q_name, kind(c.q_kind)) if staff(c) else your_en(c)


def c_fr(c: ReasonContext) -> FrName:
    return fr_name(c.candidate_name_fr or c.candidate_name, kind(c.c_kind))


def c_en(c: ReasonContext) -> str:
    return en_name(c.candidate_name, kind(c.c_kind))


def area_fr(c: ReasonContext) -> FrName:
    """The query's neighbourhood the link history reads (links near it, in its département or région)."""
    k = kind(c.q_kind)
    if not staff(c):
        your = {"region": "votre région", "department": "votre département"}.get(k, "votre territoire")
        return FrName(your, f"de {your}")
    q = q_fr(c)
    if k in ("region", "department"):
        return q
    return FrName(f"le territoire {q.de}", f"du territoire {q.de}")


def area_en(c: ReasonContext) -> tuple[str, str]:
    """(subject, "<area>'s partnerships") in English."""
    k = kind(c.q_kind)
    if not staff(c):
        your = {"region": "your region", "department": "your département"}.get(k, "your area")
        return your, f"{your}'s partnerships"
    q = q_en(c)
    if k in ("region", "department"):
        return q, f"the partnerships of {q}"
    return f"the area around {q}", f"the partnerships around {q}"


def area_where(c: ReasonContext, prep: str = "de") -> tuple[str, str]:
    """Where the query's area is, as the history counts read it: ("de votre région ou à moins de 50 km
    de chez vous", "in your region or within 50 km of you"); staff: "de la même région qu'Audierne ...";
    ``prep="dans"``: "dans votre région ou ..."."""
    from matcher.ranking.history import QUERY_RADIUS_KM

    r_fr, r_en = km(QUERY_RADIUS_KM, "fr"), km(QUERY_RADIUS_KM, "en")
    if staff(c):
        q, qe = q_fr(c), q_en(c)
        near_fr, near_en = f"à moins de {r_fr} {q.de}", f"within {r_en} of {qe}"
        unit_fr = {"region": f"{prep} la même région",
                   "department": "du même département" if prep == "de" else "dans le même département"
                   }.get(c.area_scope)
        unit_en = {"region": "in the same region as", "department": "in the same département as"}.get(c.area_scope)
        if unit_fr is None or unit_en is None:
            return near_fr, near_en
        return f"{unit_fr} {fr_que(q.subject)} ou {near_fr}", f"{unit_en} {qe} or {near_en}"
    near_fr, near_en = f"à moins de {r_fr} de chez vous", f"within {r_en} of you"
    if c.area_scope == "region":
        return f"{prep} votre région ou {near_fr}", f"in your region or {near_en}"
    if c.area_scope == "department":
        return f"{prep} votre département ou {near_fr}", f"in your département or {near_en}"
    return near_fr, near_en


def distance(c: ReasonContext) -> float | None:
    km = c.distance_km
    if km is None or not math.isfinite(km) or km < 0:
        return None
    return float(km)


def km(km: float, lang: str) -> str:
    return number(km, lang) + " km"


def pops(c: ReasonContext) -> tuple[int, int] | None:
    if not c.q_population or not c.c_population or c.q_population <= 0 or c.c_population <= 0:
        return None
    return int(c.q_population), int(c.c_population)


def within(a: float, b: float, factor: float = COMPARABLE_FACTOR) -> bool:
    return max(a, b) <= factor * min(a, b)


def inhabitants(n: int, lang: str) -> str:
    return count(n, "habitant", "habitants", lang) if lang == "fr" else count(n, "inhabitant", "inhabitants", lang)


def labels(pairs: tuple[tuple[str, str], ...], i: int) -> str:
    return ", ".join(p[i] for p in pairs[:3])


def zero(v: float) -> bool:
    return v < 1e-9


def only(share: float, lang: str, digits: int = 0) -> str:
    """"seulement 12 %" / "only 12%"; "moins de 0,1 %" / "less than 0.1%" as is."""
    p = percent(share, lang, digits)
    if p.startswith(("moins", "less")):
        return p
    return f"seulement {p}" if lang == "fr" else f"only {p}"
