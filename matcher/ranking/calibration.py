"""The ranker's calibration: per model and query side, a Platt map from a logit to the log odds that the pair
is a real partnership (``PairRanker.fit_calibration`` learns the maps, ``PairRanker.calibrated_logit`` applies
them). Also the three models a pair can be scored by (``modes_of``, ``PairRanker.modes``) and the calibration
groups.

Pure: arrays in, a dict of maps out (the dict the ranker keeps as ``calibration_``).
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

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
