"""The ranker's estimator contract, exact contributions, and save/load version checks."""

from __future__ import annotations

import joblib
import numpy as np
import pytest
from conftest import synthetic_ranker
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matcher.errors import ModelError
from matcher.features import FEATURES, TEXT_FEATURES
from matcher.ranker import PairRanker, load_ranker, save_ranker


def test_unfitted_ranker_refuses_to_score():
    with pytest.raises(NotFittedError):
        PairRanker().decision_function(np.zeros((1, len(FEATURES))))


def test_estimator_contract():
    r = PairRanker(C=0.5, basis="spline")
    assert r.get_params()["C"] == 0.5
    c = clone(r)
    assert c.get_params() == r.get_params() and not hasattr(c, "model_")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, len(FEATURES)))
    X[:, : len(TEXT_FEATURES)] = 0.0  # text features: absent from link data (their weights are fixed priors)
    y = (X[:, FEATURES.index("direct")] + 0.3 * rng.normal(size=300) > 0).astype(int)
    assert r.fit(X, y) is r
    assert r.n_features_in_ == len(FEATURES)
    assert all(hasattr(r, a) for a in ("model_", "scaler_", "prior_coef_", "prefilter_coef_"))
    proba = r.predict_proba(X)
    assert proba.shape == (300, 2) and np.allclose(proba.sum(axis=1), 1)
    assert (r.predict(X) == y).mean() > 0.8


@pytest.mark.parametrize("basis", ["linear", "spline"])
def test_contributions_sum_to_the_score(basis):
    rng = np.random.default_rng(1)
    X = np.abs(rng.normal(size=(400, len(FEATURES))))
    y = (X[:, FEATURES.index("near")] > 0.8).astype(int)
    r = PairRanker(basis=basis).fit(X, y)
    c = r.contributions(X[:20])
    assert np.allclose(c.sum(axis=1) + r.expected_value_, r.decision_function(X[:20]))


@pytest.mark.parametrize("feature, value, lift", [
    ("text_lex", 2.0, 2.0 * 0.5),  # text two standard deviations above the usual (prior until fit_text)
    ("preferred", 1.0, 3.0),  # a stated preferred country: the links carry no preferences to learn from
])
def test_priors_are_additive_in_both_stages(feature, value, lift):
    r = synthetic_ranker()
    assert feature not in r.learned_features
    x = np.zeros((1, len(FEATURES)))
    y = x.copy()
    y[0, FEATURES.index(feature)] = value
    assert r.decision_function(y)[0] - r.decision_function(x)[0] == pytest.approx(lift)
    assert r.prefilter_score(y)[0] - r.prefilter_score(x)[0] == pytest.approx(lift)
    assert r.contributions(y)[0, FEATURES.index(feature)] - r.contributions(x)[0, FEATURES.index(feature)] \
        == pytest.approx(lift)


def test_linear_first_stage_agrees_with_linear_ranker():
    r = synthetic_ranker()
    X = np.abs(np.random.default_rng(2).normal(size=(200, len(FEATURES))))
    assert np.corrcoef(r.prefilter_score(X), r.decision_function(X))[0, 1] > 0.99


def test_bad_inputs():
    with pytest.raises(ValueError):
        PairRanker().fit(np.zeros((10, len(FEATURES))), np.zeros(10))  # one class only
    with pytest.raises(ValueError):
        PairRanker(basis="forest").fit(np.zeros((10, len(FEATURES))), np.r_[np.zeros(5), np.ones(5)])


def test_save_load_round_trip_and_version_check(tmp_path):
    r = synthetic_ranker()
    path = tmp_path / "ranker.joblib"
    save_ranker(r, path, metadata={"note": "test"})
    X = np.abs(np.random.default_rng(3).normal(size=(5, len(FEATURES))))
    assert np.allclose(load_ranker(path).decision_function(X), r.decision_function(X))
    assert (tmp_path / "ranker.json").exists()
    blob = joblib.load(path)
    blob["versions"]["scikit-learn"] = "0.0.1"
    joblib.dump(blob, path)
    with pytest.raises(ModelError, match="scikit-learn 0.0.1"):
        load_ranker(path)
    path.write_bytes(b"not a pickle")
    with pytest.raises(ModelError, match="unreadable"):
        load_ranker(path)
    with pytest.raises(ModelError, match="not found"):
        load_ranker(tmp_path / "missing.joblib")


def test_first_stage_on_columns_equals_the_matrix_path_with_missing_values():
    from conftest import synthetic_ranker

    from matcher.features import FEATURES

    r = synthetic_ranker()
    rng = np.random.default_rng(5)
    X = rng.normal(size=(500, len(FEATURES)))
    X[rng.random(500) < 0.1, FEATURES.index("log_distance")] = np.nan
    X[rng.random(500) < 0.1, FEATURES.index("size")] = np.nan
    cols = {f: X[:, j] for j, f in enumerate(FEATURES)}
    assert np.allclose(r.prefilter_columns(cols), r.prefilter_score(X))
    assert not np.isnan(r.prefilter_columns(cols)).any()
