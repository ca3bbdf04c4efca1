"""The one metrics module (``matcher.learning.metrics``): known answers, and the tie rule against an
enumeration of every order of the ties."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from matcher.learning.metrics import (
    Metrics,
    Placement,
    Table,
    at_rank,
    hit_rate,
    ndcg,
    placement,
    reciprocal_rank,
)

G2, G3, G4, G5 = 1 / math.log2(2), 1 / math.log2(3), 1 / math.log2(4), 1 / math.log2(5)  # DCG gains at 1..4

# scores, relevant positions, missed, (levels), HR@1, HR@2, MRR, NDCG@10
CASES = [
    # no tie: plain ranks
    ([0.9, 0.5, 0.1], [1], 0, ((1, 1, 1),), 0.0, 1.0, 1 / 2, G3 / G2),
    ([0.9, 0.5, 0.1], [0], 0, ((0, 1, 1),), 1.0, 1.0, 1.0, 1.0),
    # the partner tied with one other candidate at the top: first or second, half and half
    ([0.5, 0.5, 0.1], [0], 0, ((0, 2, 1),), 1 / 2, 1.0, (1 + 1 / 2) / 2, (G2 + G3) / 2),
    # a constant score is the random baseline: HR@k = k / n
    ([0.0, 0.0, 0.0, 0.0], [2], 0, ((0, 4, 1),), 1 / 4, 2 / 4, (1 + 1 / 2 + 1 / 3 + 1 / 4) / 4,
     (G2 + G3 + G4 + G5) / 4),
    # two partners in a tie of three at the top: the best is first 2/3 of the time, second 1/3
    ([1.0, 1.0, 1.0, 0.0], [0, 1], 0, ((0, 3, 2),), 2 / 3, 1.0, 2 / 3 + 1 / 3 / 2,
     2 * (G2 + G3 + G4) / 3 / (G2 + G3)),
    # two partners at two levels, one behind a tie
    ([3.0, 2.0, 2.0, 1.0], [0, 3], 0, ((0, 1, 1), (3, 1, 1)), 1.0, 1.0, 1.0, (G2 + G5) / (G2 + G3)),
    ([3.0, 2.0, 2.0, 1.0], [2, 3], 0, ((1, 2, 1), (3, 1, 1)), 0.0, 1 / 2, (1 / 2 + 1 / 3) / 2,
     ((G3 + G4) / 2 + G5) / (G2 + G3)),
    # a partner the list does not hold (missed): it counts in the ideal DCG, never as a hit
    ([0.2, 0.1], [1], 1, ((1, 1, 1),), 0.0, 1.0, 1 / 2, G3 / (G2 + G3)),
    ([0.2, 0.1], [], 2, (), 0.0, 0.0, 0.0, 0.0),
]


@pytest.mark.parametrize("scores, relevant, missed, levels, hr1, hr2, mrr, ndcg10", CASES)
def test_known_answers(scores, relevant, missed, levels, hr1, hr2, mrr, ndcg10):
    p = placement(np.array(scores), relevant, missed=missed)
    assert p.levels == levels and p.missed == missed
    assert hit_rate(p, 1) == pytest.approx(hr1)
    assert hit_rate(p, 2) == pytest.approx(hr2)
    assert reciprocal_rank(p) == pytest.approx(mrr)
    assert ndcg(p, 10) == pytest.approx(ndcg10)


def _every_order(scores: np.ndarray, relevant: list[int], k: int) -> tuple[float, float, float]:
    """(HR@k, MRR, NDCG@k) averaged over every order of the candidates consistent with ``scores``: the tie
    rule by enumeration."""
    n = len(scores)
    rel = set(relevant)
    out = []
    for perm in itertools.permutations(range(n)):
        if any(scores[perm[i]] < scores[perm[i + 1]] for i in range(n - 1)):
            continue  # not a descending order
        ranks = [i + 1 for i, c in enumerate(perm) if c in rel]
        best = min(ranks)
        dcg = sum(1 / math.log2(r + 1) for r in ranks if r <= k)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(ranks), k)))
        out.append((float(best <= k), 1 / best, dcg / ideal))
    return tuple(np.mean(out, axis=0))  # type: ignore[return-value]


@pytest.mark.parametrize("seed", range(12))
def test_the_tie_rule_is_the_mean_over_every_order_of_the_ties(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 7))
    scores = rng.integers(0, 3, size=n).astype(float)  # few distinct values: many ties
    relevant = sorted(rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False).tolist())
    for k in (1, 2, 3):
        p = placement(scores, relevant)
        assert (hit_rate(p, k), reciprocal_rank(p), ndcg(p, k)) == pytest.approx(_every_order(scores, relevant, k))


def test_a_tie_is_neither_a_win_nor_a_loss():
    p = placement(np.array([0.5, 0.5, 0.5, 0.1]), [0])
    optimistic, pessimistic = at_rank(1), at_rank(3)
    assert reciprocal_rank(pessimistic) < reciprocal_rank(p) < reciprocal_rank(optimistic)
    assert hit_rate(p, 1) == pytest.approx(1 / 3)


def test_at_rank():
    assert at_rank(4) == Placement(((3, 1, 1),))
    assert at_rank(float("inf")) == Placement(missed=1)


def test_nan_scores_are_refused():
    with pytest.raises(ValueError):
        placement(np.array([0.1, np.nan]), [0])


def test_metrics_average_over_queries_in_a_fixed_order():
    m = Metrics(hits=(1, 5), ndcgs=(10,))
    m.add(at_rank(1))
    m.add(at_rank(float("inf")))
    d = m.as_dict()
    assert list(d) == ["queries", "HR@1", "HR@5", "MRR", "NDCG@10"]
    assert d == {"queries": 2, "HR@1": 0.5, "HR@5": 0.5, "MRR": 0.5, "NDCG@10": 0.5}
    assert Metrics().as_dict() == {"queries": 0, "HR@10": 0.0, "HR@50": 0.0, "MRR": 0.0}


def test_table_keeps_one_metrics_per_key():
    t = Table(hits=(1,))
    t.add("product", at_rank(1))
    t.add("prior", at_rank(2))
    t.add("product", at_rank(2))
    assert t.as_dict() == {"product": {"queries": 2, "HR@1": 0.5, "MRR": 0.75},
                           "prior": {"queries": 1, "HR@1": 0.0, "MRR": 0.5}}
