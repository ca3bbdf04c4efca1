"""Offline evaluation: grouped K-fold over French authorities with known foreign partners.

For each fold, the test queries' links are removed from the history the features read and from the
ranker's training data; each test query then ranks every eligible foreign candidate (all foreign
authorities, own country excluded) and we look where its real partners land. Baselines rank the
same candidates: random, nearest, popularity (known-partner count), and the neighbour prior
(how often authorities near the query partnered with the candidate).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.model_selection import GroupKFold
from tqdm import tqdm

from matcher.domain import LEVELS, Filters
from matcher.learning.metrics import Metrics, Placement, placement
from matcher.learning.training import partners_abroad, query_rows, size_pools, training_set
from matcher.ranking.features import FEATURE_INDEX
from matcher.ranking.listing import ranking_scores
from matcher.ranking.ranker import PairRanker
from matcher.ranking.size_fit import REPORT_BANDS
from matcher.ranking.state import MatchState, eligible_rows, query_from_row

METHODS = ("ranker", "random", "nearest", "popularity", "neighbour_prior")


def twins_metrics() -> Metrics:
    """What the twins evaluation reports per method: HR@10, HR@50, MRR, NDCG@10 (``matcher.learning.metrics``)."""
    return Metrics(hits=(10, 50), ndcgs=(10,))


#: Query-size bands (inhabitants) of the size check: upper bounds, exclusive; the size calibration's report
#: uses the same ones.
SIZE_BANDS = REPORT_BANDS


@dataclass
class SizeBands:
    """Per query-size band: how many of the ranker's top 10 (and of the real partners) are more than 10x
    the query's population, among those whose population is known."""

    top_over: dict[str, int] = field(default_factory=lambda: {b: 0 for b, _ in SIZE_BANDS})
    top_known: dict[str, int] = field(default_factory=lambda: {b: 0 for b, _ in SIZE_BANDS})
    real_over: dict[str, int] = field(default_factory=lambda: {b: 0 for b, _ in SIZE_BANDS})
    real_known: dict[str, int] = field(default_factory=lambda: {b: 0 for b, _ in SIZE_BANDS})
    queries: dict[str, int] = field(default_factory=lambda: {b: 0 for b, _ in SIZE_BANDS})

    def add(self, q_pop: int, top_pops: np.ndarray, real_pops: np.ndarray) -> None:
        if q_pop <= 0:
            return
        band = next(b for b, hi in SIZE_BANDS if q_pop < hi)
        self.queries[band] += 1
        for pops, over, known in ((top_pops, self.top_over, self.top_known),
                                  (real_pops, self.real_over, self.real_known)):
            pops = pops[pops > 0]
            known[band] += len(pops)
            over[band] += int((pops > 10 * q_pop).sum())

    def as_dict(self) -> dict[str, dict[str, float]]:
        out = {}
        for b, _ in SIZE_BANDS:
            top = self.top_over[b] / self.top_known[b] if self.top_known[b] else float("nan")
            real = self.real_over[b] / self.real_known[b] if self.real_known[b] else float("nan")
            out[b] = {"queries": self.queries[b], "top10_over_10x": top, "partners_over_10x": real,
                      "ratio": top / real if real else float("nan")}
        return out


#: Every level, asked for explicitly: the candidates a query would have without the level gate.
ALL_LEVELS = tuple(lv.value for lv in LEVELS)
#: The candidate set of the catalogue before foreign units and small towns (issue F): towns of 5,000+.
OLD_CANDIDATES = Filters(include_existing=True, levels=("town",), min_population=5000)


def evaluate_query(state: MatchState, row: int, relevant_rows: np.ndarray, methods: Sequence[str] = METHODS,
                   sizes: SizeBands | None = None, candidates: Filters | None = None) -> dict[str, Placement]:
    """Where the query's real partners land among its candidates, per method (``candidates``: the filters that
    make the candidate set; default: what the engine offers). A real partner the level gate leaves out is a
    miss (rank infinity), so that the gate is judged on what it hides; one outside an explicit filter is not
    a candidate and does not count. Ties: ``matcher.learning.metrics`` (the random baseline scores every
    candidate the same: its metrics are exactly those of a random order)."""
    a = state.arrays
    q = query_from_row(a, row, exclude_rows=(row,))
    filters = candidates or Filters(include_existing=True)
    cand = eligible_rows(state, q, None, filters)
    reachable = cand if filters.levels or filters.kinds else eligible_rows(
        state, q, None, replace(filters, levels=ALL_LEVELS))
    rel = np.flatnonzero(np.isin(cand, relevant_rows))
    hidden = int(np.isin(reachable, relevant_rows).sum()) - len(rel)
    out: dict[str, Placement] = {}
    if len(rel) + hidden == 0:
        return out
    if len(cand) == 0:  # the gate left nothing: every real partner is a miss
        return {m: Placement(missed=hidden) for m in methods}
    # One feature pass (the kernel's) serves the ranker (first stage + shortlist) and every baseline.
    assert state.ranker is not None
    full, X = ranking_scores(state, q, cand, listed_head=True)
    f = FEATURE_INDEX
    baselines: dict[str, Callable[[], np.ndarray]] = {
        "random": lambda: np.zeros(len(cand)),
        "nearest": lambda: -np.nan_to_num(X[:, f["log_distance"]], nan=np.inf),
        "popularity": lambda: X[:, f["degree"]],
        "neighbour_prior": lambda: X[:, f["direct"]] + 1e-6 * X[:, f["degree"]],
    }
    for m in methods:
        if m == "ranker":
            # The engine's two stages; candidates outside the shortlist rank after it, in first-stage order.
            out[m] = placement(full, rel, missed=hidden)
            if sizes is not None:
                top = cand[np.argsort(-full, kind="stable")[:10]]
                sizes.add(int(a.population[row]), a.population[top], a.population[np.asarray(relevant_rows)])
        else:
            out[m] = placement(baselines[m](), rel, missed=hidden)
    return out


def cross_validate(state: MatchState, *, folds: int = 5, seed: int = 0, max_queries: int | None = None,
                   ranker_params: dict | None = None, progress: bool = True, calibrate_sizes: bool = True,
                   candidates: Filters | None = None) -> dict[str, dict[str, float]]:
    """Grouped K-fold; returns method -> metrics averaged over all test queries of all folds.
    ``candidates``: the filters that make each query's candidate set (``evaluate_query``)."""
    rng = np.random.default_rng(seed)
    qrows = query_rows(state)
    if max_queries is not None and len(qrows) > max_queries:
        qrows = np.sort(rng.choice(qrows, size=max_queries, replace=False))
    totals = {m: twins_metrics() for m in METHODS}
    sizes = SizeBands()
    h = state.history
    n_links = h.n_links
    for fold, (train_i, test_i) in enumerate(GroupKFold(n_splits=folds).split(qrows, groups=qrows)):
        test = qrows[test_i]
        # The test fold's links leave the history and the training data.
        touches = np.isin(h.src[:n_links], test) | np.isin(h.dst[:n_links], test)
        sub = h.subset(~touches)
        fold_state = replace(state, history=sub, _shares={})
        X, y, g = training_set(fold_state, query_rows(fold_state), seed=seed + fold, progress=progress)
        ranker = PairRanker(**(ranker_params or {})).fit(X, y, groups=g)
        fold_state = replace(fold_state, ranker=ranker)
        if calibrate_sizes:  # on the training queries only
            pools, partners = size_pools(fold_state, query_rows(fold_state), seed=seed + fold, progress=progress)
            ranker.fit_size_offsets(pools, partners)
        for row in tqdm(test, desc=f"fold {fold + 1}/{folds}", unit="query", disable=not progress):
            relevant = partners_abroad(h, state.arrays.country, int(row))
            res = evaluate_query(fold_state, int(row), relevant, sizes=sizes, candidates=candidates)
            for m, p in res.items():
                totals[m].add(p)
    out: dict[str, dict] = {m: totals[m].as_dict() for m in METHODS}
    out["size_bands"] = sizes.as_dict()
    return out


def lift(results: dict[str, dict[str, float]], metric: str = "HR@50") -> tuple[str, float] | None:
    """(best baseline, ranker's ``metric`` divided by that baseline's), or None without both."""
    base = {m: r[metric] for m, r in results.items() if m not in ("ranker", "size_bands")}
    if "ranker" not in results or not base:
        return None
    best = max(base, key=lambda m: base[m])
    return best, (results["ranker"][metric] / base[best] if base[best] > 0 else float("inf"))


def format_size_table(results: dict[str, dict]) -> str:
    bands = results.get("size_bands")
    if not bands:
        return ""
    lines = ["share more than 10x the query's population, by query-size band:",
             f"{'band':<10}{'queries':>8}{'top 10':>10}{'partners':>10}{'ratio':>8}"]
    for b, r in bands.items():
        lines.append(f"{b:<10}{int(r['queries']):>8}{r['top10_over_10x']:>10.3f}{r['partners_over_10x']:>10.3f}"
                     f"{r['ratio']:>8.2f}")
    return "\n".join(lines)


def format_table(results: dict[str, dict[str, float]]) -> str:
    lines = [f"{'method':<16}{'queries':>8}{'HR@10':>9}{'HR@50':>9}{'MRR':>9}{'NDCG@10':>9}"]
    for m, r in results.items():
        if m == "size_bands":
            continue
        lines.append(f"{m:<16}{int(r['queries']):>8}{r['HR@10']:>9.3f}{r['HR@50']:>9.3f}{r['MRR']:>9.3f}"
                     f"{r['NDCG@10']:>9.3f}")
    best = lift(results)
    if best is not None:
        lines.append(f"ranker HR@50 = {best[1]:.2f} x the best baseline's ({best[0]})")
    return "\n".join(lines)
