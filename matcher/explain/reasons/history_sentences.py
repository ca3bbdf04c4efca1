"""The sentences of the link-history features: the partnerships already known around the pair.

Partners of the candidate near the query (``direct``), links between the two neighbourhoods (``near``),
the share of the query area's partnerships in the candidate's region or country (``admin1``,
``country``) and of its country's in them (``country_global``, ``admin1_global``, ``near_global``), and
the candidate's own partnerships (``degree``). ``SENTENCES`` states presence; ``LOW_SENTENCES`` says
what a value below the average pair means (a new opening, partners less in demand) for the features
whose weight can lift a candidate that way.
"""

from __future__ import annotations

from matcher.explain.quantities import count, integer, percent
from matcher.explain.reasons.context import ReasonContext, Sentence
from matcher.explain.reasons.phrasing import (
    REGIONAL,
    area_en,
    area_fr,
    area_where,
    c_en,
    c_fr,
    kind,
    km,
    only,
    q_en,
    q_fr,
    staff,
    zero,
)
from matcher.explain.wording import cap, en_country, fr_country, fr_in_country, fr_of_country, fr_the_country


def _direct(v: float, c: ReasonContext) -> tuple[str, str] | None:
    n, for_staff = c.nearby_partner_count, staff(c)
    q, qe = q_fr(c), q_en(c)
    if n:
        near_fr = f"à moins de {km(c.nearby_km, 'fr')} {q.de if for_staff else 'de chez vous'}"
        near_en = f"within {km(c.nearby_km, 'en')} of {qe if for_staff else 'you'}"
        return (f"Déjà jumelée avec {count(n, 'collectivité', 'collectivités', 'fr')} {near_fr}",
                f"Twinned with {count(n, 'authority', 'authorities', 'en')} {near_en}")
    if zero(v):
        return None
    # No partner within nearby_km, yet links from the query's area (its région or département, or within
    # the query kernel's radius).
    where_fr, where_en = area_where(c)
    return f"Déjà jumelée avec des collectivités {where_fr}", f"Twinned with authorities {where_en}"


def _near(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if not c.candidate_name.strip():
        return None
    for_staff, regional = staff(c), kind(c.q_kind) in REGIONAL
    if regional:
        who_fr = f"Des collectivités {q_fr(c).de}" if for_staff else "Des collectivités de votre région"
        who_en = f"Authorities in {q_en(c)}" if for_staff else "Authorities in your region"
    else:
        who_fr = f"Des collectivités proches {q_fr(c).de}" if for_staff else "Des collectivités proches de chez vous"
        who_en = f"Authorities near {q_en(c)}" if for_staff else "Authorities near you"
    return (f"{who_fr} sont jumelées avec des collectivités voisines {c_fr(c).de}",
            f"{who_en} are twinned with places near {c_en(c)}")


def _admin1_where(c: ReasonContext) -> tuple[str, str] | None:
    """("la région de Rheinnah (Bade-Wurtemberg)", "the region of Rheinnah (Bade-Wurtemberg)")."""
    if not c.admin1_name.strip() or not c.candidate_name.strip():
        return None
    a1 = c.admin1_name.strip()
    return f"la région {c_fr(c).de} ({a1})", f"the region of {c_en(c)} ({a1})"


def _admin1(v: float, c: ReasonContext) -> tuple[str, str] | None:
    where = _admin1_where(c)
    if where is None or zero(v):
        return None
    area, _ = area_en(c)
    return (f"{cap(area_fr(c).subject)} a déjà des partenaires dans {where[0]}",
            f"{cap(area)} already has partners in {where[1]}")


def _admin1_low(v: float, c: ReasonContext) -> tuple[str, str] | None:
    where = _admin1_where(c)
    if where is None or (c.q_abroad and not c.c_in_france):
        return None
    area, (area_in_en, _) = cap(area_fr(c).subject), area_en(c)
    if zero(v):
        return (f"{area} n'a pas encore de partenaire dans {where[0]} : une ouverture nouvelle",
                f"{cap(area_in_en)} has no partner in {where[1]} so far: a new opening")
    return (f"{area} a encore peu de partenaires dans {where[0]} : une ouverture nouvelle",
            f"{cap(area_in_en)} has few partners in {where[1]} so far: a new opening")


def _country(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """The query area's known partnerships in the candidate's country, counted. A query abroad: the
    links hold only partnerships with France (a share would always be 100 %), so it reads how many
    French authorities have partners in its area, and nothing about other countries."""
    if not c.country_name_fr.strip():
        return None
    if c.q_abroad:
        n = c.area_partners_in_country
        if not c.c_in_france or n <= 0:
            return None
        where_fr, where_en = area_where(c, "dans")
        fr = f"{count(n, 'collectivité française a', 'collectivités françaises ont', 'fr')} des partenaires {where_fr}"
        return fr, f"{count(n, 'French authority has', 'French authorities have', 'en')} partners {where_en}"
    n, total = c.area_links_in_country, c.area_links
    if n <= 0 or total <= 0:
        return None
    where_fr, where_en = area_where(c)
    in_fr, in_en = fr_in_country(c.country_name_fr), en_country(c.country_name_en or c.country_name_fr)
    if total == 1:
        return (f"Le seul partenariat connu {where_fr} est {in_fr}",
                f"The only known partnership {where_en} is in {in_en}")
    of_fr = f"des {count(total, 'partenariat connu', 'partenariats connus', 'fr')} {where_fr}"
    of_en = f"the {count(total, 'known partnership', 'known partnerships', 'en')} {where_en}"
    return (f"{integer(n, 'fr')} {of_fr} {'est' if n == 1 else 'sont'} {in_fr}",
            f"{integer(n, 'en')} of {of_en} {'is' if n == 1 else 'are'} in {in_en}")


def _country_low(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if not c.country_name_fr.strip() or c.q_abroad or c.area_links <= 0:
        return None
    where_fr, where_en = area_where(c)
    n, total = c.area_links_in_country, c.area_links
    in_fr, in_en = fr_in_country(c.country_name_fr), en_country(c.country_name_en or c.country_name_fr)
    if total == 1:
        if n > 0:
            return None  # "only 1 of 1" is all of them: no low-side sentence is true
        return (f"Le seul partenariat connu {where_fr} n'est pas {in_fr} : une ouverture nouvelle",
                f"The only known partnership {where_en} is not in {in_en}: a new opening")
    of_fr = f"des {count(total, 'partenariat connu', 'partenariats connus', 'fr')} {where_fr}"
    of_en = f"the {count(total, 'known partnership', 'known partnerships', 'en')} {where_en}"
    if n <= 0:
        return (f"Aucun {of_fr} n'est {in_fr} : une ouverture nouvelle",
                f"None of {of_en} is in {in_en}: a new opening")
    if n * 2 >= total:
        return None  # half or more is not "only"
    return (f"Seulement {integer(n, 'fr')} {of_fr} {'est' if n == 1 else 'sont'} {in_fr} : une ouverture nouvelle",
            f"Only {integer(n, 'en')} of {of_en} {'is' if n == 1 else 'are'} in {in_en}: a new opening")


def _q_country(c: ReasonContext) -> tuple[str, str, str, str] | None:
    """The query's country as (fr "des partenariats ...", fr "avec ...", en "... partnerships", en "with ...").

    The query reads "votre pays"; staff read the country's name, and nothing without one."""
    if not staff(c):
        if c.q_abroad:
            return ("de votre pays avec la France", "votre pays", "your country's partnerships with France",
                    "your country")
        return "de votre pays", "votre pays", "your country's partnerships", "your country"
    if not (c.q_country_fr.strip() or c.q_country_en.strip()):
        return None
    fr = c.q_country_fr.strip() or c.q_country_en.strip()
    en = en_country(c.q_country_en.strip() or fr)
    if c.q_abroad:
        return (f"des collectivités {fr_of_country(fr, article=False)} avec la France", fr_the_country(fr),
                f"the partnerships from {en} with France", en)
    return (f"des collectivités {fr_of_country(fr, article=False)}", fr_the_country(fr),
            f"the partnerships from {en}", en)


def _global_share(label_fr: str, label_en: str, v: float, c: ReasonContext, *, digits: int, low: bool,
                  low_fr: str = "", low_en: str = "") -> tuple[str, str] | None:
    qc = _q_country(c)
    if qc is None or not label_fr.strip():
        return None
    of_fr, _, of_en, _ = qc
    if low and zero(v):
        return f"{label_fr} : aucun des partenariats {of_fr}{low_fr}", f"{label_en}: none of {of_en}{low_en}"
    if zero(v):
        return None
    p_fr = only(v, "fr", digits) if low else percent(v, "fr", digits)
    p_en = only(v, "en", digits) if low else percent(v, "en", digits)
    return (f"{label_fr} : {p_fr} des partenariats {of_fr}{low_fr if low else ''}",
            f"{label_en}: {p_en} of {of_en}{low_en if low else ''}")


def _abroad_pair(c: ReasonContext) -> tuple[str, str] | None:
    """A query abroad and a French candidate: the known partnerships between its country and France,
    counted (their share is always 100 %)."""
    qc, n = _q_country(c), c.country_pair_links
    if qc is None or n <= 0 or not c.c_in_france:
        return None
    _, with_fr, _, with_en = qc
    return (f"{count(n, 'partenariat connu', 'partenariats connus', 'fr')} entre {with_fr} et la France",
            f"{count(n, 'known partnership', 'known partnerships', 'en')} between {with_en} and France")


def _country_global(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if c.q_abroad:
        return _abroad_pair(c)
    return _global_share(fr_country(c.country_name_fr), cap(en_country(c.country_name_en or c.country_name_fr)),
                         v, c, digits=0, low=False)


def _country_global_low(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if c.q_abroad:
        return None  # the links hold nothing about its partnerships outside France
    return _global_share(fr_country(c.country_name_fr), cap(en_country(c.country_name_en or c.country_name_fr)),
                         v, c, digits=0, low=True, low_fr=", un pays moins sollicité",
                         low_en=", a country less in demand")


def _admin1_global(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if c.q_abroad and not c.c_in_france:
        return None
    return _global_share(c.admin1_name.strip(), c.admin1_name.strip(), v, c, digits=1, low=False)


def _admin1_global_low(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if c.q_abroad:
        return None
    return _global_share(c.admin1_name.strip(), c.admin1_name.strip(), v, c, digits=1, low=True)


def _near_global(v: float, c: ReasonContext) -> tuple[str, str] | None:
    qc, n = _q_country(c), c.country_links_nearby
    if qc is None or n <= 0 or not c.candidate_name.strip():
        return None
    _, with_fr, _, with_en = qc
    km_fr, km_en = km(c.country_links_km, "fr"), km(c.country_links_km, "en")
    n_fr, n_en = count(n, "partenariat", "partenariats", "fr"), count(n, "partnership", "partnerships", "en")
    return (f"Secteur tourné vers {with_fr} : {n_fr} avec {with_fr} à moins de {km_fr} {c_fr(c).de}",
            f"An area that twins with {with_en}: {n_en} with {with_en} within {km_en} of {c_en(c)}")


def _near_global_low(v: float, c: ReasonContext) -> tuple[str, str] | None:
    qc, n = _q_country(c), c.country_links_nearby
    if qc is None or (c.q_abroad and not c.c_in_france):
        return None
    _, with_fr, _, with_en = qc
    km_fr, km_en = km(c.country_links_km, "fr"), km(c.country_links_km, "en")
    if n <= 0:
        return (f"Secteur sans jumelage avec {with_fr} à moins de {km_fr} : des partenaires moins sollicités",
                f"An area not yet twinned with {with_en} (no partnership within {km_en}): partners less in demand")
    n_fr, n_en = count(n, "partenariat", "partenariats", "fr"), count(n, "partnership", "partnerships", "en")
    return (f"Secteur encore peu jumelé avec {with_fr} ({n_fr} à moins de {km_fr}) : des partenaires moins sollicités",
            f"An area little twinned with {with_en} so far ({n_en} within {km_en}): partners less in demand")


def _degree(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """The candidate's known partnerships (the query's own left out): what the feature counts. The links
    hold partnerships with France, so a candidate abroad reads "with French authorities"."""
    d = c.c_degree
    abroad = bool(c.c_country_code) and not c.c_in_france
    with_fr, with_en = (" avec des collectivités françaises", " with French authorities") if abroad else ("", "")
    if d > 0:
        return (f"Déjà {count(d, 'partenariat connu', 'partenariats connus', 'fr')}{with_fr}",
                f"Already {count(d, 'known partnership', 'known partnerships', 'en')}{with_en}")
    if abroad:
        return "Aucun partenariat connu avec une collectivité française", "No known partnership with a French authority"
    return "Aucun partenariat connu à ce jour", "No known partnership so far"


SENTENCES: dict[str, Sentence] = {
    "direct": _direct, "near": _near, "admin1": _admin1, "country": _country, "country_global": _country_global,
    "admin1_global": _admin1_global, "near_global": _near_global, "degree": _degree,
}
LOW_SENTENCES: dict[str, Sentence] = {
    "near_global": _near_global_low, "admin1": _admin1_low, "country": _country_low,
    "country_global": _country_global_low, "admin1_global": _admin1_global_low,
}
