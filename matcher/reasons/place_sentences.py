"""The sentences of geography, size and level: where the candidate is, how large, at which tier.

Distance, continent, the countries or regions the query looks for, France's priority zones, shared and
official languages (``log_distance`` ... ``francophone``); populations, compared within
``COMPARABLE_FACTOR`` or stated as figures (``pop_ratio``, ``size``, ``size_gap``, ``size_far``); and
the level of local government (``level_compat``). ``SENTENCES`` maps each feature code to its sentence.
"""

from __future__ import annotations

from matcher.reasons.context import ReasonContext, Sentence
from matcher.reasons.phrasing import (
    distance,
    inhabitants,
    km,
    pops,
    q_en,
    q_fr,
    staff,
    within,
    your_en,
    your_fr,
)
from matcher.wording import cap, en_country, fr_country, fr_in_country, fr_que, integer, language_names


def _log_distance(v: float, c: ReasonContext) -> tuple[str, str] | None:
    dist = distance(c)
    if dist is None:
        return None
    for_staff = staff(c)
    of_fr = q_fr(c).de if for_staff else "de chez vous"
    of_en = q_en(c) if for_staff else "you"
    if dist < 1:
        return f"À moins d'un kilomètre {of_fr}", f"Less than 1 km from {of_en}"
    return f"À {km(dist, 'fr')} {of_fr}", f"{km(dist, 'en')} from {of_en}"


def _same_continent(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if staff(c):
        return f"Sur le même continent {fr_que(q_fr(c).subject)}", f"On the same continent as {q_en(c)}"
    return "Sur le même continent que vous", "On the same continent as you"


def _preferred(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if staff(c):
        return (f"Dans les pays ou régions que recherche {q_fr(c).subject}",
                f"In the countries or regions {q_en(c)} is looking for")
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
    pair = pops(c)
    if pair is None or not within(*pair):
        return None
    qp, cp = pair
    if staff(c):
        qn, cn = (c.q_name.strip() or q_fr(c).subject), c.candidate_name
        qe = c.q_name.strip() or q_en(c)
        return (f"Taille comparable : {qn} ({inhabitants(qp, 'fr')}) et {cn} ({inhabitants(cp, 'fr')})",
                f"Comparable size: {qe} ({inhabitants(qp, 'en')}) and {cn} ({inhabitants(cp, 'en')})")
    return (f"Taille comparable : {inhabitants(cp, 'fr')} ({your_fr(c)} : {integer(qp, 'fr')})",
            f"Comparable size: {inhabitants(cp, 'en')} ({your_en(c)}: {integer(qp, 'en')})")


def _size(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if not c.c_population or c.c_population <= 0:
        return None
    cp = int(c.c_population)
    return f"Population : {inhabitants(cp, 'fr')}", f"Population: {integer(cp, 'en')}"


def _size_gap(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """"In proportion with yours" only within a factor of COMPARABLE_FACTOR; otherwise both figures."""
    pair = pops(c)
    if pair is None:
        return None
    qp, cp = pair
    for_staff = staff(c)
    if within(qp, cp):
        if for_staff:
            return (f"Population de {inhabitants(cp, 'fr')}, en rapport avec celle {q_fr(c).de} ({integer(qp, 'fr')})",
                    f"Population of {integer(cp, 'en')}, in proportion with that of {q_en(c)} ({integer(qp, 'en')})")
        return (f"Population de {inhabitants(cp, 'fr')}, en rapport avec la vôtre",
                f"Population of {integer(cp, 'en')}, in proportion with yours")
    q_subject = q_fr(c).subject if for_staff else your_fr(c)
    return (f"Population de {inhabitants(cp, 'fr')}, contre {integer(qp, 'fr')} pour {q_subject}",
            f"Population of {integer(cp, 'en')}, compared with {integer(qp, 'en')} for {q_en(c)}")


def _size_far(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """Size times log distance: the two facts, whichever side of the average (the learned effect, larger
    towns at larger distances, is not true of every pair above the average)."""
    dist = distance(c)
    if dist is None or not c.c_population or c.c_population <= 0:
        return None
    cp = int(c.c_population)
    if staff(c):
        return (f"Population de {inhabitants(cp, 'fr')}, à {km(dist, 'fr')} {q_fr(c).de}",
                f"Population of {integer(cp, 'en')}, {km(dist, 'en')} from {q_en(c)}")
    return (f"Population de {inhabitants(cp, 'fr')}, à {km(dist, 'fr')}",
            f"Population of {integer(cp, 'en')}, {km(dist, 'en')} away")


def _level_compat(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """The learned log-lift of these two levels partnering (matcher.levels): said only when the known
    partnerships show these levels partner more often than chance (v > 0)."""
    if v > 0.1:
        return ("Des niveaux de collectivité qui coopèrent souvent entre eux",
                "Levels of local government that often partner with each other")
    return None


SENTENCES: dict[str, Sentence] = {
    "log_distance": _log_distance, "same_continent": _same_continent, "preferred": _preferred,
    "priority_zone": _priority_zone, "shared_language": _shared_language, "francophone": _francophone,
    "pop_ratio": _pop_ratio, "size": _size, "size_gap": _size_gap, "size_far": _size_far,
    "level_compat": _level_compat,
}
