"""The funding answer for catalogue profiles: builds the applicant and the words ``rules`` needs from
profiles and the theme taxonomy, then calls ``rules.assess`` (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from matcher.domain import FRENCH_KINDS, Link, Profile
from matcher.errors import InvalidInput
from matcher.explain.wording import en_country, fr_the_country
from matcher.funding.consortia import Proposal, propose
from matcher.funding.data import FundingData
from matcher.funding.rules import Applicant, Assessment, assess
from matcher.themes import THEMES

if TYPE_CHECKING:
    from matcher.store.protocol import ProfileStore


def theme_labels() -> dict[str, tuple[str, str]]:
    return {t.code: (t.labels["fr"], t.labels["en"]) for t in THEMES}


def applicant_of(p: Profile) -> Applicant:
    """A French authority as an applicant; ``InvalidInput`` (field ``french``) for a foreign one."""
    if p.country != "FR" or p.kind not in FRENCH_KINDS:
        raise InvalidInput(f"{p.id} is not a French authority", field="french")
    dep = p.admin2_code
    if not dep and p.kind.value == "department":
        dep = p.id.removeprefix("FR-DEP-")
    commune = p.id.removeprefix("FR-COM-") if p.kind.value == "commune" and p.id.startswith("FR-COM-") else ""
    return Applicant(id=p.id, name=p.name, kind=p.kind.value, departement=dep, region=p.admin1_code,
                     commune=commune)


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


def group_calls(data: FundingData, lead: Profile, n_group: int, partner_country: str, themes: Sequence[str], *,
                on: dt.date) -> list[Assessment]:
    """The calls a group of ``n_group`` French authorities led by ``lead`` meets on the number of French
    authorities while ``lead`` alone does not (their other rules as the group's assessment says)."""
    alone = {a.call.id: a for a in funding_for(data, lead, partner_country, themes, on=on)}
    together = funding_for(data, lead, partner_country, themes, co_applicants=max(n_group, 1), on=on)
    out = []
    for a in together:
        solo = alone[a.call.id]
        short = any(f.rule == "min_french_applicants" and f.ok is False for f in solo.findings)
        met = any(f.rule == "min_french_applicants" and f.ok is True for f in a.findings)
        if short and met:
            out.append(a)
    return out


def link_profiles(store: ProfileStore, links: Sequence[Link]) -> dict[str, Profile]:
    """Every link end, with the foreign ends' parent units and the French ends' parents, by id."""
    ids = {x for link in links for x in (link.a, link.b)}
    profiles = {p.id: p for p in store.get_many(ids)}
    parents = {pid for p in profiles.values() for pid in p.parent_ids} - set(profiles)
    profiles.update((p.id, p) for p in store.get_many(parents))
    return profiles


def consortium(store: ProfileStore, data: FundingData, partner: Profile, themes: Sequence[str], *, k: int,
               on: dt.date) -> tuple[Proposal, list[Assessment]]:
    """French co-applicants for a foreign ``partner`` and the calls the group meets that one alone does not."""
    if partner.country == "FR":
        raise InvalidInput(f"{partner.id} is French: give a foreign partner", field="partner")
    links = store.links()
    profiles = link_profiles(store, links)
    profiles[partner.id] = partner
    for pid in partner.parent_ids:
        if pid not in profiles:
            profiles.update((p.id, p) for p in store.get_many([pid]))
    proposal = propose(partner, links, profiles, themes, theme_labels(), k=k)
    calls: list[Assessment] = []
    if proposal.members:
        calls = group_calls(data, proposal.members[0].profile, len(proposal.members), partner.country, themes, on=on)
    return proposal, calls
