"""The sentences of the stated partnership types (``matcher.ranking.partnership_types``): both sides seek the
same kind of partnership; the candidate's country is on the DAC list, for a query seeking development
cooperation."""

from __future__ import annotations

from matcher.explain.reasons.context import ReasonContext, Sentence
from matcher.explain.reasons.phrasing import c_en, c_fr, q_en, q_fr, staff
from matcher.explain.wording import cap, en_country, fr_country

#: Each partnership type in French and English, as the profile form names it.
TYPE_LABELS: dict[str, tuple[str, str]] = {
    "twinning": ("jumelage", "twinning"),
    "development_cooperation": ("coopération au développement", "development cooperation"),
    "technical_exchange": ("échanges techniques", "technical exchange"),
    "economic_promotion": ("promotion économique", "economic promotion"),
    "culture_youth_exchange": ("échanges culturels et de jeunesse", "culture and youth exchange"),
}


def _types_shared(v: float, c: ReasonContext) -> tuple[str, str] | None:
    types = [t for t in c.shared_types if t in TYPE_LABELS]
    if not types:
        return None
    fr = ", ".join(TYPE_LABELS[t][0] for t in types)
    en = ", ".join(TYPE_LABELS[t][1] for t in types)
    if staff(c):
        return (f"{cap(q_fr(c).subject)} et {c_fr(c).subject} recherchent tous deux : {fr}",
                f"{q_en(c)} and {c_en(c)} both seek: {en}")
    return f"Vous recherchez tous deux : {fr}", f"You both seek: {en}"


def _development_country(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if not c.country_name_fr.strip():
        return None
    en = cap(en_country(c.country_name_en or c.country_name_fr))
    fr = (f"{cap(fr_country(c.country_name_fr))} : sur la liste des pays bénéficiaires de l'aide au développement "
          "(CAD de l'OCDE), pour la coopération au développement recherchée")
    return fr, f"{en}: on the OECD DAC list of aid recipients, for the development cooperation sought"


SENTENCES: dict[str, Sentence] = {"types_shared": _types_shared, "development_country": _development_country}

__all__ = ["SENTENCES", "TYPE_LABELS"]
