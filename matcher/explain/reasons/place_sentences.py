"""The sentences of geography, size and level: where the candidate is, how large, at which tier.

Distance, continent, the countries or regions the query looks for, France's priority zones, shared and
French's standing by the candidate country's own law (``log_distance`` ... ``francophone``); the
candidate's population relative to the query's, one sentence for the size features (``pop_ratio``,
``size``, ``size_gap``, ``size_far``), "comparable" only within ``COMPARABLE_FACTOR``, or the size the query
says it seeks (``size_preferred``) when the candidate's population is in it; and
the level of local government (``level_compat``). ``SENTENCES`` maps each feature code to its sentence.
"""

from __future__ import annotations

from matcher.domain import SIZE_BOUNDS
from matcher.explain.quantities import band_label, factor, integer, rounded_inhabitants, rounded_people
from matcher.explain.reasons.context import ReasonContext, Sentence
from matcher.explain.reasons.phrasing import (
    a_kind_en,
    a_kind_fr,
    distance,
    km,
    pops,
    q_en,
    q_fr,
    staff,
    within,
    your_fr,
)
from matcher.explain.wording import cap, en_country, fr_country, fr_in_country, fr_que, language_names


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
    """French's standing in the candidate's country by that country's own law (``french_status``, from
    ``data/french_language.csv``): official, a working language, recognised, or only widely spoken."""
    if not c.country_name_fr.strip():
        return None
    in_fr, in_en = fr_in_country(c.country_name_fr), en_country(c.country_name_en or c.country_name_fr)
    return {
        "official": (f"Le français est langue officielle {in_fr}", f"French is an official language in {in_en}"),
        "working": (f"Le français est langue de travail {in_fr}", f"French is a working language in {in_en}"),
        "recognised": (f"Le français est largement parlé {in_fr}, et sa Constitution en prévoit l'usage",
                       f"French is widely spoken in {in_en}, and its constitution provides for its use"),
        "widespread": (f"Le français est largement parlé {in_fr}", f"French is widely spoken in {in_en}"),
    }.get(c.french_status)


def _size_sought(c: ReasonContext) -> tuple[str, str] | None:
    """The candidate is of a size the query says it seeks: "Une commune de 3 120 habitants : la taille que vous
    recherchez (moins de 5 000 habitants)". The exact population below a million (a rounded one could cross
    the band's bound: 4 960 is not "5 000")."""
    cp = c.c_population
    if not c.size_band or c.size_band not in SIZE_BOUNDS or not cp or cp <= 0:
        return None
    a_fr, a_en = a_kind_fr(c), a_kind_en(c)
    if cp >= 1_000_000:
        n_fr, n_en = rounded_inhabitants(cp, "fr"), rounded_inhabitants(cp, "en")
    else:
        n_fr, n_en = f"{integer(cp, 'fr')} habitants", f"{integer(cp, 'en')} inhabitants"
    b_fr, b_en = band_label(c.size_band, "fr"), band_label(c.size_band, "en")
    if staff(c):
        return (f"{a_fr} de {n_fr} : la taille que recherche {q_fr(c).subject} ({b_fr})",
                f"{a_en} of {n_en}: the size {q_en(c)} seeks ({b_en})")
    return (f"{a_fr} de {n_fr} : la taille que vous recherchez ({b_fr})",
            f"{a_en} of {n_en}: the size you seek ({b_en})")


def _size(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """The candidate's population, said once for the size features (``pop_ratio``, ``size``, ``size_gap``,
    ``size_far``, ``size_preferred``): in the size the query seeks when it is (``_size_sought``), else
    relative to the query's: "Une ville de 23 000 habitants, environ 3 fois plus que votre commune".
    "Comparable" only within ``COMPARABLE_FACTOR``; without the query's population the figure alone is no
    reason, and nothing is said."""
    sought = _size_sought(c)
    if sought is not None:
        return sought
    pair = pops(c)
    if pair is None:
        return None
    qp, cp = pair
    a_fr, a_en = a_kind_fr(c), a_kind_en(c)
    head_fr, head_en = f"{a_fr} de {rounded_inhabitants(cp, 'fr')}", f"{a_en} of {rounded_inhabitants(cp, 'en')}"
    q_subject = q_fr(c).subject if staff(c) else your_fr(c)
    q_en_ = q_en(c)
    if within(qp, cp):
        qn_fr = c.q_name.strip() if staff(c) and c.q_name.strip() else q_subject
        qn_en = c.q_name.strip() if staff(c) and c.q_name.strip() else q_en_
        return (f"{head_fr} : une taille comparable ({qn_fr} : {rounded_people(qp, 'fr')})",
                f"{head_en}: a comparable size ({qn_en}: {rounded_people(qp, 'en')})")
    if cp > qp:
        f = cp / qp
        return (f"{head_fr}, environ {factor(f, 'fr')} fois plus {fr_que(q_subject)}",
                f"{head_en}, about {factor(f, 'en')} times as many as {q_en_}")
    f = qp / cp
    return (f"{head_fr}, environ {factor(f, 'fr')} fois moins {fr_que(q_subject)}",
            f"{head_en}, about {factor(f, 'en')} times fewer than {q_en_}")


def _level_compat(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """The learned log-lift of these two levels partnering (matcher.ranking.levels): said only when the known
    partnerships show these levels partner more often than chance (v > 0)."""
    if v > 0.1:
        return ("Des niveaux de collectivité qui coopèrent souvent entre eux",
                "Levels of local government that often partner with each other")
    return None


SENTENCES: dict[str, Sentence] = {
    "log_distance": _log_distance, "same_continent": _same_continent, "preferred": _preferred,
    "priority_zone": _priority_zone, "shared_language": _shared_language, "francophone": _francophone,
    "pop_ratio": _size, "size": _size, "size_gap": _size, "size_far": _size, "size_preferred": _size,
    "level_compat": _level_compat,
}
