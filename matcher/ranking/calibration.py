"""The ranker's calibration: per model and query side, a Platt map from a logit to the log odds that the pair
is a real partnership (``PairRanker.fit_calibration`` learns the maps, ``PairRanker.calibrated_logit`` applies
them). Also the three models a pair can be scored by (``modes_of``, ``PairRanker.modes``) and the calibration
groups.

Then one last monotone map, the **display map** (``fit_display_map``): from a list's ordering key (the
calibrated logit, plus the size offset for the first ten) to the log odds that users read. The Platt maps are
straight lines fitted where most pairs are (far down the lists); measured on the cold-start folds they
promised the top of a list 2-4 times too much ("1 in 2" where 1 in 8 was true), and the size offset of the
first ten added to it. The display map is isotonic regression on held-out lists' keys, made strictly
increasing (straight lines on the log-odds scale between the middles of its steps, flat beyond the ends), so
it keeps every list's order and what is shown is what was measured (``twinmatch evaluate --task coldstart``
prints the check: promised vs observed per score band).

Pure: arrays in, a dict of maps out (the dict the ranker keeps as ``calibration_``, the knots as ``display_``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import logit as log_odds
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from matcher.ranking.score_scale import probability

#: The model that scores a pair (``PairRanker.modes``).
STRUCTURAL, ONE_SIDED, TEXT = 0, 1, 2
N_MODES = 3
MODE_NAMES = {STRUCTURAL: "structural", ONE_SIDED: "one_sided", TEXT: "text"}
#: A group with fewer real partners than this keeps its model's map (or none).
MIN_POSITIVES = 5

#: A map: {"slope", "intercept", "pairs", "positives"} per calibration group.
CalibrationMaps = dict[int, dict[str, float]]


def modes_of(query_wrote: np.ndarray | None, cand_wrote: np.ndarray | None, n: int, *, text: bool,
             one_sided: bool) -> np.ndarray:
    """(n,) int8: the model that scores each pair from whether the query and the candidate wrote (columns, 1 =
    wrote; None = unknown): ``TEXT`` if both did, ``ONE_SIDED`` if only the query did, else ``STRUCTURAL``;
    a model not fitted (``text``, ``one_sided`` False) leaves its pairs to structure alone."""
    out = np.full(n, STRUCTURAL, dtype=np.int8)
    if query_wrote is None or not text:
        return out
    q = np.asarray(query_wrote) > 0.5
    c = np.asarray(cand_wrote) > 0.5 if cand_wrote is not None else np.ones(n, dtype=bool)
    out[q & c] = TEXT
    if one_sided:
        out[q & ~c] = ONE_SIDED
    return out


def calibration_group(modes: np.ndarray | int, foreign_query: bool) -> np.ndarray:
    """The calibration group of pairs scored by ``modes`` for a French (0) or foreign (1) query."""
    return np.asarray(modes) + N_MODES * int(foreign_query)


def group_name(g: int) -> str:
    """"text, French query", …, "text, both sides" (the per-model fallback)."""
    side = ("French query", "foreign query", "both sides")[g // N_MODES]
    return f"{MODE_NAMES[g % N_MODES]}, {side}"


def _model_key(groups: np.ndarray) -> np.ndarray:
    """The per-model fallback key of each calibration group (both sides pooled)."""
    return np.asarray(groups) % N_MODES + 2 * N_MODES


def fit_maps(logits: np.ndarray, y: np.ndarray, groups: np.ndarray, *, max_iter: int = 2000) -> CalibrationMaps:
    """Platt maps per calibration group and per model over both sides (see ``PairRanker.fit_calibration``).
    A group with fewer than ``MIN_POSITIVES`` real partners, only partners, or a map that would reverse the
    order (slope ≤ 0) gets none."""
    logits, y, groups = np.asarray(logits, dtype=np.float64), np.asarray(y), np.asarray(groups)
    maps: CalibrationMaps = {}
    for key_of in (groups, _model_key(groups)):
        for g in np.unique(key_of):
            sel = key_of == g
            positives = int(y[sel].sum())
            if positives < MIN_POSITIVES or positives == int(sel.sum()):
                continue
            lr = LogisticRegression(C=100.0, max_iter=max_iter).fit(logits[sel, None], y[sel])
            slope = float(lr.coef_.ravel()[0])
            if slope <= 0:
                continue  # a map that would reverse the order is no calibration
            maps[int(g)] = {"slope": slope, "intercept": float(lr.intercept_[0]), "pairs": int(sel.sum()),
                            "positives": positives}
    return maps


def apply_maps(maps: CalibrationMaps, logits: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """(n,) each logit through its group's map, else its model's; unchanged where neither exists."""
    logits = np.asarray(logits, dtype=np.float64)
    groups = np.asarray(groups)
    z = logits.copy()
    for g in np.unique(groups):
        c = maps.get(int(g)) or maps.get(int(_model_key(g)))
        if c is not None:
            sel = groups == g
            z[sel] = c["slope"] * logits[sel] + c["intercept"]
    return z


#: The display map's probabilities stay inside [1e-6, 1 - 1e-6] (finite log odds).
DISPLAY_EPS = 1e-6


def fit_display_map(keys: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The display map of held-out lists' ordering ``keys`` (``listing.head_keys`` under the fitted Platt
    maps) with ``y`` 1 for a real partner: knots (x: keys, y: log odds) of a strictly increasing piecewise-linear
    map through the middle of each step of the isotonic fit. Empty (identity) with fewer than
    ``MIN_POSITIVES`` partners."""
    keys, y = np.asarray(keys, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if int(y.sum()) < MIN_POSITIVES or int(y.sum()) == len(y):
        return {}
    iso = IsotonicRegression(y_min=DISPLAY_EPS, y_max=1 - DISPLAY_EPS, out_of_bounds="clip").fit(keys, y)
    x, p = np.asarray(iso.X_thresholds_), np.asarray(iso.y_thresholds_)
    starts = np.flatnonzero(np.concatenate([[True], np.diff(p) != 0]))
    ends = np.concatenate([starts[1:], [len(p)]]) - 1
    xs, ys = (x[starts] + x[ends]) / 2, log_odds(np.clip(p[starts], DISPLAY_EPS, 1 - DISPLAY_EPS))
    return {"x": xs.tolist(), "y": ys.tolist(), "pairs": len(y), "positives": int(y.sum())}


def apply_display_map(display: dict[str, Any], keys: np.ndarray | float) -> np.ndarray:
    """(n,) the log odds shown for each ordering key (``fit_display_map``); the keys themselves without a map.
    Non-decreasing in the key: a list ordered by its keys is ordered by what it shows."""
    keys = np.asarray(keys, dtype=np.float64)
    if not display or len(display["x"]) < 2:
        return keys
    out = np.interp(keys, display["x"], display["y"])
    return np.where(np.isnan(keys), np.nan, out)


class Calibrated:
    """The ranker's calibration methods (mixed into ``PairRanker``): partial fits after ``fit``."""

    max_iter: int

    def fit_calibration(self, logits: np.ndarray, y: np.ndarray, groups: np.ndarray) -> Any:
        """Learn the map from a logit to the probability that the pair is a real partnership (a partial fit,
        Platt scaling), per calibration group — ``calibration_group(mode, side)``: the model that scored the
        pair and the query's side (a French query and a foreign one meet different candidate sets) — and per
        model over both sides (the fallback of a group with too few partners). ``logits`` are held-out scores
        of ranked candidates (each query's shortlist), ``y`` 1 for the query's real partner. A group with fewer
        than 5 real partners keeps its model's map, or the plain logistic. Needs a prior ``fit``; resets the
        display map (fit it again on keys under these maps)."""
        check_is_fitted(self, "model_")
        self.calibration_ = fit_maps(logits, y, groups, max_iter=self.max_iter)
        self.display_: dict[str, Any] = {}
        return self

    def fit_display(self, keys: np.ndarray, y: np.ndarray) -> Any:
        """Learn the display map (a partial fit after ``fit_calibration``) from held-out lists' ordering keys
        under this ranker's calibration, ``y`` 1 for a real partner (``fit_display_map``)."""
        check_is_fitted(self, "model_")
        self.display_ = fit_display_map(keys, y)
        return self

    def calibrated_logit(self, logits: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """(n,) each logit on the calibrated scale (the log odds that the pair is a real partnership) of its
        calibration group, else of its model (``fit_calibration``); unchanged where neither was fitted.
        Increasing in the logit within a group."""
        check_is_fitted(self, "model_")
        return apply_maps(getattr(self, "calibration_", {}), logits, groups)

    def display_logit(self, keys: np.ndarray | float) -> np.ndarray:
        """(n,) the log odds shown for each ordering key (the display map; the key itself before it is fitted)."""
        return apply_display_map(getattr(self, "display_", {}), keys)

    def calibrated(self, logits: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """(n,) the probability shown for each logit of a pair outside a list's head: its calibration group's
        map, then the display map."""
        return probability(self.display_logit(self.calibrated_logit(logits, groups)))
