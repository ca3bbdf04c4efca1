"""The stated-preference columns (``features.PREFERENCE_FEATURES``) of one query over its candidates: a
preferred country or continent (``preferred``), the partnership types (``matcher.ranking.partnership_types``)
and the partner sizes (``size_preferred``). Priors added outside every model (``PairRanker``): no weight that
scales structure scales them away."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matcher.domain import SIZE_BOUNDS
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.derived import once
from matcher.ranking.partnership_types import dac_mask, type_columns

if TYPE_CHECKING:  # (features imports this module: the query type is only named here)
    from matcher.ranking.features import Query


def preference_columns(q: Query, a: CatalogueArrays, cand: np.ndarray) -> dict[str, np.ndarray]:
    """The stated-preference columns (``PREFERENCE_FEATURES``): countries and continents, partnership types,
    partner sizes."""
    dac = once(a, "_dac", lambda: dac_mask(a.country_codes))
    return {"preferred": preferred_column(q, a, cand),
            **type_columns(q.types, a.types, a.index, a.country, dac, cand),
            "size_preferred": size_column(q.sizes, a.population[cand])}


def preferred_column(q: Query, a: CatalogueArrays, cand: np.ndarray) -> np.ndarray:
    """1 where the candidate is in a country or continent the query prefers."""
    if not q.preferred_countries and not q.preferred_continents:
        return np.zeros(len(cand))
    pref = np.zeros(len(a.country_codes))
    if q.preferred_countries:
        pref[list(q.preferred_countries)] = 1.0
    if q.preferred_continents:
        pref[np.isin(a.country_continent, list(q.preferred_continents))] = 1.0
    return pref[a.country[cand]]


def size_column(sizes: frozenset[str], population: np.ndarray) -> np.ndarray:
    """1 where the candidate's population is in a size band the query seeks (``domain.SIZE_BOUNDS``); 0 where
    it is in none, and where the population is unknown (0): an unknown size is never taken for a wished one."""
    out = np.zeros(len(population))
    for band in sizes:
        if band not in SIZE_BOUNDS:
            continue
        low, high = SIZE_BOUNDS[band]
        inside = (population > 0) & (population >= low)
        if high is not None:
            inside &= population < high
        out[inside] = 1.0
    return out


__all__ = ["preference_columns", "preferred_column", "size_column"]
