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
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.derived import once
from matcher.ranking.features import SHARE_FLOORS, Query, candidate_log_pop, distances_km
from matcher.ranking.history import HistoryIndex, Shares, country_shares, source_weights
from matcher.ranking.ranker import PairRanker


@dataclass(frozen=True)
class StageTables:
    """One query's structural first stage as tables: a candidate's score is its row's, its country's, its
    admin-1 region's and its level's entries, plus the terms computed per candidate (``gather``)."""

    row_term: np.ndarray  # (n,) the link-history terms, zero but for the rows ``touched_rows`` gives
    country_term: np.ndarray  # (n_countries,)
    a1_term: np.ndarray  # (n_admin1 + 1,) the last slot: no region (or a region created since)
    level_term: np.ndarray  # (n_levels,)
    link_w: np.ndarray  # (link orientations,) the query's weight on each (``link_weights``)


def _weights(ranker: PairRanker) -> tuple[dict[str, float], dict[str, float]]:
    names = list(ranker.feature_names)
    coef = dict(zip(names, ranker.first_stage_weights()))
    fill_arr = getattr(ranker, "fill_", None)
    fill = dict(zip(names, fill_arr)) if fill_arr is not None else dict.fromkeys(names, 0.0)
    return coef, fill


#: Where ``touched_rows`` keeps its answer on the link index (``state._with_arrays`` hands it to a padded copy).
TOUCHED_ROWS = "_touched_rows"


def touched_rows(history: HistoryIndex) -> np.ndarray:
    """Sorted rows where ``StageTables.row_term`` can be non-zero for some query: the links' ends (``direct``,
    ``degree``) and the rows their kernels reach (``near``, ``near_global``). Computed once per index."""
    return once(history, TOUCHED_ROWS,
                lambda: np.union1d(history.endpoints, np.unique(history.kernel.indices)).astype(np.int64))


def link_weights(q: Query, a: CatalogueArrays, history: HistoryIndex) -> np.ndarray:
    """The query's weight on each link orientation of ``history`` (``history.source_weights``): mostly 0."""
    return source_weights(history, a, q_xyz=q.xyz, q_admin2=q.admin2, q_admin1=q.admin1, exclude_rows=q.exclude_rows)


def history_terms_at(ranker: PairRanker, q: Query, a: CatalogueArrays, history: HistoryIndex, shares: Shares | None,
                     links: np.ndarray, weights: np.ndarray, row: int, n_slots: int) -> float:
    """``row_term[row] + a1_term[slot of row]`` of the query's ``stage_tables`` (``n_slots`` admin-1 slots),
    for one row, from the query's non-zero link weights alone (``links``: their indices into ``history``'s
    orientations, ``weights`` their values). For ``footprint.may_change``; equal to the tables (brute
    force in ``tests/test_footprint.py``)."""
    coef, _ = _weights(ranker)
    if shares is None:
        shares = country_shares(history, a, q.country, q.exclude_rows)
    out = 0.0
    ends = history.endpoints
    e = int(np.searchsorted(ends, row))
    is_end = e < len(ends) and ends[e] == row
    pos = history.dst_pos[links]
    if is_end and coef.get("direct"):
        out += coef["direct"] * np.log1p(weights[pos == e].sum())
    if coef.get("near") and len(links):
        w_end = np.bincount(pos, weights=weights)
        nz = np.flatnonzero(w_end)
        near = (float(history.kernel[nz][:, [row]].toarray().ravel() @ w_end[nz])
                if len(nz) and row < history.kernel.shape[1] else 0.0)
        if near:
            out += coef["near"] * np.log1p(near)
    if is_end and coef.get("degree"):
        degree = float(history.degree[row])
        if len(q.exclude_rows):
            touching = np.isin(history.src, np.asarray(q.exclude_rows))
            degree -= float(np.count_nonzero(history.dst_pos[touching] == e))
        out += coef["degree"] * float(np.log1p(np.float32(max(degree, 0.0))))  # float32, as the tables
    if coef.get("near_global") and q.country >= 0:
        near_g = float(shares.near_of(np.array([row]))[0])
        if near_g:
            out += coef["near_global"] * np.log1p(near_g)
    n_a1 = n_slots - 1
    a1 = int(a.admin1[row])
    if 0 <= a1 < n_a1:
        if coef.get("admin1"):
            out += coef["admin1"] * np.log1p(weights[a.admin1[history.dst[links]] == a1].sum())
        if coef.get("admin1_global"):
            share = float(shares.admin1[a1]) if q.country >= 0 and a1 < len(shares.admin1) else 0.0
            out += coef["admin1_global"] * np.log10(share + SHARE_FLOORS["admin1_global"])
    elif coef.get("admin1_global"):
        out += coef["admin1_global"] * np.log10(SHARE_FLOORS["admin1_global"])
    return float(out)


def stage_tables(ranker: PairRanker, q: Query, a: CatalogueArrays, history: HistoryIndex, *,
                 priority: np.ndarray, level_compat: np.ndarray, shares: Shares | None) -> StageTables:
    """The per-query tables of the structural first stage."""
    coef, _ = _weights(ranker)
    n_countries = len(a.country_codes)

    # --- history: where the links of authorities near the query go (matcher.ranking.history) ----------------
    w = link_weights(q, a, history)
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

    # --- structure (matcher.ranking.features.structural_features; stated preferences are added by ``with_text``) --
    q_cont = a.country_continent[q.country] if q.country >= 0 else -2
    country_term += (coef.get("same_continent", 0.0) * (a.country_continent == q_cont)
                     + coef.get("priority_zone", 0.0) * (priority & q.is_french)
                     + coef.get("francophone", 0.0) * a.country_francophone)
    level_term = coef.get("level_compat", 0.0) * np.asarray(level_compat[q.level], dtype=float)
    return StageTables(row_term=row_term, country_term=country_term, a1_term=a1_term, level_term=level_term,
                       link_w=w)


def admin1_slots(a: CatalogueArrays, cand: np.ndarray, n_slots: int) -> np.ndarray:
    """The index of each of ``cand`` into a ``StageTables.a1_term`` of ``n_slots`` ("no region" last). A
    region created after the tables were made gets "no region" too: its terms are those of an unseen region."""
    n_a1 = max(len(a.admin1_keys), 1)
    slot = once(a, "_admin1_slot", lambda: np.where(a.admin1 >= 0, a.admin1, n_a1))  # "no region" last
    out = slot[cand]
    return out if n_slots == n_a1 + 1 else np.minimum(out, n_slots - 1)


def gather(ranker: PairRanker, tables: StageTables, q: Query, a: CatalogueArrays, cand: np.ndarray) -> np.ndarray:
    """The structural first stage of ``cand`` from the query's tables (its intercept included)."""
    s = tables.row_term[cand] if len(tables.row_term) >= a.n else _row_term_of(tables.row_term, cand)
    s += tables.country_term[a.country[cand]]
    s += tables.a1_term[admin1_slots(a, cand, len(tables.a1_term))]
    s += tables.level_term[a.level[cand]]
    return s + pair_terms(ranker, q, a, cand)


def pair_terms(ranker: PairRanker, q: Query, a: CatalogueArrays, cand: np.ndarray) -> np.ndarray:
    """The structural first stage's terms computed per candidate (language, distance, size), intercept
    included: what ``gather`` adds to the tables' entries."""
    coef, fill = _weights(ranker)
    s = np.full(len(cand), float(ranker.prefilter_intercept_))
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


def _row_term_of(row_term: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """``row_term`` at ``cand`` where some rows were appended since the tables were made (zero there)."""
    out = np.zeros(len(cand))
    inside = cand < len(row_term)
    out[inside] = row_term[cand[inside]]
    return out


def structural_first_stage(ranker: PairRanker, q: Query, a: CatalogueArrays, history: HistoryIndex,
                           cand: np.ndarray, *, priority: np.ndarray, level_compat: np.ndarray,
                           shares: Shares | None) -> np.ndarray:
    """The structural part of ``prefilter_columns`` (its intercept included) for ``cand``."""
    tables = stage_tables(ranker, q, a, history, priority=priority, level_compat=level_compat, shares=shares)
    return gather(ranker, tables, q, a, cand)


def with_text(ranker: PairRanker, structural: np.ndarray, text_cols: Mapping[str, np.ndarray]) -> np.ndarray:
    """The first stage from its structural part (stated preferences apart): each row's model on top — the
    text model where both sides wrote, the one-sided model where only the query did — and the preference
    prior (``text_cols``: ``features.text_features`` over the same rows: the text columns, both gates and
    ``preferred``)."""
    names = list(ranker.feature_names)

    def weighted(coef: np.ndarray) -> np.ndarray:
        out = np.zeros(len(structural))
        for j in np.flatnonzero(coef):
            out += coef[j] * np.asarray(text_cols[names[j]])
        return out

    return ranker.mix_models(np.asarray(structural, dtype=np.float64), text_cols, weighted)


def first_stage(ranker: PairRanker, q: Query, a: CatalogueArrays, history: HistoryIndex, cand: np.ndarray,
                text_cols: Mapping[str, np.ndarray], *, priority: np.ndarray, level_compat: np.ndarray,
                shares: Shares | None) -> np.ndarray:
    """``prefilter_columns`` over ``cand``: the structural first stage, and for a query that wrote
    something the text model on top (``text_cols``: ``features.text_features`` over the same rows)."""
    s = structural_first_stage(ranker, q, a, history, cand, priority=priority, level_compat=level_compat,
                               shares=shares)
    return with_text(ranker, s, text_cols)
