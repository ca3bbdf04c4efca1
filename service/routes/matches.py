"""Ranked, explained partners: for a catalogue authority, or for an ad-hoc profile that is not stored."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from matcher.domain import Continent, Filters, Kind, Level, Match, Profile
from matcher.explain.notices import empty_notice
from matcher.geo import FRENCH_SPEAKING_DEFINITION
from matcher.ranking.footprint import Footprint
from matcher.ranking.score_scale import match_score, one_in
from service.deps import (
    CachedMatches,
    CountriesDep,
    LangDep,
    MatcherDep,
    OptionalKey,
    ResourcesDep,
    StoreDep,
)
from service.lang import Lang
from service.ratelimit import client_address
from service.routes.authorities import IdPath
from service.schemas.common import CATALOGUE_COUNTRY, THEME_ENUM
from service.schemas.matching import MatchesOut, MatchOut, MatchRequest, QueryRef, ReasonOut, finite
from service.services.authorities import check_countries, visible_profile
from service.services.matches import filters_of

router = APIRouter(tags=["matches"])

MAX_K = 100


def match_out(m: Match, lang: str) -> MatchOut:
    """Like ``matcher.cli.match_cmds.match_to_dict``, with the reason text in ``lang`` plus both languages."""
    points = int(match_score(finite(m.score) or 0.0))
    return MatchOut(id=m.id, name=m.display_name(lang), name_local=m.name, country=m.country, kind=m.kind,
                    level=Level(m.level or "town"), lat=finite(m.lat), lon=finite(m.lon),
                    population=m.population, score=finite(m.score) or 0.0, match_score=points,
                    one_in=int(one_in(points)), rank=m.rank,
                    reasons=[ReasonOut.of(r, lang) for r in m.reasons])


def matches_out(query: QueryRef, lang: Lang, matches: list[Match], filters: Filters) -> MatchesOut:
    return MatchesOut(query=query, lang=lang, matches=[match_out(m, lang) for m in matches],
                      notice=None if matches else empty_notice(filters, lang))


QueryCountry = Annotated[str, Field(json_schema_extra=CATALOGUE_COUNTRY)]
QueryTheme = Annotated[str, Field(max_length=100, json_schema_extra=THEME_ENUM)]


async def query_filters(
    countries: CountriesDep,
    country: Annotated[list[QueryCountry], Query(max_length=100, description="ISO alpha-2; repeat for several "
                                                                             "(?country=SN&country=ML)")] = [],  # noqa: B006
    continent: Annotated[list[Continent], Query(max_length=7)] = [],  # noqa: B006
    kind: Annotated[list[Kind], Query(max_length=len(Kind))] = [],  # noqa: B006
    level: Annotated[list[Level], Query(max_length=len(Level), description="admin1, admin2, intercommunal, "
                                                                          "town; repeat for several")] = [],  # noqa: B006
    min_population: Annotated[int | None, Query(ge=0, le=2_000_000_000)] = None,
    max_population: Annotated[int | None, Query(ge=0, le=2_000_000_000)] = None,
    themes: Annotated[list[QueryTheme], Query(max_length=20, description="Codes or labels (6 languages); "
                                                                         "repeat for several")] = [],  # noqa: B006
    francophone: Annotated[bool, Query(description=FRENCH_SPEAKING_DEFINITION["en"])] = False,
    include_existing: Annotated[bool, Query(description="Keep known partners as candidates")] = False,
) -> Filters:
    """The query's filters (``service.services.matches.filters_of``, as for the shortlist page)."""
    return filters_of(countries, country=country, continent=continent, kind=kind, level=level,
                      min_population=min_population, max_population=max_population, themes=themes,
                      francophone=francophone, include_existing=include_existing)


FiltersDep = Annotated[Filters, Depends(query_filters)]


@router.get("/authorities/{authority_id}/matches", response_model=MatchesOut,
            summary="Ranked partner candidates for a catalogue authority, with reasons",
            responses={401: {"description": "Invalid API key"},
                       404: {"description": "Unknown id (or a pending profile, for anyone but its owner and staff)"},
                       422: {"description": "Invalid parameter"}})
async def authority_matches(
    authority_id: IdPath, res: ResourcesDep, store: StoreDep, matcher: MatcherDep, lang: LangDep, filters: FiltersDep,
    api_key: OptionalKey,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    diversity: Annotated[float, Query(ge=0, le=10, allow_inf_nan=False,
                                      description="Spread over countries: 0 = plain ranking")] = 0.0,
) -> Response:
    # Async on purpose: a cached answer is a dict lookup and pre-rendered JSON, served on the event
    # loop; only a miss (the ranking itself, CPU-bound) goes to the thread pool.
    state = matcher.state
    if state.arrays.row(authority_id) is None:
        # Not matched by anyone (pending, rejected, or unknown): only its owner and staff may rank it, as
        # the profile stands now (not cached: its writes change no state).
        profile = visible_profile(store, authority_id, api_key)
        found = await res.admission.run(lambda: matcher.recommend(profile, k=k, filters=filters, diversity=diversity))
        out = matches_out(_ref(profile, stored=True), lang, found, filters)
        return Response(content=out.model_dump_json().encode(), media_type="application/json")
    key = (authority_id, filters, k, diversity)
    cached = res.matches.get(state, key)
    if cached is None:
        def rank() -> tuple[CachedMatches, Footprint | None]:
            profile = store.get(authority_id)
            found, fp = matcher.traced(profile, state, k=k, filters=filters, diversity=diversity)
            return (profile, found, {}), fp

        fresh, footprint = await res.admission.run(rank)
        res.matches.put(state, key, fresh, footprint)
        cached = fresh
    profile, matches, rendered = cached
    body = rendered.get(lang)
    if body is None:  # one rendering per language and entry (a race only renders twice)
        out = matches_out(_ref(profile, stored=True), lang, matches, filters)
        body = rendered[lang] = out.model_dump_json().encode()
    return Response(content=body, media_type="application/json")


@router.post("/match", response_model=MatchesOut, summary="Ranked partners for an ad-hoc profile (not stored)",
             responses={422: {"description": "Invalid profile or options (field named)"}})
async def adhoc_match(request: Request, body: MatchRequest, res: ResourcesDep, matcher: MatcherDep, lang: LangDep,
                      countries: CountriesDep, api_key: OptionalKey) -> MatchesOut:
    """Anonymous calls are rate limited per client address (429 with `Retry-After`; an API key lifts the
    limit). The profile's texts are encoded for the query and kept in memory only, never stored."""
    if api_key is None:
        res.limits.hit("match", client_address(request))
    p = body.profile
    check_countries([p.country], countries, "profile.country")
    check_countries(p.preferred_countries, countries, "profile.preferred_countries")
    check_countries(body.filters.countries, countries, "filters.countries")
    # A fresh id no catalogue row can have: the engine then treats it as a new query, never as a stored one.
    profile = p.to_profile(f"adhoc:{uuid.uuid4().hex}", source="adhoc")
    f = body.filters
    filters = Filters(countries=tuple(f.countries), continents=tuple(f.continents),
                      kinds=tuple(k.value for k in f.kinds), levels=tuple(lv.value for lv in f.levels),
                      min_population=f.min_population,
                      max_population=f.max_population, themes=tuple(f.themes),
                      francophone_only=f.francophone_only, include_existing=f.include_existing,
                      exclude=tuple(f.exclude))
    matches = await res.admission.run(
        lambda: matcher.recommend(profile, k=body.k, filters=filters, diversity=body.diversity))
    return matches_out(_ref(profile, stored=False), lang, matches, filters)


def _ref(p: Profile, *, stored: bool) -> QueryRef:
    return QueryRef(id=p.id if stored else None, name=p.name, country=p.country, kind=p.kind.value)
