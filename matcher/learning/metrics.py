"""Ranking metrics of every evaluation (twins, thematic, cold start): hit rate at k, MRR, NDCG at k, under
one tie rule.

**The tie rule: each metric is its expected value over a uniformly random order of the tied candidates.**
A query's relevant items are placed by score; where a relevant item ties with other candidates, every order
of that tie is equally likely, and the metric is averaged over all of them, exactly (closed form, no random
draw). Why this rule and not the other two:

- counting ties *for* the relevant item (optimistic) rewards a scorer for what it does not know: a constant
  score would put every real partner first;
- counting them *against* it (pessimistic) punishes a coarse scorer beyond chance: the popularity and
  neighbour-prior baselines, and the theme → geography prior, give most candidates the same score, and would
  rank every partner among them last — the product's lift over them would be flattered by the rule;
- the expectation credits a score with exactly what it separates: a tie is a fair coin, a constant score is
  the random baseline (HR@k = k / n), and two runs give the same figure (no seed noise, which a random draw
  of the order had).

The twins evaluation drew one random order of the ties (its figures are this rule's up to that draw's noise);
the thematic evaluation and the cold start's prior counted ties against the partner; the cold start's lists
counted them for it (their scores are continuous: ties are rare there).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Placement:
    """Where one query's relevant items land among its ranked candidates, ties kept.

    ``levels``: for each score shared by relevant items, best first, (candidates scored strictly higher,
    candidates at that score — relevant ones included —, relevant ones among them). ``missed``: relevant items
    that are not in the ranking at all (rank infinity: a real partner the level gate hides, or a partner
    outside a shortlist)."""

    levels: tuple[tuple[int, int, int], ...] = ()
    missed: int = 0

    @property
    def relevant(self) -> int:
        return sum(r for _, _, r in self.levels) + self.missed


def placement(scores: np.ndarray, relevant: Sequence[int] | np.ndarray, *, missed: int = 0) -> Placement:
    """The placement of the candidates at positions ``relevant`` under ``scores`` (higher first)."""
    s = np.asarray(scores, dtype=float)
    rel = np.asarray(relevant, dtype=np.int64)
    if np.isnan(s).any():
        raise ValueError("a score is NaN: a ranking needs every score")
    ordered = np.sort(s)
    levels = []
    values, counts = np.unique(s[rel], return_counts=True)
    for v, r in zip(values[::-1], counts[::-1], strict=True):
        lo, hi = np.searchsorted(ordered, v, side="left"), np.searchsorted(ordered, v, side="right")
        levels.append((int(len(s) - hi), int(hi - lo), int(r)))
    return Placement(tuple(levels), missed)


def at_rank(rank: float) -> Placement:
    """One relevant item at a known rank, no tie (``inf``: missed)."""
    return Placement(((int(rank) - 1, 1, 1),)) if np.isfinite(rank) else Placement(missed=1)


def _first_position(size: int, relevant: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions j = 1 … size - relevant + 1, P(the first relevant item of a tie is at j)): ``relevant`` of the
    ``size`` tied items, in uniformly random order (P(J > j) = C(size - j, relevant) / C(size, relevant))."""
    j = np.arange(0, size - relevant + 2, dtype=float)
    beyond = np.ones_like(j)
    for i in range(relevant):
        beyond *= np.clip((size - j - i) / (size - i), 0.0, None)
    return j[1:], beyond[:-1] - beyond[1:]


def hit_rate(p: Placement, k: int) -> float:
    """Expected indicator that the best relevant item is in the top ``k``."""
    if not p.levels:
        return 0.0
    above, size, rel = p.levels[0]
    pos, prob = _first_position(size, rel)
    return float(prob[above + pos <= k].sum())


def reciprocal_rank(p: Placement) -> float:
    """Expected 1 / rank of the best relevant item (0 when every one is missed)."""
    if not p.levels:
        return 0.0
    above, size, rel = p.levels[0]
    pos, prob = _first_position(size, rel)
    return float((prob / (above + pos)).sum())


def ndcg(p: Placement, k: int) -> float:
    """Expected NDCG at ``k`` (binary relevance): each relevant item of a tie is equally likely at each of its
    positions; the ideal list puts min(relevant, k) items first, the missed ones counted."""
    ideal = float(np.sum(1.0 / np.log2(np.arange(min(p.relevant, k)) + 2)))
    if not ideal:
        return 0.0
    dcg = 0.0
    for above, size, rel in p.levels:
        pos = np.arange(above + 1, min(above + size, k) + 1)
        dcg += rel * float(np.sum(1.0 / np.log2(pos + 1))) / size
    return dcg / ideal


@dataclass
class Metrics:
    """Sums over queries of hit rates at ``hits``, reciprocal ranks and NDCG at ``ndcgs``; ``as_dict`` gives
    their means."""

    hits: tuple[int, ...] = (10, 50)
    ndcgs: tuple[int, ...] = ()
    n: int = 0
    sums: dict[str, float] = field(default_factory=dict)

    def add(self, p: Placement) -> None:
        self.n += 1
        for name, value in self._values(p):
            self.sums[name] = self.sums.get(name, 0.0) + value

    def _values(self, p: Placement) -> Iterable[tuple[str, float]]:
        yield from ((f"HR@{k}", hit_rate(p, k)) for k in self.hits)
        yield "MRR", reciprocal_rank(p)
        yield from ((f"NDCG@{k}", ndcg(p, k)) for k in self.ndcgs)

    def as_dict(self) -> dict[str, float]:
        n = max(self.n, 1)
        names = [f"HR@{k}" for k in self.hits] + ["MRR"] + [f"NDCG@{k}" for k in self.ndcgs]
        return {"queries": self.n, **{m: self.sums.get(m, 0.0) / n for m in names}}


@dataclass
class Table:
    """``Metrics`` per key (a method, or "direction/filter/method/pairs"), in the order keys first come."""

    hits: tuple[int, ...] = (10, 50)
    ndcgs: tuple[int, ...] = ()
    by: dict[str, Metrics] = field(default_factory=dict)

    def add(self, key: str, p: Placement) -> None:
        self.by.setdefault(key, Metrics(self.hits, self.ndcgs)).add(p)

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {k: m.as_dict() for k, m in self.by.items()}


__all__ = ["Metrics", "Placement", "Table", "at_rank", "hit_rate", "ndcg", "placement", "reciprocal_rank"]
