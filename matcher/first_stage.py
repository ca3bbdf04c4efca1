"""The ranker's linear first stage over every candidate, without building a feature column per candidate.

``PairRanker.prefilter_columns(columns(...))`` is the reference: every feature as a column over all
candidates, then their weighted sum. Most of those columns vary with the candidate only through its
country (continent, priority zone, French-speaking, the history's country shares), its admin-1 region,
its level, or through a handful of rows the link history touches. So the weighted sum is gathered here
from small per-country, per-region and per-level tables and one per-row vector, and only the distance,
size and language terms are computed per candidate. The result equals the reference (brute-force test
in ``tests/test_first_stage.py``); the shortlist then gets every feature (``scoring.rank``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from matcher.arrays import CatalogueArrays
from matcher.features import GATE_FEATURE, SHARE_FLOORS, Query, candidate_log_pop, distances_km
from matcher.history import HistoryIndex, Shares, country_shares, source_weights
from matcher.ranker import PairRanker


def structural_first_stage(ranker: PairRanker, q: Query, a: CatalogueArrays, history: HistoryIndex,
                           cand: np.ndarray, *, priority: np.ndarray, level_compat: np.ndarray,
                           shares: Shares | None) -> np.ndarray:
    """The structural part of ``prefilter_columns`` (its intercept included) for ``cand``."""
    names = list(ranker.feature_names)
    coef = dict(zip(names, ranker.first_stage_weights()))
    fill_arr = getattr(ranker, "fill_", None)
    fill = dict(zip(names, fill_arr)) if fill_arr is not None else dict.fromkeys(names, 0.0)
    n_countries = len(a.country_codes)

    # --- history: where the links of authorities near the query go (matcher.history) ----------------
    w = source_weights(history, a, q_xyz=q.xyz, q_admin2=q.admin2, q_admin1=q.admin1, exclude_rows=q.exclude_rows)
    if shares is None:
        shares = country_shares(history, a, q.country, q.exclude_rows)
    dst = history.dst
    n = a.n
    row_term = np.zeros(n)
    # The link-history columns are zero but for a few thousand rows: the links' ends (``endpoints``, where
    # ``direct`` and ``degree`` live) and the rows their kernels reach (``near``, ``near_global``). Only
    # those rows are touched (log1p(0) = 0 elsewhere).
    ends = history.endpoints
    w_end = np.bincount(history.dst_pos, weights=w, minlength=len(ends))  # = ``direct`` at each link end
    if coef.get("direct"):
        row_term[ends] += coef["direct"] * np.log1p(w_end)
    if coef.get("near"):
        nz = np.flatnonzero(w_end)
        if len(nz):
            near = sp.csr_matrix(w_end[nz][None, :]) @ history.kernel[nz]  # (1, n), sparse
            row_term[near.indices] += coef["near"] * np.log1p(near.data)
    if coef.get("degree"):
        degree = history.degree[ends]  # float32, as the reference column (a fancy index copies)
        if len(q.exclude_rows):
            touching = np.isin(history.src, np.asarray(q.exclude_rows))
            np.subtract.at(degree, history.dst_pos[touching], 1.0)
        row_term[ends] += coef["degree"] * np.log1p(np.maximum(degree, 0.0))
    if coef.get("near_global") and q.country >= 0:
        rows, values = shares.near_nonzero()
        row_term[rows] += coef["near_global"] * np.log1p(values)

    # Per admin-1 region (the last slot stands for "no region"), and per country.
    n_a1 = max(len(a.admin1_keys), 1)
    a1_term = np.zeros(n_a1 + 1)
    if coef.get("admin1"):
        a1_of_dst = a.admin1[dst]
        ok = a1_of_dst >= 0
        admin1_w = np.bincount(a1_of_dst[ok], weights=w[ok], minlength=n_a1)
        a1_term[:n_a1] += coef["admin1"] * np.log1p(admin1_w[:n_a1])
    if coef.get("admin1_global"):
        share = shares.admin1[:n_a1] if q.country >= 0 else np.zeros(n_a1)
        glob = np.zeros(n_a1)
        glob[: len(share)] = share
        a1_term[:n_a1] += coef["admin1_global"] * np.log10(glob + SHARE_FLOORS["admin1_global"])
        a1_term[n_a1] += coef["admin1_global"] * np.log10(SHARE_FLOORS["admin1_global"])
    country_term = np.zeros(n_countries)
    total = w.sum()
    if coef.get("country"):
        country_w = np.bincount(a.country[dst], weights=w, minlength=n_countries)
        share_c = country_w / total if total > 0 else np.zeros(n_countries)
        country_term += coef["country"] * np.log10(share_c + SHARE_FLOORS["country"])
    if coef.get("country_global"):
        glob_c = shares.country if q.country >= 0 else np.zeros(n_countries)
        country_term += coef["country_global"] * np.log10(glob_c + SHARE_FLOORS["country_global"])

    # --- structure (matcher.features.structural_features) -------------------------------------------
    q_cont = a.country_continent[q.country] if q.country >= 0 else -2
    pref = np.zeros(n_countries)
    if q.preferred_countries:
        pref[list(q.preferred_countries)] = 1.0
    if q.preferred_continents:
        pref[np.isin(a.country_continent, list(q.preferred_continents))] = 1.0
    country_term += (coef.get("same_continent", 0.0) * (a.country_continent == q_cont)
                     + coef.get("preferred", 0.0) * pref
                     + coef.get("priority_zone", 0.0) * (priority & q.is_french)
                     + coef.get("francophone", 0.0) * a.country_francophone)
    level_term = coef.get("level_compat", 0.0) * np.asarray(level_compat[q.level], dtype=float)

    slot = a.__dict__.get("_admin1_slot")
    if slot is None:  # once per arrays (immutable): each row's admin-1 index, "no region" last
        slot = np.where(a.admin1 >= 0, a.admin1, n_a1)
        object.__setattr__(a, "_admin1_slot", slot)
    s = row_term[cand]
    s += country_term[a.country[cand]]
    s += a1_term[slot[cand]]
    s += level_term[a.level[cand]]
    s += ranker.prefilter_intercept_
    if coef.get("shared_language"):
        s += coef["shared_language"] * ((a.lang_mask[cand] & np.uint64(q.lang_mask)) != 0)
    # Distance and size: NaN where a place or a size is unknown. Summed raw, then the few rows with a NaN
    # are redone with the training averages (one pass instead of a NaN check per term).
    log_km = np.log1p(distances_km(q, a, cand))
    c_pop = candidate_log_pop(a, cand)
    gap = c_pop - q.log_pop
    cols = {"log_distance": log_km, "pop_ratio": np.abs(gap), "size": c_pop, "size_gap": gap,
            "size_far": c_pop * log_km}
    used = [(coef[f], col, fill[f]) for f, col in cols.items() if coef.get(f)]
    place = np.zeros(len(cand))
    for wt, col, _ in used:
        place += wt * col
    bad = np.flatnonzero(np.isnan(place))
    if len(bad):
        fixed = np.zeros(len(bad))
        for wt, col, missing in used:
            v = col[bad]
            fixed += wt * np.where(np.isnan(v), missing, v)
        place[bad] = fixed
    return s + place


def first_stage(ranker: PairRanker, q: Query, a: CatalogueArrays, history: HistoryIndex, cand: np.ndarray,
                text_cols: Mapping[str, np.ndarray], *, priority: np.ndarray, level_compat: np.ndarray,
                shares: Shares | None) -> np.ndarray:
    """``prefilter_columns`` over ``cand``: the structural first stage, and for a query that wrote
    something the text model on top (``text_cols``: ``features.text_features`` over the same rows)."""
    s = structural_first_stage(ranker, q, a, history, cand, priority=priority, level_compat=level_compat,
                               shares=shares)
    if ranker.text_fitted_ and GATE_FEATURE in text_cols and np.asarray(text_cols[GATE_FEATURE][:1]).any():
        text = np.zeros(len(cand))
        for f, wt in zip(ranker.feature_names, ranker.text_coef_):
            if wt:
                text += wt * np.asarray(text_cols[f])
        gate = np.asarray(text_cols[GATE_FEATURE]) > 0.5
        s = np.where(gate, ranker.structure_weight_ * s + text + ranker.text_intercept_, s)
    return s
