"""The ranker's additive structure (a mixin of ``PairRanker``): the basis its structural model sees (a cubic
spline or the column itself per learned feature, standardised) and each feature's exact share of a pair's score
above the average training pair (``contributions``), the average pair's score (``expected_values``) and each
feature's weight for the model card (``feature_weights``). The reasons users read are these shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import SplineTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted

from matcher.ranking.calibration import ONE_SIDED, TEXT


class _Fitted(Protocol):
    """What the explanation reads of a fitted ``PairRanker``."""

    model_: LogisticRegression
    spline_: SplineTransformer
    spline_cols_: np.ndarray
    binary_cols_: np.ndarray
    scaler_: StandardScaler
    owner_: np.ndarray
    basis_mean_: np.ndarray
    feature_mean_: np.ndarray
    prior_coef_: np.ndarray
    structure_weight_: float
    text_coef_: np.ndarray
    text_intercept_: float
    one_sided_structure_: float
    one_sided_coef_: np.ndarray
    one_sided_intercept_: float

    def _names(self) -> list[str]: ...
    def _filled(self, X: np.ndarray) -> np.ndarray: ...
    def _basis(self, X: np.ndarray) -> np.ndarray: ...
    def _z(self, X: np.ndarray) -> np.ndarray: ...
    def _structural_prior(self) -> np.ndarray: ...
    def _pref_weight(self) -> np.ndarray: ...
    def _structural_expected(self) -> float: ...
    def modes(self, X: np.ndarray | Mapping[str, np.ndarray], n: int | None = None) -> np.ndarray: ...


class AdditiveExplanation:
    """The additive basis of ``PairRanker``'s structural model and its exact per-feature contributions (see
    the module)."""

    def _basis(self: _Fitted, X: np.ndarray) -> np.ndarray:
        parts = []
        if len(self.spline_cols_):
            parts.append(self.spline_.transform(X[:, self.spline_cols_]))
        if len(self.binary_cols_):
            parts.append(X[:, self.binary_cols_])
        return np.hstack(parts) if parts else np.zeros((len(X), 0))

    def _z(self: _Fitted, X: np.ndarray) -> np.ndarray:
        """The standardised basis of X (what the logistic regression sees)."""
        return (self._basis(X) - self.scaler_.mean_) / self.scaler_.scale_

    def _basis_owner(self: _Fitted) -> np.ndarray:
        """Feature index owning each basis column (splines first, then binary columns)."""
        per = self.spline_.n_features_out_ // len(self.spline_cols_) if len(self.spline_cols_) else 0
        owners = [c for c in self.spline_cols_ for _ in range(per)] + list(self.binary_cols_)
        return np.array(owners, dtype=int)

    def contributions(self: _Fitted, X: np.ndarray) -> np.ndarray:
        """(n, n_features): each feature's exact share of ``decision_function`` above the average pair.

        ``contributions(X).sum(axis=1) + expected_values(X) == decision_function(X)``. In the text model a
        structural feature's share is scaled by α; a text feature's is measured from 0 (nobody wrote)."""
        check_is_fitted(self, "model_")
        X = self._filled(np.asarray(X, dtype=np.float64))
        Z = self._z(X) - self.basis_mean_
        per_basis = Z * self.model_.coef_.ravel()
        out = np.zeros((len(X), X.shape[1]))
        np.add.at(out.T, self.owner_, per_basis.T)
        out += (X - self.feature_mean_) * self._structural_prior()
        modes = self.modes(X)
        t, o = modes == TEXT, modes == ONE_SIDED
        if t.any():
            out[t] = self.structure_weight_ * out[t] + X[t] * self.text_coef_
        if o.any():
            out[o] = self.one_sided_structure_ * out[o] + X[o] * self.one_sided_coef_
        return out + (X - self.feature_mean_) * self._pref_weight()

    def expected_values(self: _Fitted, X: np.ndarray) -> np.ndarray:
        """(n,) the score of the average pair in the model that scores each row."""
        check_is_fitted(self, "model_")
        X = self._filled(np.asarray(X, dtype=np.float64))
        base = self._structural_expected()
        ev = np.full(len(X), base)
        modes = self.modes(X)
        t, o = modes == TEXT, modes == ONE_SIDED
        if t.any():
            ev[t] = self.structure_weight_ * base + self.text_intercept_
        if o.any():
            ev[o] = self.one_sided_structure_ * base + self.one_sided_intercept_
        return ev + float(self.feature_mean_ @ self._pref_weight())

    @property
    def average_pair_(self: _Fitted) -> np.ndarray:
        """Feature values of the average training pair: the point ``contributions`` are measured from."""
        check_is_fitted(self, "model_")
        return self.feature_mean_

    def _structural_expected(self: _Fitted) -> float:
        """The structural logit of the average pair (stated preferences apart)."""
        check_is_fitted(self, "model_")
        return float(self.model_.intercept_[0] + self.basis_mean_ @ self.model_.coef_.ravel()
                     + self.feature_mean_ @ self._structural_prior())

    @property
    def expected_value_(self: _Fitted) -> float:
        """The structural model's score of the average pair."""
        return self._structural_expected() + float(self.feature_mean_ @ self._pref_weight())

    def feature_weights(self: _Fitted, *, signed: bool = False) -> dict[str, float]:
        """Each feature's weight on the standardised basis (for the model card): the sum of its basis
        coefficients' magnitudes, or with ``signed`` (meaningful for the linear basis, one column per
        feature) the coefficient itself, so a reader sees which way a feature pushes."""
        check_is_fitted(self, "model_")
        names = self._names()
        coef = self.model_.coef_.ravel() if signed else np.abs(self.model_.coef_.ravel())
        out = {names[i]: 0.0 for i in range(len(names))}
        for b, owner in enumerate(self.owner_):
            out[names[owner]] += float(coef[b])
        for i, f in enumerate(names):
            if self.prior_coef_[i]:
                out[f] = float(self.prior_coef_[i])
        return out
