"""The one logit → probability (``matcher.ranking.score_scale.probability``): known answers, and every path
that shows a probability reads it from there (a list, an event's pair matrix, the ranker's ``predict_proba``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.rankers import three_model_ranker

from matcher.domain import Filters, Kind, Profile
from matcher.ranking.engine import recommend
from matcher.ranking.features import FEATURES
from matcher.ranking.listing import head_keys, listed
from matcher.ranking.score_scale import probability
from matcher.ranking.scoring import rank
from matcher.ranking.state import eligible_rows, query_from_row


@pytest.mark.parametrize(("logit", "p"), [
    (0.0, 0.5), (math.log(3), 0.75), (-math.log(9), 0.1), (-30.0, 9.357622968839299e-14), (800.0, 1.0),
    (-800.0, 0.0)])
def test_known_probabilities(logit: float, p: float) -> None:
    assert float(probability(logit)) == pytest.approx(p, rel=1e-12, abs=0)


def test_nan_stays_missing_and_the_type_is_kept() -> None:
    out = probability(np.array([[np.nan, 2.0], [-2.0, np.nan]]), dtype=np.float32)
    assert out.dtype == np.float32 and np.isnan(out[0, 0]) and np.isnan(out[1, 1])
    assert out[0, 1] + out[1, 0] == pytest.approx(1.0)  # symmetric: p(-z) = 1 - p(z)
    assert np.all(np.diff(probability(np.linspace(-40, 40, 801))) >= 0)


def test_the_ranker_predicts_the_probability_of_its_calibrated_logit() -> None:
    r = three_model_ranker()
    X = np.abs(np.random.default_rng(1).normal(size=(30, len(FEATURES))))
    assert np.array_equal(r.predict_proba(X)[:, 1], probability(r.calibrated_logit(r.decision_function(X), r.modes(X))))


def test_a_list_shows_the_probability_of_its_order_and_a_match_rounds_it(state, encoder) -> None:
    q = query_from_row(state.arrays, 0)
    scored = rank(state, q, eligible_rows(state, q, None, Filters()))
    shown = listed(state, scored, 10)
    assert np.array_equal(shown.scores, probability(head_keys(state, scored)[shown.positions]))
    assert np.all(np.diff(shown.scores) <= 0)
    profile = Profile(id="q", name="Query", kind=Kind.COMMUNE, country="FR", lat=48.0, lon=2.0)
    matches = recommend(profile, state=state, encoder=encoder, k=5)
    assert matches and all(m.score == round(m.score, 4) and 0 < m.score < 1 for m in matches)
