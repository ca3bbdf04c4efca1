"""``PairRanker`` as a scikit-learn estimator: scikit-learn's own estimator checks, ``NotFittedError`` before a
fit, learning only in ``fit`` and its documented partial fits (``matcher.ranking.ranker``)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks
from support.rankers import synthetic_ranker, three_model_ranker

from matcher.ranking.features import FEATURE_INDEX, FEATURES, TEXT_LEARNED
from matcher.ranking.ranker import PairRanker

#: The shipped configuration: the pair schema (``FEATURES``, its named columns, some with fixed prior weights).
SCHEMA = PairRanker()
#: No schema: any number of unnamed columns, every one learned (an additive logistic classifier). It runs
#: every check the schema instance cannot (the checks draw their own few columns).
NO_SCHEMA = PairRanker(feature_names=(), learned_features=())

_WIDTH = f"fits on its own 1-20 unnamed columns; the pair schema is {len(FEATURES)} named columns (run on NO_SCHEMA)"
#: Checks that cannot apply to the pair schema, each with why; NO_SCHEMA runs every one of them.
SCHEMA_FAILURES = {
    "check_fit_score_takes_y": _WIDTH,
    "check_estimators_overwrite_params": _WIDTH,
    "check_dont_overwrite_parameters": _WIDTH,
    "check_estimators_fit_returns_self": _WIDTH,
    "check_readonly_memmap_input": _WIDTH,
    "check_n_features_in_after_fitting": _WIDTH,
    "check_positive_only_tag_during_fit": _WIDTH,
    "check_estimators_dtypes": _WIDTH,
    "check_dtype_object": _WIDTH,
    "check_pipeline_consistency": _WIDTH,
    "check_estimators_pickle": _WIDTH,
    "check_f_contiguous_array_estimator": _WIDTH,
    "check_classifier_data_not_an_array": _WIDTH,
    "check_classifiers_one_label": "its one-class data has 2 columns: the width is refused before the labels",
    "check_classifiers_classes": _WIDTH,
    "check_classifiers_train": _WIDTH,
    "check_supervised_y_2d": _WIDTH,
    "check_class_weight_classifiers": _WIDTH,
    "check_non_transformer_estimators_n_iter": _WIDTH,
    "check_decision_proba_consistency": _WIDTH,
    "check_methods_sample_order_invariance": _WIDTH,
    "check_methods_subset_invariance": _WIDTH,
    "check_fit2d_1sample": "its one-sample data has 10 columns: the width is refused before the sample count",
    "check_fit2d_1feature": f"one column cannot be the {len(FEATURES)}-column pair schema",
    "check_dict_unchanged": _WIDTH,
    "check_fit_idempotent": _WIDTH,
    "check_fit_check_is_fitted": _WIDTH,
    "check_n_features_in": _WIDTH,
    "check_fit2d_predict1d": _WIDTH,
}


def _expected_failures(estimator: PairRanker) -> dict[str, str]:
    return SCHEMA_FAILURES if estimator.feature_names else {}


@parametrize_with_checks([SCHEMA, NO_SCHEMA], expected_failed_checks=_expected_failures)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def _X(n: int = 20, seed: int = 0) -> np.ndarray:
    return np.abs(np.random.default_rng(seed).normal(size=(n, len(FEATURES))))


#: Every method that needs a fit, called on an unfitted ranker.
UNFITTED_CALLS = {
    "decision_function": lambda r: r.decision_function(_X()),
    "predict": lambda r: r.predict(_X()),
    "predict_proba": lambda r: r.predict_proba(_X()),
    "prefilter_score": lambda r: r.prefilter_score(_X()),
    "prefilter_columns": lambda r: r.prefilter_columns({f: _X()[:, i] for i, f in enumerate(FEATURES)}),
    "first_stage_weights": lambda r: r.first_stage_weights(),
    "contributions": lambda r: r.contributions(_X()),
    "expected_values": lambda r: r.expected_values(_X()),
    "expected_value_": lambda r: r.expected_value_,
    "average_pair_": lambda r: r.average_pair_,
    "feature_weights": lambda r: r.feature_weights(),
    "modes": lambda r: r.modes(_X()),
    "structural_logit": lambda r: r.structural_logit(_X()),
    "size_adjustment": lambda r: r.size_adjustment(_X()),
    "calibrated_logit": lambda r: r.calibrated_logit(np.zeros(3), np.zeros(3, dtype=int)),
    "calibrated": lambda r: r.calibrated(np.zeros(3), np.zeros(3, dtype=int)),
    "fit_text": lambda r: r.fit_text(_X(), np.arange(20) % 2),
    "fit_one_sided": lambda r: r.fit_one_sided(_X(), np.arange(20) % 2),
    "fit_calibration": lambda r: r.fit_calibration(np.zeros(20), np.arange(20) % 2, np.zeros(20, dtype=int)),
    "fit_size_offsets": lambda r: r.fit_size_offsets([], []),
    "without_text": lambda r: r.without_text(),
}


@pytest.mark.parametrize("name", sorted(UNFITTED_CALLS))
def test_an_unfitted_ranker_raises_not_fitted_error(name):
    with pytest.raises(NotFittedError):
        UNFITTED_CALLS[name](PairRanker())


def test_a_ranker_without_a_schema_names_every_column_and_learns_all():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 1] > 0).astype(int)
    r = PairRanker(feature_names=(), learned_features=()).fit(X, y)
    assert r.feature_weights(signed=True)["x1"] > 1.0 and set(r.feature_weights()) == {"x0", "x1", "x2"}
    assert (r.predict(X) == y).mean() > 0.9
    with pytest.raises(ValueError, match="learned_features must be empty"):
        PairRanker(feature_names=(), learned_features=("x0",)).fit(X, y)


def test_the_cases_level_counts_are_learned_in_fit():
    X, y = _X(200), np.arange(200) % 2
    counts = np.arange(12).reshape(2, 6)
    assert PairRanker().fit(X, y, level_case_counts=counts).level_case_counts_.tolist() == counts.tolist()
    assert PairRanker().fit(X, y).level_case_counts_ is None


def test_without_text_is_a_structural_copy_and_leaves_the_ranker_untouched():
    r = three_model_ranker()
    r.fit_calibration(np.r_[np.zeros(20), np.ones(20)], np.r_[np.zeros(30), np.ones(10)], np.zeros(40, dtype=int))
    X = _X(50)
    X[:, FEATURE_INDEX["query_text"]] = 1.0
    X[:, FEATURE_INDEX["cand_text"]] = 1.0
    before = copy.deepcopy((r.decision_function(X), r.prior_coef_, r.prefilter_coef_, r.text_fit_, r.calibration_))
    s = r.without_text()
    after = (r.decision_function(X), r.prior_coef_, r.prefilter_coef_, r.text_fit_, r.calibration_)
    for a, b in zip(before, after):  # the original is untouched
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
    assert r.text_fitted_ and r.one_sided_fitted_ and r.calibration_
    assert not s.text_fitted_ and not s.one_sided_fitted_ and s.calibration_ == {}
    idx = [FEATURE_INDEX[f] for f in TEXT_LEARNED]
    assert not s.prior_coef_[idx].any() and not s.prefilter_coef_[idx].any()
    assert (s.modes(X) == 0).all()  # every pair scored by structure alone
    bare = X.copy()
    bare[:, idx] = 0.0
    assert np.allclose(s.decision_function(X), s.decision_function(bare))  # text moves nothing


def test_a_partial_fit_keeps_what_fit_learned():
    r = synthetic_ranker()
    coef = r.model_.coef_.copy()
    rng = np.random.default_rng(4)
    X = _X(300, seed=4)
    X[:, FEATURE_INDEX["query_text"]] = 1.0
    X[:, FEATURE_INDEX["cand_text"]] = 1.0
    r.fit_text(X, (X[:, FEATURE_INDEX["text_dense"]] + 0.3 * rng.normal(size=300) > 1).astype(int))
    assert np.array_equal(r.model_.coef_, coef) and r.text_fit_["weights"]["text_dense"] > 0.5
