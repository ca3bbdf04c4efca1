"""The funding answer for catalogue profiles: builds the applicant and the words ``rules`` needs from
profiles and the theme taxonomy, then calls ``rules.assess`` (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from matcher.domain import FRENCH_KINDS, Profile
from matcher.errors import InvalidInput
from matcher.funding.data import FundingData
from matcher.funding.rules import Applicant, Assessment, assess
from matcher.themes import THEMES
from matcher.wording import en_country, fr_the_country


def theme_labels() -> dict[str, tuple[str, str]]:
    return {t.code: (t.labels["fr"], t.labels["en"]) for t in THEMES}


def applicant_of(p: Profile) -> Applicant:
    """A French authority as an applicant; ``InvalidInput`` (field ``french``) for a foreign one."""
    if p.country != "FR" or p.kind not in FRENCH_KINDS:
        raise InvalidInput(f"{p.id} is not a French authority", field="french")
    dep = p.admin2_code
    if not dep and p.kind.value == "department":
        dep = p.id.removeprefix("FR-DEP-")
    return Applicant(id=p.id, name=p.name, kind=p.kind.value, departement=dep, region=p.admin1_code)


def country_names(code: str) -> tuple[str, str]:
    return fr_the_country(code), en_country(code)


def funding_for(data: FundingData, french: Profile, partner_country: str, themes: Sequence[str], *,
                co_applicants: int = 1, on: dt.date) -> list[Assessment]:
    """Every call and scheme for ``french`` with a partner in ``partner_country`` on ``themes``, with
    ``co_applicants`` French authorities in all (the applicant included), on the date ``on``."""
    if co_applicants < 1:
        raise InvalidInput("co_applicants counts the applicant: at least 1", field="co_applicants")
    return assess(data.calls, data.lists, applicant_of(french), partner_country.upper(),
                  country_names(partner_country.upper()), themes, co_applicants, on, theme_labels())
