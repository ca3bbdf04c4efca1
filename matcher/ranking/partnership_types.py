"""Stated partnership types as preferences (``Profile.partnership_types``: twinning, development cooperation,
technical exchange, economic promotion, culture and youth exchange), two columns beside ``preferred``:

- ``types_shared``: the candidate states a type the query seeks (both want a twinning, say);
- ``development_country``: the query seeks development cooperation and the candidate's country is on the
  OECD DAC list of aid recipients — least developed countries (``data/funding/ldc.csv``) and the low and middle
  income countries that are neither EU nor former G8 members (``oda.csv``; the list's own rule,
  ``matcher.funding.data``). A country outside both files is not known to be on it: 0, never a guess.

No labelled data says how much a stated type is worth (no case or link records the types sought), so both
are priors (``features.DEFAULT_PRIOR_WEIGHTS``) added outside every model, as a stated country is: writing a
text never scales them away. Pure functions over the arrays; the DAC list is read once from the repository's
reference data, as the stop-word lists are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from matcher.domain import PartnershipType
from matcher.paths import DATA_DIR

DEVELOPMENT = PartnershipType.DEVELOPMENT.value
#: The types in the profile form's order (how a sentence lists the types both sides seek).
TYPE_ORDER = tuple(t.value for t in PartnershipType)


@lru_cache(maxsize=1)
def dac_countries() -> frozenset[str]:
    """ISO codes of the countries known to be on the DAC list (LDCs and ``oda.csv``)."""
    from matcher.funding.data import read_lists

    return read_lists(DATA_DIR / "funding").on_dac_list


def dac_mask(country_codes: Sequence[str]) -> np.ndarray:
    """(n_countries,) bool: each country is known to be on the DAC list."""
    known = dac_countries()
    return np.array([c in known for c in country_codes], dtype=bool)


def type_columns(q_types: frozenset[str], types: Mapping[str, tuple[str, ...]], index: Mapping[str, int],
                 country: np.ndarray, dac: np.ndarray, cand: np.ndarray) -> dict[str, np.ndarray]:
    """``types_shared`` and ``development_country`` over ``cand`` for a query seeking ``q_types``
    (``types``: id -> stated types of the few profiles that state any; ``index``: id -> row)."""
    cand = np.asarray(cand, dtype=np.int64)
    shared = np.zeros(len(cand))
    dev = np.zeros(len(cand))
    if not q_types:
        return {"types_shared": shared, "development_country": dev}
    if DEVELOPMENT in q_types:
        dev = dac[country[cand]].astype(float)
    rows = [index[pid] for pid, t in types.items() if pid in index and q_types.intersection(t)]
    if rows:
        shared = np.isin(cand, np.asarray(rows, dtype=np.int64)).astype(float)
    return {"types_shared": shared, "development_country": dev}


__all__ = ["DEVELOPMENT", "TYPE_ORDER", "dac_countries", "dac_mask", "type_columns"]
