"""Sizes that fit: top-10 lists whose partners' sizes look like real partners' sizes.

A ranker that is right about each pair can still fill a small commune's top 10 with cities: larger towns
have more partners, so each of them scores a little higher, and a top-k keeps only the highest. Measured on
the shared twinnings (grouped 5-fold): 59 % of a < 5,000-inhabitant query's top 10 were more than 10× its
size, against 39 % of its real partners; 23 % against 4 % for 5,000–20,000.

Per-list re-ranking to a target spread (Steck, "Calibrated Recommendations", RecSys 2018) was tried
first and could not fix it: ten items cannot show a 4 % share, so every list rounds up to one city. What
is fixed instead is the price of each relative size: an offset (in logits) per query-size band and
relative-size bin, fitted so that, over many training queries, the share of each bin in the top 10
equals its share among their real partners (iterative proportional fitting on the training queries'
candidate pools, a logit adjustment in the sense of Menon et al., ICLR 2021). The ranker adds the offset
to its score and to the ``size_gap`` contribution, so reasons stay exact. An unknown population gets no
offset (missing is missing).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Bin edges of log10(candidate population / query population): up to 1/10, 1/10–1/3, 1/3–3, 3–10, above 10.
RATIO_EDGES = np.array([-1.0, -np.log10(3.0), np.log10(3.0), 1.0])
N_BINS = len(RATIO_EDGES) + 1
#: Bands of log10(query population), a 1-2-5 series from 1,000 to 1,000,000 inhabitants (5,000 and 20,000,
#: the bands `twinmatch evaluate` reports, are edges).
BAND_EDGES = np.log10([1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1_000_000])
N_BANDS = len(BAND_EDGES) + 1
#: The query-size bands `twinmatch evaluate` reports (upper bounds, inhabitants): < 5,000, 5,000–20,000, more.
REPORT_BANDS = (("< 5k", 5_000), ("5k-20k", 20_000), ("> 20k", float("inf")))
TOP_K = 10
POOL = 200  # candidates per training query whose order the offsets may change
MAX_OFFSET = 6.0  # logits: an offset is a correction, never a veto


def _index_in(values: np.ndarray, edges: np.ndarray, side: str) -> np.ndarray:
    """Index of each value among ``edges`` (``np.searchsorted``); -1 where it is NaN (a population unknown)."""
    x = np.asarray(values, dtype=np.float64)
    out = np.full(x.shape, -1, dtype=np.int64)
    ok = ~np.isnan(x)
    out[ok] = np.searchsorted(edges, x[ok], side=side)  # type: ignore[call-overload]
    return out


def bins_of(log_ratio: np.ndarray) -> np.ndarray:
    """Relative-size bin of each log10 size ratio; -1 where it is NaN (a population unknown)."""
    return _index_in(log_ratio, RATIO_EDGES, "left")


def bands_of(q_log_pop: np.ndarray) -> np.ndarray:
    """Query-size band of each log10 population; -1 where unknown."""
    return _index_in(q_log_pop, BAND_EDGES, "right")


def offsets_for(table: np.ndarray, q_log_pop: np.ndarray, log_ratio: np.ndarray) -> np.ndarray:
    """(n,) the table's offset of each pair; 0 where a population is unknown."""
    b, r = bands_of(q_log_pop), bins_of(log_ratio)
    ok = (b >= 0) & (r >= 0)
    out = np.zeros(len(np.atleast_1d(log_ratio)))
    out[ok] = table[b[ok], r[ok]]
    return out


def fit_offsets(pools: Sequence[tuple[np.ndarray, float, np.ndarray]],
                partners: Sequence[tuple[float, np.ndarray]], *, iterations: int = 100, step: float = 0.5,
                k: int = TOP_K) -> tuple[np.ndarray, dict[str, float]]:
    """The offset table. ``pools``: per training query, (scores, query log pop, log ratios) of its best
    ``POOL`` candidates by the uncorrected score; ``partners``: per query, (query log pop, log ratios) of
    its real partners. Each iteration moves every offset by ``step`` × log(real share / top-k share) of
    its bin within its band."""
    real = np.zeros((N_BANDS, N_BINS))
    for q_lp, ratios in partners:
        pb, pr = bands_of(np.full(len(ratios), q_lp)), bins_of(ratios)
        ok = (pb >= 0) & (pr >= 0)
        np.add.at(real, (pb[ok], pr[ok]), 1.0)
    prepared: list[tuple[np.ndarray, int, np.ndarray]] = []
    for scores, q_lp, ratios in pools:
        band = int(bands_of(np.array([q_lp]))[0])
        if band >= 0:
            prepared.append((np.asarray(scores, dtype=np.float64), band, bins_of(ratios)))
    table = np.zeros((N_BANDS, N_BINS))

    def top_counts() -> np.ndarray:
        counts = np.zeros((N_BANDS, N_BINS))
        for scores, b, r in prepared:
            adj = scores + np.where(r >= 0, table[b, np.maximum(r, 0)], 0.0)
            top = r[np.argsort(-adj, kind="stable")[:k]]
            top = top[top >= 0]
            np.add.at(counts[b], top, 1.0)
        return counts

    start = top_counts()
    for _ in range(iterations):
        counts = top_counts()
        for b in range(N_BANDS):
            seen = (counts[b] + real[b]) > 0  # bins no list and no partner reaches keep no price
            if counts[b].sum() == 0 or real[b].sum() == 0 or seen.sum() < 2:
                continue
            share_top = (counts[b] + 0.5) / (counts[b].sum() + 0.5 * seen.sum())
            share_real = (real[b] + 0.5) / (real[b].sum() + 0.5 * seen.sum())
            table[b, seen] += step * np.log(share_real[seen] / share_top[seen])
            # Only relative prices order a list: keep the band's average listed pair where it was.
            table[b, seen] -= (table[b, seen] * counts[b, seen]).sum() / counts[b].sum()
        np.clip(table, -MAX_OFFSET, MAX_OFFSET, out=table)
    end = top_counts()
    report: dict[str, float] = {"queries": len(prepared), "partners": int(real.sum()),
              "over10_top_before": _share(start, N_BINS - 1), "over10_top_after": _share(end, N_BINS - 1),
              "over10_partners": _share(real, N_BINS - 1)}
    # The same shares by the reporting bands of `twinmatch evaluate` (< 5,000, 5,000–20,000, more).
    lower = np.concatenate([[-np.inf], BAND_EDGES])  # fine band i starts at lower[i]
    coarse = np.searchsorted(np.log10([hi for _, hi in REPORT_BANDS[:-1]]), lower + 1e-9, side="right")
    for name, c in (("lt5k", 0), ("5k_20k", 1), ("gt20k", 2)):
        rows = np.flatnonzero(coarse == c)
        report[f"over10_top_{name}"] = _share(end[rows], N_BINS - 1)
        report[f"over10_partners_{name}"] = _share(real[rows], N_BINS - 1)
    return table, report


def _share(counts: np.ndarray, b: int) -> float:
    total = counts.sum()
    return float(counts[:, b].sum() / total) if total else float("nan")


__all__ = ["BAND_EDGES", "N_BANDS", "N_BINS", "RATIO_EDGES", "bands_of", "bins_of", "fit_offsets", "offsets_for"]


def pair_offsets(table: np.ndarray | None, feature_names: Sequence[str], X: np.ndarray) -> np.ndarray:
    """(n,) the offset of each pair from its RAW feature row (``feature_names`` order): the query's log
    population is ``size - size_gap``; NaN (unknown) gets none, and so does every pair without a table."""
    names = list(feature_names)
    if table is None or not np.any(table) or "size" not in names or "size_gap" not in names:
        return np.zeros(len(X))
    gap = X[:, names.index("size_gap")]
    return offsets_for(table, X[:, names.index("size")] - gap, gap)


def fit_pair_offsets(feature_names: Sequence[str], pools: Sequence[tuple[np.ndarray, np.ndarray]],
                     partners: Sequence[np.ndarray]) -> tuple[np.ndarray, dict[str, float]]:
    """``fit_offsets`` from RAW feature rows: ``pools`` = per query (decision scores, rows) of its best
    candidates before any offset; ``partners`` = per query the rows of its real partners."""
    names = list(feature_names)
    i_size, i_gap = names.index("size"), names.index("size_gap")

    def query_log_pop(X: np.ndarray) -> float:
        v = X[:, i_size] - X[:, i_gap]
        v = v[~np.isnan(v)]
        return float(v[0]) if len(v) else float("nan")

    return fit_offsets([(sc, query_log_pop(X), X[:, i_gap]) for sc, X in pools],
                       [(query_log_pop(X), X[:, i_gap]) for X in partners])
