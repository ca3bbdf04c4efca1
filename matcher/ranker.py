"""The learned ranker: a scikit-learn estimator over pair features.

An additive model: each learned feature enters through its own basis — itself (``basis="linear"``,
the default) or a cubic spline (``basis="spline"``) — then one logistic regression. Being additive,
the score splits exactly into per-feature contributions, so the reasons shown to users are the
ranker's actual contributions, not a separate heuristic.

The known partnerships it learns from carry no free text and no stated preferences, so text features
and ``preferred`` cannot be learned from them: their weights are the ``prior_weights`` hyper-parameter
(a documented prior, reported in the model card), applied additively on the same logit scale. Staff
decisions on profiles with text are the labels that will let a later version learn them.

Ranking is two-stage: ``prefilter_score`` (the linear projection of the same model, no splines) scores
every candidate; ``decision_function`` re-scores the shortlist. With the linear basis both agree; the
spline basis, and "hard" shortlist negatives for a separate second stage, were tried and measured worse
on held-out links (see models/MODEL_CARD.md), so they are options, not defaults.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import SplineTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted, check_X_y, validate_data

from matcher.errors import ModelError
from matcher.features import FEATURES, LEARNED_FEATURES

ARTIFACT_VERSION = 1

#: Prior logit weights of the PRIOR_FEATURES (see module docstring). An explicit, reciprocal answer to
#: a stated need is the strongest evidence a user can give us: a clear two-way match (USE similarity
#: ≈ 0.5 each way, vs ≈ 0.1–0.2 for unrelated texts) is worth more than a few thousand km of distance.
#: A stated preferred country or continent is worth 3 logits (×20 odds). On five real queries with no
#: partner there, the best town of the preferred country scored 0.9–3.2 logits below the tenth match;
#: with +3, 1 to 9 of the top-10 come from that country and the strongest match elsewhere keeps its
#: place (Rennes: Plymouth 2nd; Lyon: Turin 6th). A soft preference; the ``country`` filter is the hard one.
DEFAULT_PRIOR_WEIGHTS: dict[str, float] = {
    "recip_sem": 8.0, "need_sem": 2.0, "offer_sem": 2.0, "desc_sem": 1.0, "lex_recip": 2.0,
    "theme_need": 1.0, "theme_offer": 1.0, "text_missing": 0.0, "preferred": 3.0,
}
BINARY_FEATURES = frozenset({"same_continent", "preferred", "priority_zone", "shared_language", "francophone"})


class PairRanker(ClassifierMixin, BaseEstimator):
    """P(partnership | pair features). ``fit(X, y)`` with X columns in ``feature_names`` order."""

    def __init__(
        self,
        feature_names: Sequence[str] = FEATURES,
        learned_features: Sequence[str] = LEARNED_FEATURES,
        prior_weights: Mapping[str, float] | None = None,
        basis: str = "linear",
        n_knots: int = 5,
        C: float = 1.0,
        class_weight: str | None = None,
        max_iter: int = 2000,
    ) -> None:
        self.feature_names = feature_names
        self.learned_features = learned_features
        self.prior_weights = prior_weights
        self.basis = basis
        self.n_knots = n_knots
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter

    # ---- fitting -------------------------------------------------------------------------------
    def fit(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None) -> PairRanker:
        """``groups`` (the query of each pair) is recorded for the model card; pairs are i.i.d. here."""
        X, y = check_X_y(X, y, dtype=np.float64)
        validate_data(self, X, reset=True)
        names = list(self.feature_names)
        if X.shape[1] != len(names):
            raise ValueError(f"X has {X.shape[1]} columns, expected {len(names)}")
        if self.basis not in ("linear", "spline"):
            raise ValueError(f"basis must be 'linear' or 'spline', not {self.basis!r}")
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError("PairRanker needs positive and negative pairs")
        self.learned_idx_ = np.array([names.index(f) for f in self.learned_features], dtype=int)
        spline = [i for i in self.learned_idx_ if self.basis == "spline" and names[i] not in BINARY_FEATURES
                  and np.unique(X[:, i]).size > 2]
        self.spline_cols_ = np.array(spline, dtype=int)
        self.binary_cols_ = np.array([i for i in self.learned_idx_ if i not in set(spline)], dtype=int)
        self.spline_ = SplineTransformer(n_knots=self.n_knots, degree=3, knots="quantile",
                                         extrapolation="constant")
        if len(self.spline_cols_):
            self.spline_.fit(X[:, self.spline_cols_])
        B = self._basis(X)
        self.scaler_ = StandardScaler().fit(B)
        self.model_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        self.model_.fit(self.scaler_.transform(B), y)
        self.prior_coef_ = self._prior_coef()
        # Baseline for contributions: the average training pair, so a contribution says how much a
        # feature lifts this candidate above a typical one.
        self.basis_mean_ = self.scaler_.transform(B).mean(axis=0)
        self.feature_mean_ = X.mean(axis=0)
        self.owner_ = self._basis_owner()
        self.fit_first_stage(X, y)
        self.n_train_ = {"pairs": len(y), "positives": int((y == self.classes_[1]).sum()),
                         "groups": len(np.unique(groups)) if groups is not None else None}
        return self

    def fit_first_stage(self, X: np.ndarray, y: np.ndarray) -> PairRanker:
        """Fit only the linear first stage (``prefilter_*``); ``fit`` calls it on the same rows."""
        names = list(self.feature_names)
        prior_coef = self._prior_coef()
        learned = np.isin(names, list(self.learned_features))
        pre = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        scaler = StandardScaler().fit(X[:, learned])
        pre.fit(scaler.transform(X[:, learned]), y)
        coef = np.zeros(len(names))
        coef[learned] = pre.coef_.ravel() / scaler.scale_
        self.prefilter_coef_ = coef + prior_coef
        self.prefilter_intercept_ = float(pre.intercept_[0] - (pre.coef_.ravel() * scaler.mean_ / scaler.scale_).sum())
        return self

    def _prior_coef(self) -> np.ndarray:
        """Fixed logit weight of every feature that is not learned (0 for learned ones)."""
        pw = DEFAULT_PRIOR_WEIGHTS if self.prior_weights is None else dict(self.prior_weights)
        learned = set(self.learned_features)
        return np.array([0.0 if f in learned else pw.get(f, 0.0) for f in self.feature_names])

    def _basis(self, X: np.ndarray) -> np.ndarray:
        parts = []
        if len(self.spline_cols_):
            parts.append(self.spline_.transform(X[:, self.spline_cols_]))
        if len(self.binary_cols_):
            parts.append(X[:, self.binary_cols_])
        return np.hstack(parts) if parts else np.zeros((len(X), 0))

    def _z(self, X: np.ndarray) -> np.ndarray:
        """The standardised basis of X (what the logistic regression sees)."""
        return (self._basis(X) - self.scaler_.mean_) / self.scaler_.scale_

    def _basis_owner(self) -> np.ndarray:
        """Feature index owning each basis column (splines first, then binary columns)."""
        per = self.spline_.n_features_out_ // len(self.spline_cols_) if len(self.spline_cols_) else 0
        owners = [c for c in self.spline_cols_ for _ in range(per)] + list(self.binary_cols_)
        return np.array(owners, dtype=int)

    # ---- scoring -------------------------------------------------------------------------------
    def decision_function(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = np.asarray(X, dtype=np.float64)
        # Plain numpy, not sklearn's transform/decision_function: their input validation costs more
        # than the arithmetic on a few hundred rows, and this is the hot path of every request.
        learned = self._z(X) @ self.model_.coef_.ravel() + self.model_.intercept_[0]
        return learned + X @ self.prior_coef_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    def prefilter_score(self, X: np.ndarray) -> np.ndarray:
        """The cheap linear first-stage score (same ordering intent, no splines)."""
        check_is_fitted(self, "prefilter_coef_")
        return np.asarray(X, dtype=np.float64) @ self.prefilter_coef_ + self.prefilter_intercept_

    def prefilter_columns(self, cols: Mapping[str, np.ndarray]) -> np.ndarray:
        """``prefilter_score`` on feature columns (no matrix is built: the first stage runs on every
        candidate, so it adds only the columns it weighs)."""
        check_is_fitted(self, "prefilter_coef_")
        out = None
        for f, w in zip(self.feature_names, self.prefilter_coef_):
            if w:
                out = w * cols[f] if out is None else out + w * cols[f]
        n = len(next(iter(cols.values())))
        return (np.zeros(n) if out is None else out) + self.prefilter_intercept_

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """(n, n_features): each feature's exact share of ``decision_function`` above the average pair.

        ``contributions(X).sum(axis=1) + expected_value_ == decision_function(X)``.
        """
        check_is_fitted(self, "model_")
        X = np.asarray(X, dtype=np.float64)
        Z = self._z(X) - self.basis_mean_
        per_basis = Z * self.model_.coef_.ravel()
        out = np.zeros((len(X), X.shape[1]))
        np.add.at(out.T, self.owner_, per_basis.T)
        out += (X - self.feature_mean_) * self.prior_coef_
        return out

    @property
    def average_pair_(self) -> np.ndarray:
        """Feature values of the average training pair: the point ``contributions`` are measured from."""
        check_is_fitted(self, "model_")
        return self.feature_mean_

    @property
    def expected_value_(self) -> float:
        check_is_fitted(self, "model_")
        return float(self.model_.intercept_[0] + self.basis_mean_ @ self.model_.coef_.ravel()
                     + self.feature_mean_ @ self.prior_coef_)

    def feature_weights(self, *, signed: bool = False) -> dict[str, float]:
        """Each feature's weight on the standardised basis (for the model card): the sum of its basis
        coefficients' magnitudes, or with ``signed`` (meaningful for the linear basis, one column per
        feature) the coefficient itself, so a reader sees which way a feature pushes."""
        check_is_fitted(self, "model_")
        names = list(self.feature_names)
        coef = self.model_.coef_.ravel() if signed else np.abs(self.model_.coef_.ravel())
        out = {names[i]: 0.0 for i in range(len(names))}
        for b, owner in enumerate(self.owner_):
            out[names[owner]] += float(coef[b])
        for i, f in enumerate(names):
            if self.prior_coef_[i]:
                out[f] = float(self.prior_coef_[i])
        return out


# ---- persistence ---------------------------------------------------------------------------------
def _versions() -> dict[str, str]:
    import matcher

    return {"twinmatch": matcher.__version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "artifact": str(ARTIFACT_VERSION)}


def save_ranker(ranker: PairRanker, path: Path, metadata: Mapping[str, Any] | None = None) -> None:
    check_is_fitted(ranker, "model_")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    joblib.dump({"versions": _versions(), "features": list(ranker.feature_names), "ranker": ranker,
                 "metadata": dict(metadata or {})}, tmp)
    tmp.replace(path)
    path.with_suffix(".json").write_text(json.dumps(
        {"versions": _versions(), "features": list(ranker.feature_names), "metadata": dict(metadata or {})},
        indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load_ranker(path: Path) -> PairRanker:
    """Load a saved ranker; refuse one saved with other library versions or other features."""
    if not path.exists():
        raise ModelError(f"ranker artifact not found: {path} (run `twinmatch train`)")
    try:
        blob = joblib.load(path)
    except Exception as exc:
        raise ModelError(f"ranker artifact {path} is unreadable: {exc}") from exc
    saved = blob.get("versions", {}) if isinstance(blob, dict) else {}
    now = _versions()
    for lib in ("scikit-learn", "artifact"):
        if saved.get(lib) != now[lib]:
            raise ModelError(f"ranker artifact {path} was saved with {lib} {saved.get(lib)}, "
                             f"this install has {now[lib]}: retrain with `twinmatch train`")
    if blob.get("features") != list(FEATURES):
        raise ModelError(f"ranker artifact {path} was trained on other features: retrain")
    ranker = blob["ranker"]
    check_is_fitted(ranker, "model_")
    return ranker
