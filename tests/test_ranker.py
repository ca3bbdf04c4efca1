"""The ranker's estimator contract, exact contributions, and save/load version checks."""

from __future__ import annotations

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from support.rankers import synthetic_ranker

from matcher.errors import ModelError
from matcher.ranking.artifact import load_ranker, save_ranker
from matcher.ranking.features import FEATURES, PREFERENCE_FEATURES, TEXT_FEATURES
from matcher.ranking.ranker import PairRanker


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
    for f in PREFERENCE_FEATURES:  # and stated preferences (fixed priors too)
        X[:, FEATURES.index(f)] = 0.0
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
    ("preferred", 1.0, 8.0),  # a stated preferred country: the links carry no preferences to learn from
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
    from support.rankers import synthetic_ranker

    from matcher.ranking.features import FEATURES

    r = synthetic_ranker()
    rng = np.random.default_rng(5)
    X = rng.normal(size=(500, len(FEATURES)))
    X[rng.random(500) < 0.1, FEATURES.index("log_distance")] = np.nan
    X[rng.random(500) < 0.1, FEATURES.index("size")] = np.nan
    cols = {f: X[:, j] for j, f in enumerate(FEATURES)}
    assert np.allclose(r.prefilter_columns(cols), r.prefilter_score(X))
    assert not np.isnan(r.prefilter_columns(cols)).any()


# ---- three models by who wrote what (issue J) -----------------------------------------------------
def _three_model_ranker() -> tuple[PairRanker, None]:
    from support.rankers import three_model_ranker

    return three_model_ranker(), None


def test_who_wrote_what_picks_the_model():
    from matcher.ranking.calibration import ONE_SIDED, STRUCTURAL, TEXT
    from matcher.ranking.features import FEATURE_INDEX as F

    r, _ = _three_model_ranker()
    X = np.zeros((3, len(FEATURES)))
    X[0, F["query_text"]], X[0, F["cand_text"]] = 1, 1  # both wrote
    X[1, F["query_text"]] = 1  # the query wrote, the candidate did not
    X[2, F["cand_text"]] = 1  # only the candidate wrote: structure
    assert r.modes(X).tolist() == [TEXT, ONE_SIDED, STRUCTURAL]
    assert r.one_sided_fit_["weights"]["theme_geo"] > 0.5 and r.text_fit_["weights"]["text_dense"] > 0.5


def test_a_one_sided_pair_is_not_a_near_constant():
    """The query wrote, the candidates did not: their scores must still spread as their structure and the
    theme prior say (before: α × structure, every candidate within a few thousandths)."""
    from matcher.ranking.features import FEATURE_INDEX as F

    r, _ = _three_model_ranker()
    rng = np.random.default_rng(9)
    X = np.zeros((200, len(FEATURES)))
    X[:, F["direct"]] = np.log1p(rng.poisson(1.0, 200))
    X[:, F["log_distance"]] = np.log1p(rng.uniform(200, 8000, 200))
    X[:, F["theme_geo"]] = rng.normal(size=200)
    X[:, F["query_text"]] = 1.0
    s = r.decision_function(X)
    assert np.ptp(s) > 2.0
    assert np.corrcoef(s, X[:, F["theme_geo"]])[0, 1] > 0.3


@pytest.mark.parametrize("wrote", [(0, 0), (1, 0), (1, 1)])
def test_a_stated_preference_is_worth_the_same_in_every_model(wrote):
    from matcher.ranking.features import FEATURE_INDEX as F

    r, _ = _three_model_ranker()
    X = np.zeros((2, len(FEATURES)))
    X[:, F["query_text"]], X[:, F["cand_text"]] = wrote
    X[1, F["preferred"]] = 1.0
    s = r.decision_function(X)
    assert s[1] - s[0] == pytest.approx(r.prior_coef_[F["preferred"]])
    c = r.contributions(X)
    assert np.allclose(c.sum(axis=1) + r.expected_values(X), s)


def test_calibration_is_monotone_within_a_model_and_learned_per_model():
    from matcher.ranking.calibration import ONE_SIDED, TEXT

    r, _ = _three_model_ranker()
    rng = np.random.default_rng(2)
    z_text = rng.normal(size=2000)
    y_text = (rng.random(2000) < 1 / (1 + np.exp(-(2 * z_text - 1)))).astype(int)
    z_one = rng.normal(size=2000)
    y_one = (rng.random(2000) < 1 / (1 + np.exp(-(z_one - 4)))).astype(int)
    r.fit_calibration(np.concatenate([z_text, z_one]), np.concatenate([y_text, y_one]),
                      np.concatenate([np.full(2000, TEXT), np.full(2000, ONE_SIDED)]))
    assert r.calibration_[TEXT]["slope"] == pytest.approx(2.0, abs=0.4)
    assert r.calibration_[ONE_SIDED]["intercept"] == pytest.approx(-4.0, abs=0.8)
    grid = np.linspace(-3, 3, 50)
    for m in (TEXT, ONE_SIDED):
        p = r.calibrated(grid, np.full(50, m))
        assert (np.diff(p) > 0).all()
    # The same logit means different odds in different models: that is what makes one list comparable.
    assert r.calibrated(np.array([0.0]), np.array([TEXT]))[0] > 5 * r.calibrated(np.array([0.0]), np.array([ONE_SIDED]))[0]


def test_calibration_per_side_with_the_model_as_fallback():
    """A foreign query's text pairs get their own map when held-out lists hold partners enough; a group with
    too few falls back to its model's map over both sides."""
    from matcher.ranking.calibration import N_MODES, ONE_SIDED, TEXT, calibration_group

    r, _ = _three_model_ranker()
    rng = np.random.default_rng(4)
    n = 3000
    z = rng.normal(size=n)
    fr_text = calibration_group(np.full(n, TEXT), False)
    fo_text = calibration_group(np.full(n, TEXT), True)
    y_fr = rng.random(n) < 1 / (1 + np.exp(-(z - 1)))
    y_fo = rng.random(n) < 1 / (1 + np.exp(-(z - 6)))  # writers rarely the partner of a foreign query
    fo_one = calibration_group(np.full(40, ONE_SIDED), True)
    r.fit_calibration(np.concatenate([z, z, z[:40]]), np.concatenate([y_fr, y_fo, np.zeros(40, dtype=bool)]),
                      np.concatenate([fr_text, fo_text, fo_one]))
    assert int(fo_text[0]) in r.calibration_ and int(fr_text[0]) in r.calibration_
    assert r.calibration_[int(fo_text[0])]["intercept"] < r.calibration_[int(fr_text[0])]["intercept"] - 3
    assert TEXT + 2 * N_MODES in r.calibration_  # the text model's map over both sides
    # No partner among the foreign one-sided rows: no map of its own, and no model map either (no positives).
    assert int(fo_one[0]) not in r.calibration_
    assert r.calibrated_logit(np.array([0.5]), fo_one[:1])[0] == 0.5


@pytest.mark.parametrize("basis", ["linear", "spline"])
def test_the_structural_logit_is_the_standardised_basis_times_the_weights(basis: str) -> None:
    """The fast path folds the standardisation into the weights; brute force: the basis stacked, standardised
    and multiplied, as the logistic regression saw it."""
    from support.rankers import synthetic_ranker

    r = synthetic_ranker()
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, len(FEATURES)))
    if basis == "spline":
        r = PairRanker(basis="spline").fit(np.abs(X), (rng.random(500) < 0.3).astype(int))
    X = r._filled(np.abs(X))
    brute = r._z(X) @ r.model_.coef_.ravel() + r.model_.intercept_[0] + X @ r._structural_prior()
    np.testing.assert_allclose(r.structural_logit(X), brute, rtol=1e-10, atol=1e-10)


def test_the_preference_prior_is_the_stated_preferences_part_of_the_logit():
    """``preference_prior`` (what the calibration leaves out) is, brute force, each stated-preference column times
    its prior weight; the logit less it is the logit of the same pair with every preference column at 0."""
    r = synthetic_ranker()
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, len(FEATURES)))
    idx = [FEATURES.index(f) for f in PREFERENCE_FEATURES]
    X[:, idx] = rng.integers(0, 2, size=(50, len(idx)))
    expected = sum(X[:, i] * r.prior_coef_[i] for i in idx)
    assert np.allclose(r.preference_prior(X), expected) and np.abs(expected).max() > 0
    silent = X.copy()
    silent[:, idx] = 0.0
    assert np.allclose(r.decision_function(X) - r.preference_prior(X), r.decision_function(silent))
