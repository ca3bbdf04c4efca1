"""Where the query's text says its partners are: the authorities, admin-1 regions and countries it names.

A mayor who writes "avec une commune de la région de Kayes, au Mali" says where it wants its partner. The
name matcher (``matcher.ranking.names``) finds the authorities the text names, but a commune's level gate
offers it towns, not the Kayes region, and ``names_mentioned`` only lifts the authority named itself. So two
columns over the candidates, beside the names:

- ``region_named``: how surely the text names the candidate's admin-1 region — the ``names.weight`` of the
  region's own catalogue row (its full name as a phrase, rare among admin-1 names, consistent with the
  countries the text names); 0 for the region's row itself (its mention is ``names_mentioned``) and where
  the candidate's region is unknown;
- ``country_named``: 1 where the text names the candidate's country (``names.country_phrases``: the names
  of every country in six languages), or a region of it (``region_named``); never the author's own
  (``TextNames.countries`` leaves it out).

Pure functions over the catalogue arrays; ``named_rows`` is also what ``features.mention_shares`` reads.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from matcher.domain import LEVELS, Level
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.names import TextNames, weight

PLACE_FEATURES = ("region_named", "country_named")
_ADMIN1 = LEVELS.index(Level.ADMIN1)


def named_rows(tokens: sp.csr_matrix | None, text_names: TextNames | None, a: CatalogueArrays
               ) -> tuple[np.ndarray, np.ndarray]:
    """(rows, weights) of the catalogue authorities a text names (``tokens``: its hashed phrases, a sparse
    row; weight > 0 only): the sparse product gives the rows that may be named, the exact check keeps them."""
    empty = np.zeros(0, dtype=np.int64), np.zeros(0)
    if tokens is None or not tokens.nnz or text_names is None or a.names_mat is None:
        return empty
    hits = np.flatnonzero(a.dot_row("names_mat", tokens))
    if not len(hits):  # most texts name no catalogue authority
        return empty
    w = np.array([weight(a.name_stats, a.name_phrases(r), int(a.level[r]), a.country_codes[a.country[r]],
                         float(a.population[r]), text_names) for r in hits.tolist()])
    keep = w > 0
    return hits[keep], w[keep]


def place_columns(text_names: TextNames | None, rows: np.ndarray, weights: np.ndarray, a: CatalogueArrays,
                  cand: np.ndarray, own_country: int = -1, pages_only: bool = False) -> dict[str, np.ndarray]:
    """``region_named`` and ``country_named`` over ``cand``, from the rows the text names (``named_rows``).
    ``own_country`` (the author's, an index into ``a.country_codes``): its regions are where the author is
    ("une commune de Bretagne"), not where it looks, so they lift nothing. ``pages_only``: the texts are public
    pages about the author's past cooperation (``Facet.sources``), so what they name is where it has worked, not
    where it wishes to: both columns are 0."""
    region = np.zeros(len(cand))
    if pages_only:
        return {"region_named": region, "country_named": region.copy()}
    units = ((a.level[rows] == _ADMIN1) & (a.admin1[rows] >= 0) & (a.country[rows] != own_country)
             if len(rows) else np.zeros(0, dtype=bool))
    if units.any():
        by_key = np.zeros(max(len(a.admin1_keys), 1))
        np.maximum.at(by_key, a.admin1[rows[units]], weights[units])
        k = a.admin1[cand]
        region = np.where(k >= 0, by_key[np.maximum(k, 0)], 0.0)
        region[np.isin(cand, rows[units])] = 0.0  # the region's own row: its mention is names_mentioned
    # A region named says its country too ("la région de Sikasso": Mali), as the author wrote it or not.
    said = {*(text_names.countries if text_names is not None else ()),
            *(a.country_codes[i] for i in a.country[rows[units]].tolist())}
    country = np.zeros(len(cand))
    if said:
        mask = np.array([c in said for c in a.country_codes])
        k = a.country[cand]
        country = np.where(k >= 0, mask[np.maximum(k, 0)], False).astype(float)  # an unknown country is not named
    return {"region_named": region, "country_named": country}
