"""The ranker's linear first stage (a mixin of ``PairRanker``): the same model without splines, a weight per
feature, cheap enough to score every candidate (``prefilter_score`` on a matrix, ``prefilter_columns`` on
feature columns); the full model then re-scores its shortlist. With the linear basis both stages agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted


class _Ranker(Protocol):
    """What the first stage reads of a ``PairRanker``."""

    C: float
    class_weight: str | None
    max_iter: int
    prefilter_coef_: np.ndarray
    prefilter_intercept_: float

    @property
    def text_fitted_(self) -> bool: ...
    def _names(self) -> list[str]: ...
    def _learned(self) -> list[str]: ...
    def _text_idx(self) -> list[int]: ...
    def _pref_idx(self) -> list[int]: ...
    def _prior_coef(self) -> np.ndarray: ...
    def _filled(self, X: np.ndarray) -> np.ndarray: ...
    def _prefilter_structural(self) -> np.ndarray: ...
    def _structural_only(self, coef: np.ndarray) -> np.ndarray: ...
    def mix_models(self, s: np.ndarray, X: np.ndarray | Mapping[str, np.ndarray],
                   weighted: Callable[[np.ndarray], np.ndarray]) -> np.ndarray: ...


class LinearFirstStage:
    """The linear first stage of ``PairRanker`` (see the module); ``fit`` learns it on the same rows."""

    def _fit_first_stage(self: _Ranker, X: np.ndarray, y: np.ndarray) -> None:
        """Fit the linear first stage (``prefilter_*``), from ``fit`` on the same rows."""
        names = self._names()
        prior_coef = self._prior_coef()
        learned = np.isin(names, self._learned())
        pre = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        scaler = StandardScaler().fit(X[:, learned])
        pre.fit(scaler.transform(X[:, learned]), y)
        coef = np.zeros(len(names))
        coef[learned] = pre.coef_.ravel() / scaler.scale_
        self.prefilter_coef_ = coef + prior_coef
        self.prefilter_intercept_ = float(pre.intercept_[0] - (pre.coef_.ravel() * scaler.mean_ / scaler.scale_).sum())

    def prefilter_score(self: _Ranker, X: np.ndarray) -> np.ndarray:
        """The cheap linear first-stage score (same ordering intent, no splines)."""
        check_is_fitted(self, "prefilter_coef_")
        X = self._filled(np.asarray(X, dtype=np.float64))
        s = X @ self._prefilter_structural() + self.prefilter_intercept_
        return self.mix_models(s, X, lambda coef: X @ coef)

    def first_stage_weights(self: _Ranker) -> np.ndarray:
        """Per feature, its weight in the structural first stage (text features: 0 once the text model
        is fitted, which weighs them instead)."""
        check_is_fitted(self, "prefilter_coef_")
        return self._prefilter_structural()

    def _prefilter_structural(self: _Ranker) -> np.ndarray:
        return self._structural_only(self.prefilter_coef_)

    def prefilter_columns(self: _Ranker, cols: Mapping[str, np.ndarray]) -> np.ndarray:
        """``prefilter_score`` on feature columns (no matrix is built: the first stage runs on every
        candidate, so it adds only the columns it weighs)."""
        check_is_fitted(self, "prefilter_coef_")
        fill = getattr(self, "fill_", None)
        n = len(next(iter(cols.values())))

        tmp = np.empty(n)

        def weighted(coef: np.ndarray) -> np.ndarray:
            out = np.zeros(n)
            used = [(j, f, w) for j, (f, w) in enumerate(zip(self._names(), coef)) if w]
            for _, f, w in used:
                np.multiply(cols[f], w, out=tmp)  # no temporary per column: this runs on every candidate
                out += tmp
            if fill is not None:
                # A missing value made its row NaN: redo those few rows with the training averages (one
                # pass over the sums instead of a NaN check and a fill per column).
                bad = np.flatnonzero(np.isnan(out))
                if len(bad):
                    fixed = np.zeros(len(bad))
                    for j, f, w in used:
                        c = np.asarray(cols[f])[bad]
                        fixed += w * np.where(np.isnan(c), fill[j], c)
                    out[bad] = fixed
            return out

        s = weighted(self._prefilter_structural()) + self.prefilter_intercept_
        return self.mix_models(s, cols, weighted)
