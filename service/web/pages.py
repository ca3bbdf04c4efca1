"""Public pages: home and search, an authority's page, its partner shortlist (filters, reasons, map,
downloads). The ranking is the API's: ``Matcher.recommend`` with the filters of ``/matches``
(``service.services.matches.filters_of``), so a page and the API never disagree."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from matcher.catalogue.files import Country
from matcher.catalogue.normalize import CountryNames
from matcher.domain import Continent, Filters, Level, Match, Profile
from matcher.errors import InvalidInput
from matcher.events.exports import SHORTLIST_COLUMNS, shortlist_csv, shortlist_xlsx
from matcher.events.spreadsheet import SheetStyle, for_people
from matcher.ranking.engine import Matcher
from service.deps import get_countries
from service.errors import NotReady
from service.schemas.common import MAX_POSITION
from service.services.authorities import visible_profile
from service.services.funding import glances
from service.services.matches import filters_of
from service.web.context import Page, PageDep

router = APIRouter()
ATLAS = "/static/vendor/world-atlas/countries-110m.json"
MAX_SHORTLIST = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def matcher_of(page: Page) -> Matcher:
    if page.res.matcher is None:
        raise NotReady(page.t("loading"))
    return page.res.matcher


def map_points(page: Page, me: Profile | None, others: list[tuple[str, str, float | None, float | None]]
               ) -> str:
    """The ``data-points`` of a map: the authority itself and others; no coordinates, no point."""
    points: list[dict[str, Any]] = []
    if me is not None and me.lat is not None and me.lon is not None:
        points.append({"lat": me.lat, "lon": me.lon, "label": me.display_name(page.lang), "href": None,
                       "role": "self"})
    for pid, name, lat, lon in others:
        if lat is not None and lon is not None:
            points.append({"lat": lat, "lon": lon, "label": name, "href": f"/collectivites/{pid}",
                           "role": "partner"})
    return json.dumps(points, ensure_ascii=False)


@router.get("/", response_class=HTMLResponse)
def home(page: PageDep) -> Response:
    return page.render("home.html")


@router.get("/recherche", response_class=HTMLResponse)
def search(page: PageDep, q: Annotated[str, Query(max_length=100)] = "",
           cursor: Annotated[int | None, Query(ge=0, le=MAX_POSITION)] = None) -> Response:
    hits: list[Profile] = []
    nxt = None
    if q.strip():
        own = page.owner_of
        hits, nxt = page.store.search(q, limit=20, cursor=cursor, statuses=None if page.staff else ("verified",),
                                      own=own)
    return page.render("search.html", q=q, hits=hits, next_cursor=nxt)


def _parents(page: Page, p: Profile) -> list[Profile]:
    return [x for x in page.store.get_many(p.parent_ids) if x.is_verified or page.staff]


def known_partners(page: Page, p: Profile) -> list[Profile]:
    """The authority's partnerships known to the catalogue (links), verified ones only."""
    state = matcher_of(page).state
    row = state.arrays.row(p.id)
    ids = [str(state.arrays.ids[r]) for r in sorted(state.partners.get(row, ()))] if row is not None else []
    ids += [x for x in p.known_partners if x not in ids]
    partners = [x for x in page.store.get_many(ids) if x.is_verified]
    return sorted(partners, key=lambda x: x.display_name(page.lang))


@router.get("/collectivites/{authority_id}", response_class=HTMLResponse)
def authority(page: PageDep, authority_id: str) -> Response:
    p = visible_profile(page.store, authority_id, page.key)
    partners = known_partners(page, p)
    points = map_points(page, p, [(x.id, x.display_name(page.lang), x.lat, x.lon) for x in partners])
    # A foreign authority seen by a French one signed in: what would fund them together.
    mine = visible_profile(page.store, page.owner_of, page.key) if page.owner_of and p.country != "FR" else None
    mine_french = mine if mine is not None and mine.country == "FR" else None
    found = glances(page.res, p, [(x.id, x.country) for x in partners])
    if mine_french is not None:
        found.update(glances(page.res, mine_french, [(p.id, p.country)]))
    return page.render("authority.html", p=p, parents=_parents(page, p), partners=partners, points=points,
                       atlas=ATLAS, mine=page.owner_of == p.id, mine_french=mine_french, glances=found)


_COUNTRY_NAMES: dict[int, CountryNames] = {}


def country_codes(page: Page, countries: dict[str, Country], text: str) -> list[str]:
    """Countries typed in a form ("Sénégal, ML", "senegal") as ISO codes: codes as they are, names resolved
    as the participant files resolve them (``CountryNames``: English and French names, variants, any case
    and accents). A name that is no country is an ``InvalidInput`` on ``country``, said in the page's
    language."""
    names = _COUNTRY_NAMES.get(id(countries))
    if names is None:
        _COUNTRY_NAMES.clear()
        names = _COUNTRY_NAMES[id(countries)] = CountryNames(countries)
    codes: list[str] = []
    for item in (x.strip() for x in text.replace(";", ",").split(",")):
        if not item:
            continue
        code = item.upper() if item.upper() in countries else names.code(item)
        if code is None or code not in countries:
            raise InvalidInput(page.t("match.bad_country", value=item), field="country", key="unknown_country")
        if code not in codes:
            codes.append(code)
    return codes


async def page_filters(page: Page, continent: list[Continent], country: str, level: list[str],
                       min_population: int | None, max_population: int | None, themes: list[str],
                       francophone: bool) -> Filters:
    """The form's fields as the API's filters (``filters_of``; countries typed as "Sénégal, ML")."""
    countries = await get_countries(page.res, page.store)
    codes = country_codes(page, countries, country)
    return filters_of(countries, country=codes, continent=continent, level=[Level(lv) for lv in level],
                      min_population=min_population, max_population=max_population, themes=themes,
                      francophone=francophone)


ContinentQ = Annotated[list[Continent], Query(max_length=7)]
LevelQ = Annotated[list[Level], Query(max_length=4)]
ThemesQ = Annotated[list[str], Query(max_length=20)]
#: A number field of a form: empty when not filled in (the browser sends ``min_population=``).
PopQ = Annotated[str, Query(max_length=20)]


def population_field(page: Page, text: str, field: str) -> int | None:
    digits = text.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if not digits:
        return None
    if not digits.isdigit() or int(digits) > 2_000_000_000:
        raise InvalidInput(page.t("match.bad_population"), field=field)
    return int(digits)


@dataclass(frozen=True)
class ShortlistForm:
    """The shortlist form's fields, as sent (the page draws them back into the form)."""

    continent: list[Continent]
    country: str
    level: list[Level]
    min_population: str
    max_population: str
    themes: list[str]
    francophone: bool
    diversity: float
    k: int


def shortlist_form(continent: ContinentQ = [], country: Annotated[str, Query(max_length=300)] = "",  # noqa: B006
                   level: LevelQ = [], min_population: PopQ = "", max_population: PopQ = "",  # noqa: B006
                   themes: ThemesQ = [], francophone: bool = False,  # noqa: B006
                   diversity: Annotated[float, Query(ge=0, le=10, allow_inf_nan=False)] = 0.0,
                   k: Annotated[int, Query(ge=1, le=MAX_SHORTLIST)] = 10) -> ShortlistForm:
    return ShortlistForm(continent, country, level, min_population, max_population, themes, francophone,
                         diversity, k)


ShortlistDep = Annotated[ShortlistForm, Depends(shortlist_form)]


async def _shortlist(page: Page, authority_id: str, form: ShortlistForm) -> tuple[Profile, list[Match], Filters]:
    from starlette.concurrency import run_in_threadpool

    p = await run_in_threadpool(visible_profile, page.store, authority_id, page.key)
    filters = await page_filters(page, form.continent, form.country, [lv.value for lv in form.level],
                                 population_field(page, form.min_population, "min_population"),
                                 population_field(page, form.max_population, "max_population"), form.themes,
                                 form.francophone)
    matcher = matcher_of(page)
    found = await page.res.admission.run(lambda: matcher.recommend(p, k=form.k, filters=filters,
                                                                   diversity=form.diversity))
    return p, found, filters


@router.get("/collectivites/{authority_id}/partenaires", response_class=HTMLResponse)
async def partners(page: PageDep, authority_id: str, form: ShortlistDep) -> Response:
    from matcher.explain.notices import empty_notice

    query = page.request.url.query
    form_fields = {**asdict(form), "level": [lv.value for lv in form.level]}
    try:
        p, found, filters = await _shortlist(page, authority_id, form)
    except InvalidInput as exc:
        if exc.field not in ("country", "min_population", "max_population"):
            raise
        # A filter that cannot be applied: said in the form, the form kept (not a page of its own).
        from starlette.concurrency import run_in_threadpool

        p = await run_in_threadpool(visible_profile, page.store, authority_id, page.key)
        return page.render("partners.html", status_code=422, p=p, matches=[], points="[]", atlas=ATLAS,
                           notice=None, query=query, form=form_fields, can_write=page.owner_of == p.id and p.is_verified,
                           form_error=exc.message, error_field=exc.field)
    points = map_points(page, p, [(m.id, m.display_name(page.lang), m.lat, m.lon) for m in found])
    return page.render("partners.html", p=p, matches=found, points=points, atlas=ATLAS,
                       glances=glances(page.res, p, [(m.id, m.country) for m in found]),
                       notice=None if found else empty_notice(filters, page.lang), query=query,
                       form=form_fields,
                       can_write=page.owner_of == p.id and p.is_verified, form_error=None, error_field=None)


def shortlist_style(page: Page) -> SheetStyle:
    """The shortlist for a spreadsheet in the page's language: headers, countries, kinds and levels named."""
    from service.web.i18n import kind_label, level_label

    def label(column: str, value: Any) -> Any:
        if column == "country":
            return page.country_name(str(value))
        if column == "kind":
            return kind_label(str(value), page.lang)
        if column == "level":
            return level_label(str(value), page.lang)
        return value

    return for_people(page.lang, {c: page.t(f"sl.{c}") for c in SHORTLIST_COLUMNS}, label)

@router.get("/collectivites/{authority_id}/partenaires.{fmt}")
async def partners_download(page: PageDep, authority_id: str, fmt: str, form: ShortlistDep) -> Response:
    from matcher.errors import NotFound

    if fmt not in ("csv", "xlsx"):
        raise NotFound(page.t("error.not_found"), field="format")
    p, found, _ = await _shortlist(page, authority_id, form)
    style = shortlist_style(page)
    body = shortlist_csv(found, page.lang, style) if fmt == "csv" else shortlist_xlsx(found, page.lang, style)
    media = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    name = f"twinmatch-{p.id}-{'partenaires' if page.lang == 'fr' else 'partners'}.{fmt}"
    return page.finish(Response(body, media_type=media,
                                headers={"Content-Disposition": f'attachment; filename="{name}"'}))
