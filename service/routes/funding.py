"""Funding: which calls and schemes can fund a partnership, proposed French co-applicants, and (staff) the
foreign territories French authorities work with side by side. The answers come from ``matcher.funding``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from matcher.domain import Profile
from matcher.errors import InvalidInput, NotFound
from matcher.funding.consortia import overlaps
from matcher.funding.project import consortium, funding_for, link_profiles
from matcher.funding.rules import Assessment
from matcher.store.audit import ApiKey
from matcher.store.protocol import ProfileStore
from matcher.themes import parse_theme, theme_codes
from service.deps import LangDep, OptionalKey, ResourcesDep, StaffKey, StoreDep
from service.schemas.common import CATALOGUE_COUNTRY
from service.schemas.funding import (
    ConsortiumCall,
    ConsortiumItem,
    ConsortiumPage,
    ConsortiumReason,
    FundingItem,
    FundingPage,
    FundingReason,
    FundingSide,
    OverlapItem,
    OverlapPage,
)
from service.services.authorities import visible_profile
from service.services.funding import funding_data

router = APIRouter(tags=["funding"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No authority with that id (field named)"}}
QueryTheme = Annotated[str, Query(max_length=100)]
Themes = Annotated[list[str], Query(max_length=20, description="Codes or labels (6 languages); repeat for several",
                                    json_schema_extra={"items": {"type": "string", "maxLength": 100,
                                                                 "enum": list(theme_codes())}})]
Id = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]


def _get(store: ProfileStore, pid: str, field: str, key: ApiKey | None) -> Profile:
    """The profile if the caller may see it (a pending registration is not public), else 404 naming ``field``."""
    try:
        return visible_profile(store, pid, key)
    except NotFound:
        raise NotFound(f"no authority with id {pid!r}", field=field) from None


def parse_themes(themes: list[str]) -> list[str]:
    try:
        return list(dict.fromkeys(parse_theme(t) for t in themes))
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="themes") from None


def side(p: Profile, lang: str) -> FundingSide:
    return FundingSide(id=p.id, name=p.display_name(lang), country=p.country)


def item_out(a: Assessment, lang: str) -> FundingItem:
    c = a.call
    return FundingItem(
        id=c.id, programme=c.programme, funder=c.funder, kind=c.kind,  # type: ignore[arg-type]
        edition=c.edition, status=a.status, eligible=a.eligible,  # type: ignore[arg-type]
        decided_by=a.decided_by, country_group=a.country_group,  # type: ignore[arg-type]
        cofinancing_rate=a.cofinancing_rate, min_own_share=c.min_own_share, amount_min_eur=c.amount_min_eur,
        amount_max_eur=c.amount_max_eur, opens=c.opens, closes=c.closes,
        missing=[m.text_fr if lang == "fr" else m.text_en for m in a.missing],
        reasons=[FundingReason(rule=f.rule, ok=f.ok, text=f.text_fr if lang == "fr" else f.text_en,
                               text_fr=f.text_fr, text_en=f.text_en) for f in a.findings],
        requirements=list(c.requirements), source_url=c.source_url, source_title=c.source_title,
        source_date=c.source_date)


@router.get("/funding", response_model=FundingPage, responses=_NOT_FOUND,
            summary="Every funding call and scheme for a French authority and a foreign partner: status on a date, "
                    "eligibility (true/false/unknown, the rule that decided), co-financing cap, what is missing")
def funding(
    res: ResourcesDep, store: StoreDep, lang: LangDep, key: OptionalKey, french: Id, partner: Id,
    themes: Themes = [],  # noqa: B006
    on: Annotated[dt.date | None, Query(description="The date the status is computed for (default: today)")] = None,
    co_applicants: Annotated[int, Query(ge=1, le=50, description="French authorities applying together, the "
                                                                 "first included")] = 1,
) -> FundingPage:
    fr_profile, partner_profile = _get(store, french, "french", key), _get(store, partner, "partner", key)
    if partner_profile.country == "FR":
        raise InvalidInput(f"{partner} is French: give a foreign partner", field="partner")
    day = on or res.today()
    items = funding_for(funding_data(res), fr_profile, partner_profile.country, parse_themes(themes),
                        co_applicants=co_applicants, on=day)
    return FundingPage(french=side(fr_profile, lang), partner=side(partner_profile, lang), on=day,
                       co_applicants=co_applicants, items=[item_out(a, lang) for a in items])


@router.get("/consortia", response_model=ConsortiumPage, responses=_NOT_FOUND,
            summary="French co-applicants for a foreign partner (those already working with it, its region or "
                    "country; complementary levels; near each other), a proposed lead, and the calls the group "
                    "meets that one authority alone does not")
def consortia(
    res: ResourcesDep, store: StoreDep, lang: LangDep, key: OptionalKey, partner: Id,
    themes: Themes = [],  # noqa: B006
    k: Annotated[int, Query(ge=1, le=20, description="Group size")] = 5,
    on: Annotated[dt.date | None, Query(description="The date call statuses are computed for (default: today)")] = None,
) -> ConsortiumPage:
    p = _get(store, partner, "partner", key)
    proposal, calls = consortium(store, funding_data(res), p, parse_themes(themes), k=k, on=on or res.today())
    text = (lambda fr, en: fr) if lang == "fr" else (lambda fr, en: en)
    return ConsortiumPage(
        partner=side(p, lang), candidates=proposal.candidates,
        items=[ConsortiumItem(id=m.profile.id, name=m.profile.display_name(lang), kind=m.profile.kind.value,
                              level=m.profile.level_of.value, role=m.role,  # type: ignore[arg-type]
                              km_to_lead=round(m.km_to_lead, 1) if m.km_to_lead is not None else None,
                              reasons=[ConsortiumReason(code=r.code, text=text(r.text_fr, r.text_en),
                                                        text_fr=r.text_fr, text_en=r.text_en) for r in m.reasons])
               for m in proposal.members],
        calls=[ConsortiumCall(id=a.call.id, programme=a.call.programme, status=a.status,  # type: ignore[arg-type]
                              eligible=a.eligible, closes=a.call.closes,
                              missing=[text(m.text_fr, m.text_en) for m in a.missing], source_url=a.call.source_url)
               for a in calls])


@router.get("/funding/overlaps", response_model=OverlapPage,
            responses={401: {"description": "No API key"}, 403: {"description": "Not a staff key"}},
            summary="Foreign territories several French authorities work with, without a joint project in the "
                    "catalogue (staff)")
def funding_overlaps(
    key: StaffKey, store: StoreDep, lang: LangDep,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="The territory's country",
                                         json_schema_extra=CATALOGUE_COUNTRY)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> OverlapPage:
    links = store.links()
    found = overlaps(links, link_profiles(store, links))
    if country:
        found = [o for o in found if o.territory.country == country.upper()]
    return OverlapPage(total=len(found), items=[OverlapItem(
        territory=side(o.territory, lang), french=[side(p, lang) for p in o.french],
        foreign=[side(p, lang) for p in o.foreign]) for o in found[:limit]])
