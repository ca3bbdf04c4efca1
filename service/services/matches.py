"""The filters of a partner shortlist, the same for ``GET /authorities/{id}/matches`` and the shortlist
page (so a page and the API never disagree): countries checked against the catalogue, themes as codes."""

from __future__ import annotations

from collections.abc import Sequence

from matcher.catalogue.files import Country
from matcher.domain import Continent, Filters, Kind, Level
from matcher.errors import InvalidInput
from matcher.themes import parse_theme
from service.services.authorities import check_countries


def filters_of(countries: dict[str, Country], *, country: Sequence[str] = (), continent: Sequence[Continent] = (),
               kind: Sequence[Kind] = (), level: Sequence[Level] = (), min_population: int | None = None,
               max_population: int | None = None, themes: Sequence[str] = (), francophone: bool = False,
               include_existing: bool = False) -> Filters:
    """``Filters`` from a query's values: ISO alpha-2 countries of the catalogue, theme codes or labels."""
    codes = [c.strip().upper() for c in country]
    for c in codes:
        if len(c) != 2 or not c.isalpha():
            raise InvalidInput(f"country must be ISO alpha-2 codes, got {c!r}", field="country")
    check_countries(codes, countries, "country")
    try:
        theme_codes = tuple(dict.fromkeys(parse_theme(t) for t in themes))
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="themes") from None
    return Filters(countries=tuple(codes), continents=tuple(continent), kinds=tuple(k.value for k in kind),
                   levels=tuple(lv.value for lv in level),
                   min_population=min_population, max_population=max_population, themes=theme_codes,
                   francophone_only=francophone, include_existing=include_existing)
