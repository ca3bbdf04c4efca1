"""The learned ranker: a scikit-learn estimator over pair features, P(partnership | pair).

Additive, so a score splits exactly into per-feature contributions and the reasons users read are the
ranker's own (``matcher.ranking.additive``). The known partnerships it learns from carry no free text and no
stated preferences, so it is a gated mixture of three models (``modes``, ``matcher.ranking.calibration``):

- **structural** (the query wrote nothing), learned on the known partnerships (``fit``): geography, size,
  level, link history, each learned feature through its own basis (itself, or a cubic spline);
- **text** (both sides wrote), learned on real cooperation cases (``fit_text``): ``α · structural logit +
  Σ w · text features + b``, so what both wrote can outweigh size and distance as much as the cases say;
- **one-sided** (only the query wrote), learned on the same cases with the partner silent (``fit_one_sided``).

Stated preferences are added outside every model (the ``preferred`` prior). Before ``fit_text`` the text
features carry documented prior weights. Ranking is two-stage: the linear first stage
(``matcher.ranking.linear_stage``) scores every candidate, ``decision_function`` its shortlist; the spline
basis and hard shortlist negatives were measured worse on held-out links (models/MODEL_CARD.md): options.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import SplineTransformer, StandardScaler
from sklearn.utils import Tags
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from matcher.ranking.additive import AdditiveExplanation
from matcher.ranking.calibration import ONE_SIDED, TEXT, Calibrated, modes_of
from matcher.ranking.features import (
    BINARY_FEATURES,
    CAND_GATE,
    DEFAULT_PRIOR_WEIGHTS,
    FEATURES,
    GATE_FEATURE,
    LEARNED_FEATURES,
    ONE_SIDED_LEARNED,
    PREFERENCE_FEATURES,
    TEXT_LEARNED,
)
from matcher.ranking.gated_fit import fit_beside
from matcher.ranking.linear_stage import LinearFirstStage
from matcher.ranking.size_fit import fit_pair_offsets, pair_offsets


class PairRanker(Calibrated, AdditiveExplanation, LinearFirstStage, ClassifierMixin, BaseEstimator):
    """P(partnership | pair features). ``fit(X, y)`` with X columns in ``feature_names`` order.

    It learns in ``fit`` (the structural model, its linear first stage, and with ``text_pairs`` the text
    model) and in documented partial fits, each of which needs a prior ``fit`` and learns one part on other
    data: ``fit_text`` (the text model), ``fit_one_sided`` (the one-sided model), ``fit_size_offsets`` (the
    head-of-list size offsets) and ``fit_calibration`` (the Platt maps). Nothing else writes a fitted
    attribute; ``without_text`` returns a fitted copy that scores with structure alone. Every method that
    needs a fit raises ``sklearn.exceptions.NotFittedError`` before one."""

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
        one_sided_structure: float | None = 1.0,
    ) -> None:
        self.feature_names = feature_names
        self.learned_features = learned_features
        self.prior_weights = prior_weights
        self.basis = basis
        self.n_knots = n_knots
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        #: β of the one-sided model: None = learned by ``fit_one_sided``, a number = fixed (the structural
        #: logit enters at that weight, the text terms are learned around it). 1 by default: on the cold-start
        #: folds (``benchmarks/coldstart_variants.py``, 2026-12-07) a fixed 1 put the silent partner of an
        #: unnamed case in the top 50 for 34.3 % of French queries (continent filter), a learned β 33.1 %,
        #: β learned with the structural model's best as negatives 23.7 %, structure alone 29.6 %.
        self.one_sided_structure = one_sided_structure

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # NaN is a missing value (filled with the training average)
        assert tags.classifier_tags is not None
        tags.classifier_tags.multi_class = False  # a pair is a partnership or not
        return tags

    # ---- fitting -------------------------------------------------------------------------------
    def fit(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None, *,
            text_pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
            level_case_counts: np.ndarray | None = None) -> PairRanker:
        """Learn the structural weights on ``X, y`` (known partnerships); with ``text_pairs`` = (X, y,
        groups) of text-labelled pairs (the cooperation cases), then learn the text weights on those
        (``fit_text``). ``groups`` (the query of each pair) is recorded for the model card;
        ``level_case_counts`` (the cooperation cases' level pairs, ``matcher.ranking.levels``) is kept as
        ``level_case_counts_`` for ``MatchState.build`` to read beside the live links' counts.

        NaN marks a missing value (see ``features.MISSING``): it is read as the training average, so it
        contributes nothing."""
        X, y = self._validated(X, y)
        names = self._names()
        self.learned_idx_ = np.array([names.index(f) for f in self._learned()], dtype=int)
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
        self.n_iter_ = self.model_.n_iter_
        self.prior_coef_ = self._prior_coef()
        # Baseline for contributions: the average training pair, so a contribution says how much a
        # feature lifts this candidate above a typical one.
        self.basis_mean_ = self.scaler_.transform(B).mean(axis=0)
        self.feature_mean_ = X.mean(axis=0)
        self.owner_ = self._basis_owner()
        self._fit_first_stage(X, y)
        self.level_case_counts_ = None if level_case_counts is None else np.asarray(level_case_counts)
        self.n_train_ = {"pairs": len(y), "positives": int((y == self.classes_[1]).sum()),
                         "groups": len(np.unique(groups)) if groups is not None else None}
        # Text features are measured from "nobody wrote" (0): a missing text contributes nothing.
        text_idx = [names.index(f) for f in TEXT_LEARNED + ("desc_sem",) if f in names]
        self.feature_mean_[text_idx] = 0.0
        self.fill_[text_idx] = 0.0
        self.text_fit_: dict[str, Any] = {}
        if text_pairs is not None:
            self.fit_text(*text_pairs)
        return self

    def _validated(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(X, y) checked for ``fit`` (a dense float matrix of ``feature_names`` columns, NaN allowed; a binary
        target), with ``fill_`` learned and NaN filled."""
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite="allow-nan", reset=True)
        check_classification_targets(y)
        if (kind := type_of_target(y, input_name="y")) != "binary":
            raise ValueError(f"Only binary classification is supported (a pair is a partnership or not). The type "
                             f"of the target is {kind}.")
        if not self.feature_names and self.learned_features:
            raise ValueError("without feature_names every column is learned: learned_features must be empty")
        if X.shape[1] != len(names := self._names()):
            raise ValueError(f"X has {X.shape[1]} features, but PairRanker is expecting {len(names)} features "
                             f"(feature_names) as input")
        if self.basis not in ("linear", "spline"):
            raise ValueError(f"basis must be 'linear' or 'spline', not {self.basis!r}")
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:  # one class (a binary target has at most two)
            raise ValueError(f"PairRanker needs positive and negative pairs, got 1 class: {self.classes_.tolist()}")
        with np.errstate(invalid="ignore"):
            fill = np.nanmean(np.where(np.isnan(X).all(axis=0), 0.0, X), axis=0)
        self.fill_ = np.where(np.isnan(fill), 0.0, fill)
        return self._filled(X), y

    def _names(self) -> list[str]:
        """The column names: ``feature_names``, or without a schema ``x0``, ``x1``, … (known after ``fit``)."""
        if self.feature_names:
            return list(self.feature_names)
        check_is_fitted(self, "n_features_in_")
        return [f"x{i}" for i in range(self.n_features_in_)]

    def _learned(self) -> list[str]:
        """The learned columns: ``learned_features``, or without a schema every column."""
        return list(self.learned_features) if self.feature_names else self._names()

    def _input(self, X: np.ndarray) -> np.ndarray:
        """``X`` checked for scoring: a dense 2-D float matrix of the fitted width, no infinity (NaN =
        missing, filled later). Cheaper than scikit-learn's ``validate_data``, which would double the cost
        of scoring a shortlist: this is the hot path of every request."""
        check_is_fitted(self, "model_")
        if sp.issparse(X):
            raise TypeError("PairRanker does not accept sparse input: pass a dense array")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"Expected a 2D array, got {X.ndim}D: Reshape your data so that each row is a pair")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but PairRanker is expecting {self.n_features_in_} "
                             f"features as input")
        if np.isinf(X).any():
            raise ValueError("Input X contains infinity")
        return X

    @property
    def text_fitted_(self) -> bool:
        return bool(getattr(self, "text_fit_", None))

    def _text_idx(self) -> list[int]:
        names = self._names()
        return [names.index(f) for f in TEXT_LEARNED if f in names]

    def size_adjustment(self, X: np.ndarray) -> np.ndarray:
        """(n,) the fitted size offset of each pair (``matcher.ranking.size_fit``), from the RAW features: the
        query's log population is ``size - size_gap``; NaN (unknown) gets none. It orders the head of a
        list (``listing.head_keys``), not the whole ranking."""
        check_is_fitted(self, "model_")
        return pair_offsets(getattr(self, "size_offsets_", None), self._names(), np.asarray(X, dtype=np.float64))

    def fit_size_offsets(self, pools: Sequence[tuple[np.ndarray, np.ndarray]],
                         partners: Sequence[np.ndarray]) -> PairRanker:
        """Learn the size offsets (a partial fit, after ``fit``) on training queries: ``pools`` = per query
        (decision scores, RAW feature rows) of its best candidates before any offset; ``partners`` = per
        query the RAW rows of its real partners. See ``matcher.ranking.size_fit``."""
        check_is_fitted(self, "model_")
        self.size_offsets_, self.size_fit_ = fit_pair_offsets(self._names(), pools, partners)
        return self

    def modes(self, X: np.ndarray | Mapping[str, np.ndarray], n: int | None = None) -> np.ndarray:
        """(n,) int: the model that scores each row — ``STRUCTURAL`` (the query wrote nothing), ``ONE_SIDED``
        (the query wrote, the candidate did not) or ``TEXT`` (both wrote). ``X``: a feature matrix or the
        feature columns. Before ``fit_text`` every row is structural; before ``fit_one_sided`` a one-sided
        row is too (structure alone, never a near-constant)."""
        check_is_fitted(self, "model_")
        names = self._names()
        if isinstance(X, Mapping):
            q_col, c_col = X.get(GATE_FEATURE), X.get(CAND_GATE)
            if n is None:
                n = len(next(iter(X.values())))
        else:
            n = len(X)
            q_col = X[:, names.index(GATE_FEATURE)] if GATE_FEATURE in names else None
            c_col = X[:, names.index(CAND_GATE)] if CAND_GATE in names else None
        return modes_of(q_col, c_col, n, text=self.text_fitted_, one_sided=self.one_sided_fitted_)

    @property
    def one_sided_fitted_(self) -> bool:
        return bool(getattr(self, "one_sided_fit_", None))

    def _pref_idx(self) -> list[int]:
        """The columns of the stated preferences (``PREFERENCE_FEATURES``) in this schema."""
        names = self._names()
        return [names.index(f) for f in PREFERENCE_FEATURES if f in names]

    def _structural_prior(self) -> np.ndarray:
        """Prior weights in the structural logit: without ``preferred`` (added outside every model, so no
        weight scales a stated preference away) and without the text ones once the text model is fitted."""
        return self._structural_only(self.prior_coef_)

    def _structural_only(self, coef: np.ndarray) -> np.ndarray:
        """A copy of ``coef`` (per feature) with ``preferred`` at 0 and, once the text model is fitted, the
        text features at 0: the weights of the structural logit (prior) and of the first stage (prefilter)."""
        coef = coef.copy()
        if self.text_fitted_:
            coef[self._text_idx()] = 0.0
        coef[self._pref_idx()] = 0.0
        return coef

    def _pref_weight(self) -> np.ndarray:
        """(n_features,) the stated-preference prior alone (zero elsewhere)."""
        w = np.zeros(self.n_features_in_)
        idx = self._pref_idx()
        w[idx] = self.prior_coef_[idx]
        return w

    def preference_prior(self, X: np.ndarray) -> np.ndarray:
        """(n,) the part of each pair's logit the stated preferences add (ticked, or said by the query's text).
        The calibration is learned without it: a preference fires where the user asked, not where real
        partners are, so on held-out lists it would only teach the maps to shrink every logit."""
        w = self._pref_weight()
        return np.nan_to_num(np.asarray(X, dtype=np.float64)) @ w if w.any() else np.zeros(len(X))

    def structural_logit(self, X: np.ndarray) -> np.ndarray:
        """What the known partnerships alone say of each pair (X already filled), stated preferences apart.

        ``_z(X) @ coef + intercept`` with the standardisation folded into the weights, so the basis is never
        stacked nor standardised as a matrix: an event scores 100,000 pairs at a time, and those copies
        (hundreds of MB) were a tenth of its time. ``_z`` stays what ``contributions`` reads."""
        check_is_fitted(self, "model_")
        w = self.model_.coef_.ravel() / self.scaler_.scale_
        n_spline = self.spline_.n_features_out_ if len(self.spline_cols_) else 0
        direct = self._structural_prior().copy()  # the columns that enter as themselves: one mat-vec
        np.add.at(direct, self.binary_cols_, w[n_spline:])
        out = X @ direct + (self.model_.intercept_[0] - float(self.scaler_.mean_ @ w))
        if n_spline:
            out += self.spline_.transform(X[:, self.spline_cols_]) @ w[:n_spline]
        return out

    def mix_models(self, s: np.ndarray, X: np.ndarray | Mapping[str, np.ndarray],
                   weighted: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Each row's model from its structural logit ``s`` (preferences apart): α·s + text weights for
        TEXT rows, β·s + one-sided weights for ONE_SIDED rows; then the preference prior on every row.
        ``weighted(coef)``: the rows' dot product with a weight vector."""
        modes = self.modes(X, len(s))
        out = s.copy()
        if (modes == TEXT).any():
            t = modes == TEXT
            out[t] = (self.structure_weight_ * s + weighted(self.text_coef_) + self.text_intercept_)[t]
        if (modes == ONE_SIDED).any():
            o = modes == ONE_SIDED
            out[o] = (self.one_sided_structure_ * s + weighted(self.one_sided_coef_) + self.one_sided_intercept_)[o]
        pref = self._pref_weight()
        if pref.any() and (not isinstance(X, Mapping) or all(f in X for f in PREFERENCE_FEATURES)):
            out = out + weighted(pref)
        return out

    def fit_text(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None) -> PairRanker:
        """Learn the text model on text-labelled pairs (every row a query that wrote): one logistic
        regression on the text features plus the structural logit, whose coefficient α (≥ 0) says how
        much structure still counts once texts are there. A partial fit: it needs a prior ``fit``."""
        check_is_fitted(self, "model_")
        self.text_fit_ = {}
        X = self._filled(np.asarray(X, dtype=np.float64))
        y = np.asarray(y)
        names = self._names()
        idx = self._text_idx()
        w, alpha, b = fit_beside(X[:, idx], self.structural_logit(X), y == self.classes_[1], C=self.C,
                                 max_iter=self.max_iter)
        self.text_coef_ = np.zeros(len(names))
        self.text_coef_[idx] = w
        self.text_intercept_ = b
        self.structure_weight_ = alpha
        self.text_fit_ = self._fit_summary(y, groups, alpha, self.text_intercept_, self.text_coef_, idx)
        return self

    def fit_one_sided(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None) -> PairRanker:
        """Learn the one-sided model (a partial fit, after ``fit_text``) on pairs whose query wrote and whose
        candidate did not — the catalogue as a town hall meets it: one logistic regression on the
        structural logit and ``ONE_SIDED_LEARNED`` (the theme → geography prior, names the query's text
        mentions). β (≥ 0, the coefficient of the structural logit) says how much structure still counts:
        ``one_sided_structure``, or learned when that is None."""
        check_is_fitted(self, "model_")
        X = self._filled(np.asarray(X, dtype=np.float64))
        y = np.asarray(y)
        names = self._names()
        idx = [names.index(f) for f in ONE_SIDED_LEARNED if f in names]
        w, beta, b = fit_beside(X[:, idx], self.structural_logit(X), y == self.classes_[1], C=self.C,
                                max_iter=self.max_iter, structure=self.one_sided_structure)
        self.one_sided_coef_ = np.zeros(len(names))
        self.one_sided_coef_[idx] = w
        self.one_sided_intercept_ = float(b)
        self.one_sided_structure_ = beta
        self.one_sided_fit_ = self._fit_summary(y, groups, beta, self.one_sided_intercept_, self.one_sided_coef_,
                                                idx)
        return self

    def _fit_summary(self, y: np.ndarray, groups: np.ndarray | None, structure: float, intercept: float,
                     coef: np.ndarray, idx: list[int]) -> dict[str, Any]:
        """What a partial fit learned, for the model card: its pairs, weights and structure weight."""
        names = self._names()
        return {"pairs": len(y), "positives": int((y == self.classes_[1]).sum()),
                "groups": len(np.unique(groups)) if groups is not None else None,
                "structure_weight": structure, "intercept": intercept,
                "weights": {names[i]: float(coef[i]) for i in idx}}

    def without_text(self) -> PairRanker:
        """A fitted copy that scores with structure alone: the text features' prior weights 0 in both stages,
        and no text model, one-sided model or calibration (the baseline of the thematic evaluation, and the
        start of a text model learned afresh). This ranker is untouched."""
        check_is_fitted(self, "model_")
        r = copy.deepcopy(self)
        idx = self._text_idx()
        r.prior_coef_[idx] = 0.0
        r.prefilter_coef_[idx] = 0.0
        r.text_fit_ = {}
        r.one_sided_fit_ = {}
        r.calibration_ = {}
        r.display_ = {}
        return r

    def _filled(self, X: np.ndarray) -> np.ndarray:
        """X with NaN (missing) replaced by the training average of its column."""
        fill = getattr(self, "fill_", None)
        if fill is None or not np.isnan(X).any():
            return X
        return np.where(np.isnan(X), fill, X)

    def _prior_coef(self) -> np.ndarray:
        """Fixed logit weight of every feature that is not learned (0 for learned ones)."""
        pw = DEFAULT_PRIOR_WEIGHTS if self.prior_weights is None else dict(self.prior_weights)
        learned = set(self._learned())
        return np.array([0.0 if f in learned else pw.get(f, 0.0) for f in self._names()])

    # ---- scoring -------------------------------------------------------------------------------
    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The logit of each pair (rows in ``feature_names`` order, NaN = missing) in the model that scores
        it (``modes``). Plain numpy, not scikit-learn's transform/decision_function (see ``_input``)."""
        X = self._filled(self._input(X))
        return self.mix_models(self.structural_logit(X), X, lambda coef: X @ coef)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(partnership) of each pair: the calibrated probability where ``fit_calibration`` has run for
        the pair's model, else the logistic of the logit."""
        X = self._input(X)
        p = self.calibrated(self.decision_function(X), self.modes(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The more likely class of each pair (a positive logit: a partnership)."""
        positive = self.decision_function(X) > 0  # first: it raises NotFittedError before a fit
        return self.classes_[positive.astype(int)]
