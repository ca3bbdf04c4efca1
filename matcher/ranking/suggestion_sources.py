"""Which French authorities the staff suggestions rank from (``matcher.ranking.suggestions``), spread over France.

Ranking from every French authority is out of reach (~35k full rankings), so the suggestions start from at
most ``limit`` of them. Taking the most active ones only (most known partnerships) gave staff the four
largest cities and nothing else. The selection is therefore *stratified*:

- **Eligible**: French authorities that wrote a profile (description, expertise or needs: they asked for
  partners) or have at least one known partnership; ``french_region`` restricts them to one région.
- **Tiers**, in this order: on the ``theme`` filter's theme (when one is given) and with a profile text;
  on theme without text; with a text; the others. A tier is exhausted before the next one starts, so an
  authority that asked is never crowded out by an active one that did not.
- **Strata** within a tier: (région, size band). The bands (``SIZE_BANDS``: under 2,000 inhabitants,
  2,000-10,000, 10,000-50,000, 50,000-200,000, 200,000 and more, unknown) separate a village from a
  métropole. Sources are taken **round-robin**: first the best of every stratum, then the second best of
  every stratum, and so on; "best" is the most known partnerships (catalogue row as the tie-break), and
  within a round the strata follow that same order. So 200 sources cover every région and every size
  that has an eligible authority, and within each the most active first.

Deterministic (no randomness; the same catalogue gives the same list); tested on a synthetic France in
``tests/test_suggestion_sources.py``. On the real catalogue (1,653 eligible French authorities, none with a
profile text yet; ``benchmarks/suggestions_spread.py``), the 200 sources span 21 régions and the size bands
36 / 45 / 57 / 46 / 16, where activity alone gave 12 régions and 1 / 18 / 111 / 61 / 9.
"""

from __future__ import annotations

import numpy as np

from matcher.errors import InvalidInput
from matcher.ranking.state import MatchState
from matcher.themes import fold

#: Upper bounds (exclusive) of the size bands, in inhabitants; a last band above, and one for "unknown".
SIZE_BANDS = (2_000, 10_000, 50_000, 200_000)

#: INSEE codes and names of France's régions and overseas collectivities with a code of their own (the
#: catalogue's admin-1 units of France): what ``french_region`` accepts, by code or name.
FRENCH_REGIONS: dict[str, str] = {
    "01": "Guadeloupe", "02": "Martinique", "03": "Guyane", "04": "La Réunion", "06": "Mayotte",
    "11": "Île-de-France", "24": "Centre-Val de Loire", "27": "Bourgogne-Franche-Comté", "28": "Normandie",
    "32": "Hauts-de-France", "44": "Grand Est", "52": "Pays de la Loire", "53": "Bretagne",
    "75": "Nouvelle-Aquitaine", "76": "Occitanie", "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur", "94": "Corse", "975": "Saint-Pierre-et-Miquelon", "977": "Saint-Barthélemy",
    "978": "Saint-Martin", "986": "Wallis et Futuna", "987": "Polynésie française", "988": "Nouvelle-Calédonie",
}


def french_region_code(value: str) -> str:
    """The INSEE code of a région given by code or name (case and accents ignored); ``InvalidInput``
    otherwise."""
    v = value.strip()
    if v in FRENCH_REGIONS:
        return v
    folded = fold(v)
    for code, name in FRENCH_REGIONS.items():
        if fold(name) == folded:
            return code
    raise InvalidInput(f"unknown French region {value!r} (give its code, e.g. 84, or its name)", field="french_region")


def size_band(population: np.ndarray) -> np.ndarray:
    """0 .. len(SIZE_BANDS) by population (``SIZE_BANDS``), len(SIZE_BANDS) + 1 when unknown (0)."""
    pop = np.asarray(population)
    band = np.searchsorted(np.array(SIZE_BANDS), pop, side="right")
    return np.where(pop > 0, band, len(SIZE_BANDS) + 1)


def round_robin(strata: np.ndarray) -> np.ndarray:
    """For items already in priority order, each one's rank within its own stratum (0 for the first of a
    stratum, 1 for the second…): sorting by (rank, position) takes the strata in turns."""
    rank = np.zeros(len(strata), dtype=np.int64)
    seen: dict[int, int] = {}
    for i, s in enumerate(strata.tolist()):
        rank[i] = seen.get(s, 0)
        seen[s] = rank[i] + 1
    return rank


def select_sources(state: MatchState, *, french_region: str | None, theme: str | None, limit: int) -> list[int]:
    """French rows to rank from, in the order they are scored (see the module docstring), at most ``limit``."""
    a = state.arrays
    fr = a.country_index("FR")
    if fr < 0:
        return []
    rows = np.flatnonzero(a.country == fr)
    if french_region:
        code = french_region_code(french_region)
        wanted = [i for i, k in enumerate(a.admin1_keys) if k == f"FR:{code}"]
        rows = rows[np.isin(a.admin1[rows], wanted)]  # none when the catalogue lacks that région
    has_text = a.text_row[rows] >= 0
    degree = state.history.degree[rows]
    keep = has_text | (degree > 0)
    rows, has_text, degree = rows[keep], has_text[keep], degree[keep]
    on_theme = np.zeros(len(rows), dtype=bool)
    if theme:
        bit = np.uint32(a.theme_bits([theme]))
        on_theme = ((a.exp_themes[rows] | a.need_themes[rows]) & bit) != 0
    tier = (~on_theme).astype(np.int64) * 2 + (~has_text).astype(np.int64)
    # Priority inside a tier: most known partners, then catalogue row (lexsort: last key is primary).
    order = np.lexsort((rows, -degree, tier))
    rows, tier = rows[order], tier[order]
    # admin1 -1 (none) is a stratum of its own; len(SIZE_BANDS) + 2 bands per région.
    strata = (a.admin1[rows].astype(np.int64) + 1) * (len(SIZE_BANDS) + 2) + size_band(a.population[rows])
    # Round-robin inside each tier: strata of different tiers never share a turn.
    turn = round_robin(tier * (strata.max(initial=0) + 1) + strata)
    final = np.lexsort((np.arange(len(rows)), turn, tier))
    return [int(r) for r in rows[final][:limit]]
