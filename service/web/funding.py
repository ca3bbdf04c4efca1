"""The funding pages: "Financer ce partenariat" (every call for a French authority and a foreign partner,
with its CSV for people), the French consortium for a foreign partner, and the staff page of territories
worked side by side. The answers are ``matcher.funding``'s; dates in the page's language (babel)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from matcher.domain import Profile
from matcher.errors import InvalidInput
from matcher.funding.consortia import overlaps
from matcher.funding.exports import funding_csv
from matcher.funding.project import consortium, funding_for, link_profiles
from matcher.funding.rules import Assessment
from matcher.themes import THEMES, parse_themes
from service.services.authorities import visible_profile
from service.services.funding import funding_data
from service.web.context import Page, PageDep

router = APIRouter()

ThemesQ = Annotated[list[str], Query(max_length=20)]
DayQ = Annotated[str, Query(max_length=10)]


def day_of(text: str, today: dt.date) -> dt.date:
    if not text:
        return today
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {text!r}", field="on") from None


def themes_of(values: list[str]) -> list[str]:
    try:
        return list(parse_themes(v for v in values if v))
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="themes") from None


def _answer(page: Page, french_id: str, partner_id: str, themes: list[str], on: str, n: int
            ) -> tuple[Profile, Profile, list[str], dt.date, list[Assessment]]:
    fr_p = visible_profile(page.store, french_id, page.key)
    partner = visible_profile(page.store, partner_id, page.key)
    if fr_p.country != "FR" or partner.country == "FR":
        raise InvalidInput(page.t("fund.notfrench"), field="partner")
    codes, day = themes_of(themes), day_of(on, page.res.today())
    items = funding_for(funding_data(page.res), fr_p, partner.country, codes, co_applicants=n, on=day)
    return fr_p, partner, codes, day, list(items)


@router.get("/collectivites/{french_id}/financer/{partner_id}", response_class=HTMLResponse)
def funding_page(page: PageDep, french_id: str, partner_id: str, themes: ThemesQ = [],  # noqa: B006
                 on: DayQ = "", n: Annotated[int, Query(ge=1, le=50)] = 1) -> Response:
    fr_p, partner, codes, day, items = _answer(page, french_id, partner_id, themes, on, n)
    query = "&".join([*(f"themes={c}" for c in codes), f"on={day.isoformat()}", f"n={n}"])
    return page.render("funding.html", p=fr_p, partner=partner, items=items, codes=codes, day=day, n=n,
                       query=query, all_themes=THEMES)


@router.get("/collectivites/{french_id}/financer/{partner_id}/financements.csv")
def funding_download(page: PageDep, french_id: str, partner_id: str, themes: ThemesQ = [],  # noqa: B006
                     on: DayQ = "", n: Annotated[int, Query(ge=1, le=50)] = 1) -> Response:
    fr_p, partner, _, day, items = _answer(page, french_id, partner_id, themes, on, n)
    body = funding_csv(items, page.lang, people=True)
    name = f"financements-{fr_p.id}-{partner.id}-{day.isoformat()}.csv"
    return page.finish(Response(body, media_type="text/csv; charset=utf-8",
                                headers={"Content-Disposition": f'attachment; filename="{name}"'}))


@router.get("/collectivites/{partner_id}/consortium", response_class=HTMLResponse)
def consortium_page(page: PageDep, partner_id: str, themes: ThemesQ = [], on: DayQ = "",  # noqa: B006
                    k: Annotated[int, Query(ge=1, le=20)] = 5) -> Response:
    partner = visible_profile(page.store, partner_id, page.key)
    if partner.country == "FR":
        raise InvalidInput(page.t("fund.notfrench"), field="partner")
    codes, day = themes_of(themes), day_of(on, page.res.today())
    proposal, calls = consortium(page.store, funding_data(page.res), partner, codes, k=k, on=day)
    return page.render("consortium.html", partner=partner, proposal=proposal, calls=calls, codes=codes, day=day,
                       k=k, all_themes=THEMES)


@router.get("/equipe/financements", response_class=HTMLResponse)
def staff_overlaps(page: PageDep, country: Annotated[str, Query(max_length=2)] = "",
                   limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Response:
    page.require_staff()
    links = page.store.links()
    found = overlaps(links, link_profiles(page.store, links))
    if country:
        found = [o for o in found if o.territory.country == country.upper()]
    return page.render("funding_staff.html", found=found[:limit], total=len(found), country=country.upper())
