"""Plausibility of a self-registered profile against the catalogue (matcher.catalogue.plausibility): known answers on
the fixture catalogue (communes in France around 45-47 N, towns in SN, GN, DE, BR)."""

from __future__ import annotations

import pytest

from matcher.catalogue.plausibility import check_name, check_place, check_size
from matcher.domain import Kind, Profile
from matcher.errors import Conflict, InvalidInput
from matcher.ranking.engine import MatchState


def _p(**kw: object) -> Profile:
    base: dict[str, object] = {"id": "x", "name": "Nouvelle", "kind": Kind.COMMUNE, "country": "FR"}
    return Profile(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize("lat, lon, ok", [
    (45.1, 2.1, True),  # next to Eauville
    (None, None, True),  # no place stated: nothing to check
    (14.8, -16.9, False),  # on Ndiaye, Senegal
    (49.0, 8.3, False),  # next to Rheinstadt, Germany, far from every French fixture commune
])
def test_place(state: MatchState, lat: float | None, lon: float | None, ok: bool) -> None:
    p = _p(lat=lat, lon=lon)
    if ok:
        check_place(p, state.arrays)
    else:
        with pytest.raises(InvalidInput) as e:
            check_place(p, state.arrays)
        assert e.value.field == "lat"


def test_place_in_a_country_the_catalogue_has_no_place_of_is_not_judged(state: MatchState) -> None:
    check_place(_p(country="MA", lat=-10.0, lon=-40.0), state.arrays)


@pytest.mark.parametrize("population, ok", [(None, True), (70_000, True), (80_000, False), (90_000_000, False)])
def test_size(state: MatchState, population: int | None, ok: bool) -> None:
    # The fixture's largest commune has 50,000 inhabitants: 1.5x that is the bound (with min_known=3);
    # France has 68 million.
    p = _p(population=population)
    if ok:
        check_size(p, state.arrays, state.countries, min_known=3)
    else:
        with pytest.raises(InvalidInput) as e:
            check_size(p, state.arrays, state.countries, min_known=3)
        assert e.value.field == "population"


def test_too_few_of_a_kind_bound_nothing_but_the_country(state: MatchState) -> None:
    check_size(_p(population=80_000), state.arrays, state.countries)  # 5 communes < MIN_KNOWN
    with pytest.raises(InvalidInput):
        check_size(_p(population=90_000_000), state.arrays, state.countries)


def test_a_taken_name_points_to_the_claim() -> None:
    check_name(_p(), [])
    with pytest.raises(Conflict, match="POST /authorities/FR-COM-00001/claims") as e:
        check_name(_p(name="Eauville"), ["FR-COM-00001"])
    assert e.value.field == "name"
