"""Contributions -> reasons: the ranker's per-feature contributions as data and as French/English text.

Only features that lift the candidate (positive contribution) become reasons, largest first, so a
reason never claims something the score did not use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from matcher.domain import Reason
from matcher.features import FEATURE_INDEX, FEATURES, LOG1P_FEATURES, SHARE_FLOORS


@dataclass(frozen=True)
class ReasonContext:
    """Facts about one (query, candidate) pair that make sentences concrete."""

    candidate_name: str
    country_name_fr: str
    country_name_en: str
    distance_km: float | None
    q_population: int | None
    c_population: int | None
    nearby_partner_count: int  # known partners of c within NEARBY_KM of the query (leave-one-out)
    nearby_km: float
    c_degree: int
    shared_languages: tuple[str, ...]
    need_themes: tuple[tuple[str, str], ...]  # (fr label, en label) of q's needs c's expertise covers
    offer_themes: tuple[tuple[str, str], ...]  # of c's needs q's expertise covers
    admin1_name: str
    country_links_nearby: int = 0  # links from the query's country ending within ``country_links_km`` of c
    country_links_km: float = 60.0


def fr_num(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def en_num(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}"


def fr_int(x: float) -> str:
    return f"{round(x):,}".replace(",", "\u202f")


def _labels(pairs: tuple[tuple[str, str], ...], i: int) -> str:
    return ", ".join(p[i] for p in pairs[:3])


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


Sentence = Callable[[float, ReasonContext], tuple[str, str]]

SENTENCES: dict[str, Sentence] = {
    "recip_sem": lambda v, c: (
        f"Besoins et expertises se répondent dans les deux sens (similarité réciproque {fr_num(v)})",
        f"Needs and expertise match both ways (reciprocal similarity {en_num(v)})"),
    "need_sem": lambda v, c: (
        f"Leur expertise répond à votre besoin (similarité {fr_num(v)})",
        f"Their expertise answers your needs (similarity {en_num(v)})"),
    "offer_sem": lambda v, c: (
        f"Votre expertise répond à leur besoin (similarité {fr_num(v)})",
        f"Your expertise answers their needs (similarity {en_num(v)})"),
    "desc_sem": lambda v, c: (
        f"Profils proches (similarité des descriptions {fr_num(v)})",
        f"Similar profiles (description similarity {en_num(v)})"),
    "lex_recip": lambda v, c: (
        f"Termes communs entre besoins et expertises (recouvrement {fr_num(v)})",
        f"Shared terms between needs and expertise (overlap {en_num(v)})"),
    "theme_need": lambda v, c: (
        f"Leur expertise couvre vos besoins : {_labels(c.need_themes, 0)}" if c.need_themes
        else f"Leur expertise couvre {fr_num(100 * v, 0)} % de vos thèmes",
        f"Their expertise covers your needs: {_labels(c.need_themes, 1)}" if c.need_themes
        else f"Their expertise covers {en_num(100 * v, 0)}% of your themes"),
    "theme_offer": lambda v, c: (
        f"Votre expertise couvre leurs besoins : {_labels(c.offer_themes, 0)}" if c.offer_themes
        else "Votre expertise couvre leurs besoins",
        f"Your expertise covers their needs: {_labels(c.offer_themes, 1)}" if c.offer_themes
        else "Your expertise covers their needs"),
    "log_distance": lambda v, c: (
        f"À {fr_int(c.distance_km or 0)} km de chez vous", f"{en_num(c.distance_km or 0, 0)} km from you"),
    "same_continent": lambda v, c: ("Sur le même continent que vous", "On the same continent as you"),
    "preferred": lambda v, c: ("Dans les pays ou régions que vous recherchez",
                               "In the countries or regions you are looking for"),
    "priority_zone": lambda v, c: (
        f"{c.country_name_fr} : zone prioritaire de la coopération décentralisée française",
        f"{c.country_name_en}: a priority zone of French decentralised cooperation"),
    "shared_language": lambda v, c: (
        f"Langue commune : {', '.join(c.shared_languages)}" if c.shared_languages else "Langue commune",
        f"Shared language: {', '.join(c.shared_languages)}" if c.shared_languages else "Shared language"),
    "francophone": lambda v, c: (f"Le français est langue officielle en {c.country_name_fr}",
                                 f"French is an official language in {c.country_name_en}"),
    "pop_ratio": lambda v, c: (
        f"Taille comparable ({fr_int(c.q_population or 0)} et {fr_int(c.c_population or 0)} habitants)"
        if c.q_population and c.c_population else "Taille comparable",
        f"Comparable size ({en_num(c.q_population or 0, 0)} and {en_num(c.c_population or 0, 0)} inhabitants)"
        if c.q_population and c.c_population else "Comparable size"),
    "size": lambda v, c: (
        f"Ville de {fr_int(c.c_population or 0)} habitants, à l'échelle d'un partenariat actif",
        f"A town of {en_num(c.c_population or 0, 0)} inhabitants, the scale of active partnerships"),
    "size_gap": lambda v, c: (
        f"Population de {fr_int(c.c_population or 0)} habitants, en rapport avec la vôtre",
        f"Population of {en_num(c.c_population or 0, 0)}, in proportion with yours"),
    "size_far": lambda v, c: (
        (f"Ville de {fr_int(c.c_population or 0)} habitants à {fr_int(c.distance_km or 0)} km : "
        "les partenariats lointains se nouent avec des villes de cette taille"),
        (f"A town of {en_num(c.c_population or 0, 0)} inhabitants {en_num(c.distance_km or 0, 0)} km away: "
        "distant partnerships favour towns of this size")),
    "kind_compat": lambda v, c: ("Même niveau de collectivité", "Same level of local government"),
    "direct": lambda v, c: (
        f"Déjà jumelée avec {c.nearby_partner_count} "
        f"{_plural(c.nearby_partner_count, 'collectivité', 'collectivités')} à moins de {fr_int(c.nearby_km)} km "
        "de chez vous" if c.nearby_partner_count else "Partenaire de collectivités de votre département",
        f"Twinned with {c.nearby_partner_count} {_plural(c.nearby_partner_count, 'authority', 'authorities')} "
        f"within {en_num(c.nearby_km, 0)} km of you" if c.nearby_partner_count
        else "Partner of authorities in your département"),
    "near": lambda v, c: (
        f"Des collectivités proches de vous sont jumelées avec des villes voisines de {c.candidate_name}",
        f"Authorities near you are twinned with towns near {c.candidate_name}"),
    "admin1": lambda v, c: (
        f"Votre territoire a déjà des partenaires dans sa région ({c.admin1_name})" if c.admin1_name
        else "Votre territoire a déjà des partenaires dans sa région",
        f"Your area already has partners in its region ({c.admin1_name})" if c.admin1_name
        else "Your area already has partners in its region"),
    "country": lambda v, c: (
        f"{fr_num(100 * v, 0)} % des partenariats de votre territoire sont en {c.country_name_fr}",
        f"{en_num(100 * v, 0)}% of your area's partnerships are in {c.country_name_en}"),
    "country_global": lambda v, c: (
        f"{c.country_name_fr} : {fr_num(100 * v, 0)} % des partenariats de votre pays",
        f"{c.country_name_en}: {en_num(100 * v, 0)}% of your country's partnerships"),
    "admin1_global": lambda v, c: (
        f"{c.admin1_name or 'Sa région'} : {fr_num(100 * v, 1)} % des partenariats de votre pays",
        f"{c.admin1_name or 'Its region'}: {en_num(100 * v, 1)}% of your country's partnerships"),
    "near_global": lambda v, c: (
        (f"Secteur tourné vers votre pays : {c.country_links_nearby} "
        f"{_plural(c.country_links_nearby, 'partenariat', 'partenariats')} avec votre pays à moins de "
        f"{fr_int(c.country_links_km)} km de {c.candidate_name}"),
        (f"An area that twins with your country: {c.country_links_nearby} "
        f"{_plural(c.country_links_nearby, 'partnership', 'partnerships')} with your country within "
        f"{en_num(c.country_links_km, 0)} km of {c.candidate_name}")),
    "degree": lambda v, c: (
        f"Déjà active en coopération ({c.c_degree} {_plural(c.c_degree, 'partenariat connu', 'partenariats connus')})"
        if c.c_degree else "Pas encore de partenariat connu : disponible",
        f"Already active in cooperation ({c.c_degree} known {_plural(c.c_degree, 'partnership', 'partnerships')})"
        if c.c_degree else "No known partnership yet: available"),
}
assert set(SENTENCES) >= set(FEATURES) - {"text_missing"}

#: A feature with a negative weight lifts a candidate by being *below* the average pair. The sentences
#: above state presence ("already has partners in its region"), so they would then be false; these say
#: what a low value means instead.
LOW_SENTENCES: dict[str, Sentence] = {
    "near_global": lambda v, c: (
        (f"Secteur encore peu jumelé avec votre pays ({c.country_links_nearby} "
        f"{_plural(c.country_links_nearby, 'partenariat', 'partenariats')} à moins de {fr_int(c.country_links_km)} km) "
        ": des partenaires moins sollicités"),
        (f"An area little twinned with your country so far ({c.country_links_nearby} "
        f"{_plural(c.country_links_nearby, 'partnership', 'partnerships')} within {en_num(c.country_links_km, 0)} km): "
        "partners less in demand")),
    "admin1": lambda v, c: (
        f"Votre territoire a encore peu de partenaires dans sa région ({c.admin1_name}) : une ouverture nouvelle"
        if c.admin1_name else "Votre territoire a encore peu de partenaires dans sa région : une ouverture nouvelle",
        f"Your area has few partners in its region so far ({c.admin1_name}): a new opening" if c.admin1_name
        else "Your area has few partners in its region so far: a new opening"),
    "country": lambda v, c: (
        (f"Seulement {fr_num(100 * v, 0)} % des partenariats de votre territoire sont en {c.country_name_fr} : "
        "une ouverture nouvelle"),
        f"Only {en_num(100 * v, 0)}% of your area's partnerships are in {c.country_name_en}: a new opening"),
    "country_global": lambda v, c: (
        f"{c.country_name_fr} : seulement {fr_num(100 * v, 0)} % des partenariats de votre pays, un pays moins sollicité",
        f"{c.country_name_en}: only {en_num(100 * v, 0)}% of your country's partnerships, a country less in demand"),
    "admin1_global": lambda v, c: (
        f"{c.admin1_name or 'Sa région'} : seulement {fr_num(100 * v, 1)} % des partenariats de votre pays",
        f"{c.admin1_name or 'Its region'}: only {en_num(100 * v, 1)}% of your country's partnerships"),
}
#: Sentences that state the value whichever side of the average it is on (a distance, a size, a count
#: that reads "no known partnership yet" at zero): true for low values too.
TWO_SIDED = frozenset({"log_distance", "pop_ratio", "size", "size_gap", "size_far", "degree"})


def raw_value(code: str, x: np.ndarray, ctx: ReasonContext) -> float:
    """The human-scale value of a feature (undoing log1p where the ranker saw a log)."""
    v = float(x[FEATURE_INDEX[code]])
    if code == "log_distance":
        return float(ctx.distance_km or 0.0)
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
    gets its low-side sentence, or no reason when a low value has nothing true to say."""
    order = np.argsort(-contrib)
    out: list[Reason] = []
    for i in order:
        c = float(contrib[i])
        if c < min_contribution or len(out) >= top:
            break
        code = FEATURES[i]
        sentence = SENTENCES.get(code)
        if x[i] < average[i] and code not in TWO_SIDED:
            sentence = LOW_SENTENCES.get(code)
        if sentence is None:
            continue
        value = raw_value(code, x, ctx)
        fr, en = sentence(value, ctx)
        out.append(Reason(code=code, value=round(value, 4), contribution=round(c, 4), text_fr=fr, text_en=en))
    return tuple(out)


def theme_label_pairs(codes: Mapping[str, tuple[str, str]], bits: int, theme_codes: tuple[str, ...]
                      ) -> tuple[tuple[str, str], ...]:
    return tuple(codes[t] for i, t in enumerate(theme_codes) if bits >> i & 1 and t in codes)
