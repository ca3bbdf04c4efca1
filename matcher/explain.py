"""Contributions -> reasons: the ranker's per-feature contributions as data and as French/English text.

Only features that lift the candidate (positive contribution) become reasons, largest first, so a
reason never claims something the score did not use.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from matcher import features as _features
from matcher.domain import Reason
from matcher.features import FEATURE_INDEX, FEATURES, LOG1P_FEATURES, SHARE_FLOORS
from matcher.history import QUERY_RADIUS_KM
from matcher.wording import (
    FrName,
    cap,
    count,
    en_country,
    en_name,
    fr_country,
    fr_in_country,
    fr_name,
    fr_of_country,
    fr_que,
    fr_the_country,
    integer,
    language_names,
    number,
    percent,
)

#: Two populations are "comparable" (and one "in proportion with" the other) within this factor.
COMPARABLE_FACTOR = 3.0


AUDIENCES = ("query", "staff")
#: Mention values (``ReasonContext.mention``): whose text names the other side.
MENTIONS = ("query_names_candidate", "candidate_names_query", "both")
TEXT_DIRECTIONS = ("need", "offer")


@dataclass(frozen=True)
class ReasonContext:
    """Facts about one (query, candidate) pair that make sentences concrete.

    A sentence that needs a fact the context does not have (``None``, ``""``, ``()``) gives no reason:
    it never prints 0 or a placeholder."""

    candidate_name: str
    country_name_fr: str
    country_name_en: str
    distance_km: float | None  # None (or NaN) where a side has no coordinates
    q_population: int | None
    c_population: int | None
    nearby_partner_count: int  # known partners of c within NEARBY_KM of the query (leave-one-out)
    nearby_km: float
    c_degree: int
    shared_languages: tuple[str, ...]  # language codes ("fr", "wo")
    need_themes: tuple[tuple[str, str], ...]  # (fr label, en label) of q's needs c's expertise covers
    offer_themes: tuple[tuple[str, str], ...]  # of c's needs q's expertise covers
    admin1_name: str
    country_links_nearby: int = 0  # links from the query's country ending within ``country_links_km`` of c
    country_links_km: float = 60.0
    #: The query's ``matcher.domain.Kind`` value ("commune", "region", ...); "" unknown -> "votre territoire".
    q_kind: str = ""
    #: "query": the query authority reads the reasons (second person); "staff": CNCD staff look at the
    #: pair (third person, naming ``q_name``).
    audience: str = "query"
    q_name: str = ""  # the query authority's name (said in the staff view)
    c_kind: str = ""  # the candidate's Kind value: French names take their article ("du département du Gard")
    q_country_fr: str = ""  # the query's country, French name or ISO code: the staff view says "la France"
    q_country_en: str = ""  # ... English name or ISO code
    #: Which way the text features point: "need" (c's expertise answers q's needs), "offer" (q's
    #: expertise answers c's needs), or both.
    text_directions: tuple[str, ...] = ()
    shared_terms: tuple[str, ...] = ()  # words the needs and expertise texts share (text_lex), best first
    mention: str = ""  # one of MENTIONS, or "" (names_mentioned)

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"ReasonContext.audience must be one of {AUDIENCES}, not {self.audience!r}")


# ---- the voice of a sentence: who "you" and "they" are -------------------------------------------
_YOUR_FR = {
    "commune": "votre commune", "intercommunality": "votre intercommunalité", "department": "votre département",
    "region": "votre région", "municipality": "votre municipalité", "province": "votre province",
    "foreign_region": "votre région",
}
_YOUR_EN = {
    "commune": "your commune", "intercommunality": "your intercommunality", "department": "your département",
    "region": "your region", "municipality": "your municipality", "province": "your province",
    "foreign_region": "your region",
}
_REGIONAL = frozenset({"region", "foreign_region"})


def _kind(k: object) -> str:
    """A Kind or its value as the plain string (``str(Kind.REGION)`` is ``"Kind.REGION"``)."""
    return str(getattr(k, "value", k) or "")


def _staff(c: ReasonContext) -> bool:
    return c.audience == "staff"


def _your_fr(c: ReasonContext) -> str:
    return _YOUR_FR.get(_kind(c.q_kind), "votre territoire")


def _your_en(c: ReasonContext) -> str:
    return _YOUR_EN.get(_kind(c.q_kind), "your area")


def _q_fr(c: ReasonContext) -> FrName:
    """The query as a French noun phrase: "votre commune", or its name in the staff view."""
    if _staff(c):
        return fr_name(c.q_name, _kind(c.q_kind))
    your = _your_fr(c)
    return FrName(your, f"de {your}")


def _q_en(c: ReasonContext) -> str:
    return en_name(c.q_name, _kind(c.q_kind)) if _staff(c) else _your_en(c)


def _c_fr(c: ReasonContext) -> FrName:
    return fr_name(c.candidate_name, _kind(c.c_kind))


def _c_en(c: ReasonContext) -> str:
    return en_name(c.candidate_name, _kind(c.c_kind))


def _area_fr(c: ReasonContext) -> FrName:
    """The query's neighbourhood the link history reads (links near it, in its département or région)."""
    k = _kind(c.q_kind)
    if not _staff(c):
        your = {"region": "votre région", "department": "votre département"}.get(k, "votre territoire")
        return FrName(your, f"de {your}")
    q = _q_fr(c)
    if k in ("region", "department"):
        return q
    return FrName(f"le territoire {q.de}", f"du territoire {q.de}")


def _area_en(c: ReasonContext) -> tuple[str, str]:
    """(subject, "<area>'s partnerships") in English."""
    k = _kind(c.q_kind)
    if not _staff(c):
        your = {"region": "your region", "department": "your département"}.get(k, "your area")
        return your, f"{your}'s partnerships"
    q = _q_en(c)
    if k in ("region", "department"):
        return q, f"the partnerships of {q}"
    return f"the area around {q}", f"the partnerships around {q}"


def _distance(c: ReasonContext) -> float | None:
    km = c.distance_km
    if km is None or not math.isfinite(km) or km < 0:
        return None
    return float(km)


def _km(km: float, lang: str) -> str:
    return number(km, lang) + " km"


def _pops(c: ReasonContext) -> tuple[int, int] | None:
    if not c.q_population or not c.c_population or c.q_population <= 0 or c.c_population <= 0:
        return None
    return int(c.q_population), int(c.c_population)


def _within(a: float, b: float, factor: float = COMPARABLE_FACTOR) -> bool:
    return max(a, b) <= factor * min(a, b)


def _inhabitants(n: int, lang: str) -> str:
    return count(n, "habitant", "habitants", lang) if lang == "fr" else count(n, "inhabitant", "inhabitants", lang)


def _labels(pairs: tuple[tuple[str, str], ...], i: int) -> str:
    return ", ".join(p[i] for p in pairs[:3])


def _zero(v: float) -> bool:
    return v < 1e-9


def _only(share: float, lang: str, digits: int = 0) -> str:
    """"seulement 12 %" / "only 12%"; "moins de 0,1 %" / "less than 0.1%" as is."""
    p = percent(share, lang, digits)
    if p.startswith(("moins", "less")):
        return p
    return f"seulement {p}" if lang == "fr" else f"only {p}"


Sentence = Callable[[float, ReasonContext], "tuple[str, str] | None"]


# ---- text ----------------------------------------------------------------------------------------
def _recip_sem(v: float, c: ReasonContext) -> tuple[str, str] | None:
    return (f"Besoins et expertises se répondent dans les deux sens (similarité réciproque {number(v, 'fr', 2)})",
            f"Needs and expertise match both ways (reciprocal similarity {number(v, 'en', 2)})")


def _need_sem(v: float, c: ReasonContext) -> tuple[str, str] | None:
    fr_sim, en_sim = f"(similarité {number(v, 'fr', 2)})", f"(similarity {number(v, 'en', 2)})"
    if _staff(c):
        return (f"L'expertise {_c_fr(c).de} répond aux besoins {_q_fr(c).de} {fr_sim}",
                f"The expertise of {_c_en(c)} answers the needs of {_q_en(c)} {en_sim}")
    return f"Leur expertise répond à vos besoins {fr_sim}", f"Their expertise answers your needs {en_sim}"


def _offer_sem(v: float, c: ReasonContext) -> tuple[str, str] | None:
    fr_sim, en_sim = f"(similarité {number(v, 'fr', 2)})", f"(similarity {number(v, 'en', 2)})"
    if _staff(c):
        return (f"L'expertise {_q_fr(c).de} répond aux besoins {_c_fr(c).de} {fr_sim}",
                f"The expertise of {_q_en(c)} answers the needs of {_c_en(c)} {en_sim}")
    return f"Votre expertise répond à leurs besoins {fr_sim}", f"Your expertise answers their needs {en_sim}"


def _desc_sem(v: float, c: ReasonContext) -> tuple[str, str] | None:
    return (f"Profils proches (similarité des descriptions {number(v, 'fr', 2)})",
            f"Similar profiles (description similarity {number(v, 'en', 2)})")


def _lex_recip(v: float, c: ReasonContext) -> tuple[str, str] | None:
    return (f"Termes communs entre besoins et expertises (recouvrement {number(v, 'fr', 2)})",
            f"Shared terms between needs and expertise (overlap {number(v, 'en', 2)})")


def _theme_need(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """v: the share of q's need themes c's expertise covers."""
    if not c.need_themes and _zero(v):
        return None
    staff = _staff(c)
    if staff:
        who_fr, who_en = f"L'expertise {_c_fr(c).de} couvre", f"The expertise of {_c_en(c)} covers"
        needs_fr, needs_en = f"les besoins {_q_fr(c).de}", f"the needs of {_q_en(c)}"
    else:
        who_fr, who_en, needs_fr, needs_en = "Leur expertise couvre", "Their expertise covers", "vos besoins", \
            "your needs"
    if c.need_themes:
        return (f"{who_fr} {needs_fr} : {_labels(c.need_themes, 0)}",
                f"{who_en} {needs_en}: {_labels(c.need_themes, 1)}")
    de_needs = f"des besoins {_q_fr(c).de}" if staff else "de vos besoins"
    of_needs = f"of the need themes of {_q_en(c)}" if staff else "of your need themes"
    return (f"{who_fr} {percent(v, 'fr')} des thèmes {de_needs}", f"{who_en} {percent(v, 'en')} {of_needs}")


def _theme_offer(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """v: the share of q's expertise themes c needs."""
    if not c.offer_themes and _zero(v):
        return None
    if c.offer_themes:
        fr_l, en_l = _labels(c.offer_themes, 0), _labels(c.offer_themes, 1)
        if _staff(c):
            return (f"L'expertise {_q_fr(c).de} couvre les besoins {_c_fr(c).de} : {fr_l}",
                    f"The expertise of {_q_en(c)} covers the needs of {_c_en(c)}: {en_l}")
        return f"Votre expertise couvre leurs besoins : {fr_l}", f"Your expertise covers their needs: {en_l}"
    if _staff(c):
        return (f"Les besoins {_c_fr(c).de} portent sur {percent(v, 'fr')} des domaines d'expertise {_q_fr(c).de}",
                f"The needs of {_c_en(c)} cover {percent(v, 'en')} of the areas of expertise of {_q_en(c)}")
    return (f"Leurs besoins portent sur {percent(v, 'fr')} de vos domaines d'expertise",
            f"Their needs cover {percent(v, 'en')} of your areas of expertise")


def _directions(c: ReasonContext) -> str:
    """"need", "offer", "both" or "" from ``text_directions``."""
    d = set(c.text_directions) & set(TEXT_DIRECTIONS)
    return "both" if len(d) == 2 else next(iter(d), "")


def _text_dense(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """Semantic match between needs and expertise, in the directions the context gives (none: no reason)."""
    d = _directions(c)
    if not d:
        return None
    if _staff(c):
        q, cand, qe, ce = _q_fr(c), _c_fr(c), _q_en(c), _c_en(c)
        if d == "both":
            return (f"Besoins et expertises {q.de} et {cand.de} se répondent dans les deux sens",
                    f"The needs and expertise of {qe} and {ce} match both ways")
        if d == "need":
            return (f"L'expertise {cand.de} répond aux besoins {q.de}", f"The expertise of {ce} answers the needs of {qe}")
        return (f"L'expertise {q.de} répond aux besoins {cand.de}", f"The expertise of {qe} answers the needs of {ce}")
    return {
        "both": ("Besoins et expertises se répondent dans les deux sens", "Needs and expertise match both ways"),
        "need": ("Leur expertise répond à vos besoins", "Their expertise answers your needs"),
        "offer": ("Votre expertise répond à leurs besoins", "Your expertise answers their needs"),
    }[d]


def _text_lex(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """Shared wording between needs and expertise (character n-grams), with up to 3 shared words."""
    d = _directions(c)
    if not d:
        return None
    terms = [t.strip() for t in c.shared_terms if t.strip()][:3]
    sfx = f" ({', '.join(terms)})" if terms else ""
    if _staff(c):
        q, cand, qe, ce = _q_fr(c), _c_fr(c), _q_en(c), _c_en(c)
        if d == "both":
            fr = f"Besoins et expertises {q.de} et {cand.de} emploient des termes communs dans les deux sens"
            en = f"The needs and expertise of {qe} and {ce} share terms both ways"
        elif d == "need":
            fr = f"Les besoins {q.de} et l'expertise {cand.de} emploient des termes communs"
            en = f"The needs of {qe} and the expertise of {ce} use some of the same terms"
        else:
            fr = f"L'expertise {q.de} et les besoins {cand.de} emploient des termes communs"
            en = f"The expertise of {qe} and the needs of {ce} use some of the same terms"
    else:
        fr, en = {
            "both": ("Besoins et expertises emploient des termes communs dans les deux sens",
                     "Needs and expertise share terms both ways"),
            "need": ("Vos besoins et leur expertise emploient des termes communs",
                     "Your needs and their expertise use some of the same terms"),
            "offer": ("Votre expertise et leurs besoins emploient des termes communs",
                      "Your expertise and their needs use some of the same terms"),
        }[d]
    return fr + sfx, en + sfx


def _names_mentioned(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """One side's text names the other authority (``mention``); "" gives no reason."""
    if c.mention not in MENTIONS or not c.candidate_name.strip():
        return None
    cand, ce = _c_fr(c), _c_en(c)
    if _staff(c):
        q, qe = _q_fr(c), _q_en(c)
        return {
            "query_names_candidate": (f"Le texte {q.de} mentionne {cand.subject}", f"The text of {qe} mentions {ce}"),
            "candidate_names_query": (f"Le texte {cand.de} mentionne {q.subject}", f"The text of {ce} mentions {qe}"),
            "both": (f"{cap(q.subject)} et {cand.subject} se mentionnent mutuellement dans leurs textes",
                     f"{cap(qe)} and {ce} mention each other in their texts"),
        }[c.mention]
    known = _kind(c.q_kind) in _YOUR_FR
    you_fr = f"mentionne {_your_fr(c)}" if known else "vous mentionne"
    you_en = f"mentions {_your_en(c)}" if known else "mentions you"
    return {
        "query_names_candidate": (f"Votre texte mentionne {cand.subject}", f"Your text mentions {ce}"),
        "candidate_names_query": (f"Le texte {cand.de} {you_fr}", f"The text of {ce} {you_en}"),
        "both": (f"Votre texte mentionne {cand.subject} et le sien {you_fr}", f"Your text mentions {ce} and theirs {you_en}"),
    }[c.mention]


# ---- structure -----------------------------------------------------------------------------------
def _log_distance(v: float, c: ReasonContext) -> tuple[str, str] | None:
    km = _distance(c)
    if km is None:
        return None
    staff = _staff(c)
    of_fr = _q_fr(c).de if staff else "de chez vous"
    of_en = _q_en(c) if staff else "you"
    if km < 1:
        return f"À moins d'un kilomètre {of_fr}", f"Less than 1 km from {of_en}"
    return f"À {_km(km, 'fr')} {of_fr}", f"{_km(km, 'en')} from {of_en}"


def _same_continent(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if _staff(c):
        return f"Sur le même continent {fr_que(_q_fr(c).subject)}", f"On the same continent as {_q_en(c)}"
    return "Sur le même continent que vous", "On the same continent as you"


def _preferred(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if _staff(c):
        return (f"Dans les pays ou régions que recherche {_q_fr(c).subject}",
                f"In the countries or regions {_q_en(c)} is looking for")
    return "Dans les pays ou régions que vous recherchez", "In the countries or regions you are looking for"


def _priority_zone(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if not c.country_name_fr.strip():
        return None
    en = cap(en_country(c.country_name_en or c.country_name_fr))
    return (f"{fr_country(c.country_name_fr)} : zone prioritaire de la coopération décentralisée française",
            f"{en}: a priority zone of French decentralised cooperation")


def _shared_language(v: float, c: ReasonContext) -> tuple[str, str] | None:
    langs = tuple(x for x in c.shared_languages if x)
    if not langs:
        return "Une langue commune", "A shared language"
    many = len(langs) > 1
    return (f"{'Langues communes' if many else 'Langue commune'} : {language_names(langs, 'fr')}",
            f"{'Shared languages' if many else 'Shared language'}: {language_names(langs, 'en')}")


def _francophone(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if not c.country_name_fr.strip():
        return None
    return (f"Le français est langue officielle {fr_in_country(c.country_name_fr)}",
            f"French is an official language in {en_country(c.country_name_en or c.country_name_fr)}")


def _pop_ratio(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """"Comparable size" only within a factor of COMPARABLE_FACTOR; otherwise nothing true to say."""
    pops = _pops(c)
    if pops is None or not _within(*pops):
        return None
    qp, cp = pops
    if _staff(c):
        qn, cn = (c.q_name.strip() or _q_fr(c).subject), c.candidate_name
        qe = c.q_name.strip() or _q_en(c)
        return (f"Taille comparable : {qn} ({_inhabitants(qp, 'fr')}) et {cn} ({_inhabitants(cp, 'fr')})",
                f"Comparable size: {qe} ({_inhabitants(qp, 'en')}) and {cn} ({_inhabitants(cp, 'en')})")
    return (f"Taille comparable : {_inhabitants(cp, 'fr')} ({_your_fr(c)} : {integer(qp, 'fr')})",
            f"Comparable size: {_inhabitants(cp, 'en')} ({_your_en(c)}: {integer(qp, 'en')})")


def _size(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if not c.c_population or c.c_population <= 0:
        return None
    cp = int(c.c_population)
    return f"Population : {_inhabitants(cp, 'fr')}", f"Population: {integer(cp, 'en')}"


def _size_gap(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """"In proportion with yours" only within a factor of COMPARABLE_FACTOR; otherwise both figures."""
    pops = _pops(c)
    if pops is None:
        return None
    qp, cp = pops
    staff = _staff(c)
    if _within(qp, cp):
        if staff:
            return (f"Population de {_inhabitants(cp, 'fr')}, en rapport avec celle {_q_fr(c).de} ({integer(qp, 'fr')})",
                    f"Population of {integer(cp, 'en')}, in proportion with that of {_q_en(c)} ({integer(qp, 'en')})")
        return (f"Population de {_inhabitants(cp, 'fr')}, en rapport avec la vôtre",
                f"Population of {integer(cp, 'en')}, in proportion with yours")
    q_fr = _q_fr(c).subject if staff else _your_fr(c)
    return (f"Population de {_inhabitants(cp, 'fr')}, contre {integer(qp, 'fr')} pour {q_fr}",
            f"Population of {integer(cp, 'en')}, compared with {integer(qp, 'en')} for {_q_en(c)}")


def _size_far(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """Size times log distance: the two facts, whichever side of the average (the learned effect, larger
    towns at larger distances, is not true of every pair above the average)."""
    km = _distance(c)
    if km is None or not c.c_population or c.c_population <= 0:
        return None
    cp = int(c.c_population)
    if _staff(c):
        return (f"Population de {_inhabitants(cp, 'fr')}, à {_km(km, 'fr')} {_q_fr(c).de}",
                f"Population of {integer(cp, 'en')}, {_km(km, 'en')} from {_q_en(c)}")
    return (f"Population de {_inhabitants(cp, 'fr')}, à {_km(km, 'fr')}",
            f"Population of {integer(cp, 'en')}, {_km(km, 'en')} away")


def _kind_compat(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """1: same tier; 0.5: adjacent tiers (a commune and a province); 0: nothing to say."""
    if v >= 0.99:
        return "Même niveau de collectivité", "Same level of local government"
    if v > 0:
        return "Niveaux de collectivité voisins", "Adjacent levels of local government"
    return None


# ---- link history --------------------------------------------------------------------------------
def _direct(v: float, c: ReasonContext) -> tuple[str, str] | None:
    n, staff = c.nearby_partner_count, _staff(c)
    q, qe = _q_fr(c), _q_en(c)
    if n:
        near_fr = f"à moins de {_km(c.nearby_km, 'fr')} {q.de if staff else 'de chez vous'}"
        near_en = f"within {_km(c.nearby_km, 'en')} of {qe if staff else 'you'}"
        return (f"Déjà jumelée avec {count(n, 'collectivité', 'collectivités', 'fr')} {near_fr}",
                f"Twinned with {count(n, 'authority', 'authorities', 'en')} {near_en}")
    if _zero(v):
        return None
    # No partner within nearby_km, yet links from the query's area: from its région (a département is in
    # one) or within the query kernel's radius.
    radius_fr, radius_en = _km(QUERY_RADIUS_KM, "fr"), _km(QUERY_RADIUS_KM, "en")
    if _kind(c.q_kind) == "region":
        where_fr = q.de if staff else "de votre région"
        where_en = f"in {qe}" if staff else "in your region"
        return f"Déjà jumelée avec des collectivités {where_fr}", f"Twinned with authorities {where_en}"
    if staff:
        return ((f"Déjà jumelée avec des collectivités de la même région {fr_que(q.subject)} ou à moins de "
                 f"{radius_fr} {q.de}"),
                f"Twinned with authorities in the same region as {qe} or within {radius_en} of it")
    return (f"Déjà jumelée avec des collectivités de votre région ou à moins de {radius_fr} de chez vous",
            f"Twinned with authorities in your region or within {radius_en} of you")


def _near(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if not c.candidate_name.strip():
        return None
    staff, regional = _staff(c), _kind(c.q_kind) in _REGIONAL
    if regional:
        who_fr = f"Des collectivités {_q_fr(c).de}" if staff else "Des collectivités de votre région"
        who_en = f"Authorities in {_q_en(c)}" if staff else "Authorities in your region"
    else:
        who_fr = f"Des collectivités proches {_q_fr(c).de}" if staff else "Des collectivités proches de chez vous"
        who_en = f"Authorities near {_q_en(c)}" if staff else "Authorities near you"
    return (f"{who_fr} sont jumelées avec des collectivités voisines {_c_fr(c).de}",
            f"{who_en} are twinned with places near {_c_en(c)}")


def _admin1_where(c: ReasonContext) -> tuple[str, str] | None:
    """("la région de Rheinnah (Bade-Wurtemberg)", "the region of Rheinnah (Bade-Wurtemberg)")."""
    if not c.admin1_name.strip() or not c.candidate_name.strip():
        return None
    a1 = c.admin1_name.strip()
    return f"la région {_c_fr(c).de} ({a1})", f"the region of {_c_en(c)} ({a1})"


def _admin1(v: float, c: ReasonContext) -> tuple[str, str] | None:
    where = _admin1_where(c)
    if where is None or _zero(v):
        return None
    area_en, _ = _area_en(c)
    return (f"{cap(_area_fr(c).subject)} a déjà des partenaires dans {where[0]}",
            f"{cap(area_en)} already has partners in {where[1]}")


def _admin1_low(v: float, c: ReasonContext) -> tuple[str, str] | None:
    where = _admin1_where(c)
    if where is None:
        return None
    area_fr, (area_en, _) = cap(_area_fr(c).subject), _area_en(c)
    if _zero(v):
        return (f"{area_fr} n'a pas encore de partenaire dans {where[0]} : une ouverture nouvelle",
                f"{cap(area_en)} has no partner in {where[1]} so far: a new opening")
    return (f"{area_fr} a encore peu de partenaires dans {where[0]} : une ouverture nouvelle",
            f"{cap(area_en)} has few partners in {where[1]} so far: a new opening")


def _country(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if not c.country_name_fr.strip() or _zero(v):
        return None
    _, poss = _area_en(c)
    return (f"{percent(v, 'fr')} des partenariats {_area_fr(c).de} sont {fr_in_country(c.country_name_fr)}",
            f"{percent(v, 'en')} of {poss} are in {en_country(c.country_name_en or c.country_name_fr)}")


def _country_low(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if not c.country_name_fr.strip():
        return None
    _, poss = _area_en(c)
    in_fr, in_en = fr_in_country(c.country_name_fr), en_country(c.country_name_en or c.country_name_fr)
    if _zero(v):
        return (f"Aucun partenariat {_area_fr(c).de} {in_fr} : une ouverture nouvelle",
                f"None of {poss} are in {in_en}: a new opening")
    return (f"{cap(_only(v, 'fr'))} des partenariats {_area_fr(c).de} sont {in_fr} : une ouverture nouvelle",
            f"{cap(_only(v, 'en'))} of {poss} are in {in_en}: a new opening")


def _q_country(c: ReasonContext) -> tuple[str, str, str, str] | None:
    """The query's country as (fr "des partenariats ...", fr "avec ...", en "... partnerships", en "with ...").

    The query reads "votre pays"; staff read the country's name, and nothing without one."""
    if not _staff(c):
        return "de votre pays", "votre pays", "your country's partnerships", "your country"
    if not (c.q_country_fr.strip() or c.q_country_en.strip()):
        return None
    fr = c.q_country_fr.strip() or c.q_country_en.strip()
    en = en_country(c.q_country_en.strip() or fr)
    return (f"des collectivités {fr_of_country(fr, article=False)}", fr_the_country(fr),
            f"the partnerships from {en}", en)


def _global_share(label_fr: str, label_en: str, v: float, c: ReasonContext, *, digits: int, low: bool,
                  low_fr: str = "", low_en: str = "") -> tuple[str, str] | None:
    qc = _q_country(c)
    if qc is None or not label_fr.strip():
        return None
    of_fr, _, of_en, _ = qc
    if low and _zero(v):
        return f"{label_fr} : aucun des partenariats {of_fr}{low_fr}", f"{label_en}: none of {of_en}{low_en}"
    if _zero(v):
        return None
    p_fr = _only(v, "fr", digits) if low else percent(v, "fr", digits)
    p_en = _only(v, "en", digits) if low else percent(v, "en", digits)
    return (f"{label_fr} : {p_fr} des partenariats {of_fr}{low_fr if low else ''}",
            f"{label_en}: {p_en} of {of_en}{low_en if low else ''}")


def _country_global(v: float, c: ReasonContext) -> tuple[str, str] | None:
    return _global_share(fr_country(c.country_name_fr), cap(en_country(c.country_name_en or c.country_name_fr)),
                         v, c, digits=0, low=False)


def _country_global_low(v: float, c: ReasonContext) -> tuple[str, str] | None:
    return _global_share(fr_country(c.country_name_fr), cap(en_country(c.country_name_en or c.country_name_fr)),
                         v, c, digits=0, low=True, low_fr=", un pays moins sollicité",
                         low_en=", a country less in demand")


def _admin1_global(v: float, c: ReasonContext) -> tuple[str, str] | None:
    return _global_share(c.admin1_name.strip(), c.admin1_name.strip(), v, c, digits=1, low=False)


def _admin1_global_low(v: float, c: ReasonContext) -> tuple[str, str] | None:
    return _global_share(c.admin1_name.strip(), c.admin1_name.strip(), v, c, digits=1, low=True)


def _near_global(v: float, c: ReasonContext) -> tuple[str, str] | None:
    qc, n = _q_country(c), c.country_links_nearby
    if qc is None or n <= 0 or not c.candidate_name.strip():
        return None
    _, with_fr, _, with_en = qc
    km_fr, km_en = _km(c.country_links_km, "fr"), _km(c.country_links_km, "en")
    n_fr, n_en = count(n, "partenariat", "partenariats", "fr"), count(n, "partnership", "partnerships", "en")
    return (f"Secteur tourné vers {with_fr} : {n_fr} avec {with_fr} à moins de {km_fr} {_c_fr(c).de}",
            f"An area that twins with {with_en}: {n_en} with {with_en} within {km_en} of {_c_en(c)}")


def _near_global_low(v: float, c: ReasonContext) -> tuple[str, str] | None:
    qc, n = _q_country(c), c.country_links_nearby
    if qc is None:
        return None
    _, with_fr, _, with_en = qc
    km_fr, km_en = _km(c.country_links_km, "fr"), _km(c.country_links_km, "en")
    if n <= 0:
        return (f"Secteur sans jumelage avec {with_fr} à moins de {km_fr} : des partenaires moins sollicités",
                f"An area not yet twinned with {with_en} (no partnership within {km_en}): partners less in demand")
    n_fr, n_en = count(n, "partenariat", "partenariats", "fr"), count(n, "partnership", "partnerships", "en")
    return (f"Secteur encore peu jumelé avec {with_fr} ({n_fr} à moins de {km_fr}) : des partenaires moins sollicités",
            f"An area little twinned with {with_en} so far ({n_en} within {km_en}): partners less in demand")


def _degree(v: float, c: ReasonContext) -> tuple[str, str] | None:
    d = c.c_degree
    if d > 0:
        return (f"Déjà active en coopération ({count(d, 'partenariat connu', 'partenariats connus', 'fr')})",
                f"Already active in cooperation ({count(d, 'known partnership', 'known partnerships', 'en')})")
    return "Pas encore de partenariat connu : disponible", "No known partnership yet: available"


#: feature code -> sentence. A sentence returns None when it has nothing true to say for the pair (a
#: missing fact, a value outside what the words claim); ``reasons_for`` then gives no reason for it.
SENTENCES: dict[str, Sentence] = {
    # Text features (old codes, kept until the new ones replace them).
    "recip_sem": _recip_sem, "need_sem": _need_sem, "offer_sem": _offer_sem, "desc_sem": _desc_sem,
    "lex_recip": _lex_recip, "theme_need": _theme_need, "theme_offer": _theme_offer,
    # New text features.
    "text_dense": _text_dense, "text_lex": _text_lex, "names_mentioned": _names_mentioned,
    # Structure.
    "log_distance": _log_distance, "same_continent": _same_continent, "preferred": _preferred,
    "priority_zone": _priority_zone, "shared_language": _shared_language, "francophone": _francophone,
    "pop_ratio": _pop_ratio, "size": _size, "size_gap": _size_gap, "size_far": _size_far,
    "kind_compat": _kind_compat,
    # Link history.
    "direct": _direct, "near": _near, "admin1": _admin1, "country": _country, "country_global": _country_global,
    "admin1_global": _admin1_global, "near_global": _near_global, "degree": _degree,
}
#: Features that never give a reason: indicators about the data, not properties of the pair (the old
#: ``text_missing``; the ranker's gate ``features.GATE_FEATURE``, "the query wrote something").
SILENT_FEATURES = frozenset({"text_missing", "query_text", str(getattr(_features, "GATE_FEATURE", "query_text"))})
assert set(SENTENCES) >= set(FEATURES) - SILENT_FEATURES, set(FEATURES) - SILENT_FEATURES - set(SENTENCES)

#: A feature with a negative weight lifts a candidate by being *below* the average pair. The sentences
#: above state presence ("already has partners in its region"), so they would then be false; these say
#: what a low value means instead.
LOW_SENTENCES: dict[str, Sentence] = {
    "near_global": _near_global_low, "admin1": _admin1_low, "country": _country_low,
    "country_global": _country_global_low, "admin1_global": _admin1_global_low,
}
#: Sentences that state the value whichever side of the average it is on (a distance, a size, a count
#: that reads "no known partnership yet" at zero): true for low values too.
TWO_SIDED = frozenset({"log_distance", "pop_ratio", "size", "size_gap", "size_far", "degree"})
assert set(LOW_SENTENCES) <= set(SENTENCES) and TWO_SIDED <= set(SENTENCES) and not TWO_SIDED & set(LOW_SENTENCES)


def raw_value(code: str, x: np.ndarray, ctx: ReasonContext) -> float:
    """The human-scale value of a feature (undoing log1p where the ranker saw a log)."""
    v = float(x[FEATURE_INDEX[code]])
    if code == "log_distance":
        return float(ctx.distance_km or 0.0)
    if not math.isfinite(v):
        return v  # a missing value stays missing
    if code in LOG1P_FEATURES:
        return float(np.expm1(v))
    if code == "size":
        return float(round(10**v)) if v else 0.0  # the ranker saw log10(population)
    if code in SHARE_FLOORS:
        return max(float(10**v - SHARE_FLOORS[code]), 0.0)
    return v


def reasons_for(x: np.ndarray, contrib: np.ndarray, ctx: ReasonContext, *, average: np.ndarray, top: int = 4,
                min_contribution: float = 0.05) -> tuple[Reason, ...]:
    """Top positive contributions of one candidate as ``Reason``s, largest first.

    ``average``: the feature values of the average training pair (``PairRanker.average_pair_``), the
    point contributions are measured from. A value below it that lifts the score (a negative weight)
    gets its low-side sentence, or no reason when a low value has nothing true to say. A sentence
    that has nothing true to say for this pair (a missing fact) gives no reason either, and does not
    take one of the ``top`` places; nor does a sentence already given by a larger contribution."""
    order = np.argsort(-contrib)
    out: list[Reason] = []
    for i in order:
        c = float(contrib[i])
        if c < min_contribution or len(out) >= top:
            break
        code = FEATURES[i]
        if not (math.isfinite(c) and math.isfinite(float(x[i]))):
            continue  # a missing value (NaN) gives no reason
        sentence = SENTENCES.get(code)
        if x[i] < average[i] and code not in TWO_SIDED:
            sentence = LOW_SENTENCES.get(code)
        if sentence is None:
            continue
        value = raw_value(code, x, ctx)
        text = sentence(value, ctx)
        if text is None:
            continue  # nothing true to say for this pair
        fr, en = text
        if any(r.text_fr == fr for r in out):
            continue  # two features saying the same facts : say them once
        out.append(Reason(code=code, value=round(value, 4), contribution=round(c, 4), text_fr=fr, text_en=en))
    return tuple(out)


def theme_label_pairs(codes: Mapping[str, tuple[str, str]], bits: int, theme_codes: tuple[str, ...]
                      ) -> tuple[tuple[str, str], ...]:
    return tuple(codes[t] for i, t in enumerate(theme_codes) if bits >> i & 1 and t in codes)
