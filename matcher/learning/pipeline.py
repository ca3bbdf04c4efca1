"""Training the ranker end to end (``twinmatch train``): the structural model on known twinnings, its size
offsets, the text model on the cooperation cases, the one-sided model on the same cases with the partner
silent, and the calibration of each model on held-out cases — in that order, each a documented fit of
``PairRanker``. The CLI only reads files and prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from matcher.catalogue.case_pairs import case_pairs
from matcher.domain import Profile
from matcher.encoding import Encoder
from matcher.learning.coldstart import Calibration, memo_encoder, one_sided_pairs
from matcher.learning.coldstart import evaluate as coldstart_evaluate
from matcher.learning.cooperation import CaseSet
from matcher.learning.thematic import CaseState, fit_on_cases
from matcher.learning.thematic import evaluate as thematic_evaluate
from matcher.ranking.calibration import N_MODES, TEXT, calibration_group, group_name
from matcher.ranking.ranker import PairRanker
from matcher.ranking.state import MatchState


@dataclass
class Fitted:
    ranker: PairRanker
    coldstart: dict[str, dict[str, float]]
    thematic: dict[str, dict[str, dict[str, float]]]
    calibration: dict[str, Any]


def fit_cases(ranker: PairRanker, base: MatchState, catalogue: Mapping[str, Profile], cases: CaseSet,
              variants: Sequence[CaseState], encoder: Encoder, *, folds: int = 5, seed: int = 0,
              extra: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None, progress: bool = True) -> Fitted:
    """``ranker`` (structural model and size offsets fitted) with its text model (``variants``: the cases as
    profiles, monolingual first), its one-sided model (``cases`` resolved to ``catalogue``) and the
    calibration of every model on the held-out folds of both evaluations."""
    memo = memo_encoder(encoder)
    ranker = fit_on_cases(ranker, variants, extra=extra)
    pairs = case_pairs(cases, catalogue)
    # Folds need groups: with a handful of cases (a test world) the held-out evaluations and the
    # calibration are skipped, the models still learn from every case.
    k_thematic = min(folds, len(set(variants[0].cases.groups)) if variants else 0)
    k_cold = min(folds, len({p.group for p in pairs}))
    # Held-out text-model scores (the cases' thematic folds) calibrate the text model.
    calib = Calibration()
    thematic: dict[str, dict[str, dict[str, float]]] = {}
    for n, cs in enumerate(variants if k_thematic >= 2 else ()):
        cs = replace(cs, state=replace(cs.state, ranker=ranker))
        res, _, rows = thematic_evaluate(cs, k=k_thematic, also=[v for i, v in enumerate(variants) if i != n],
                                         progress=progress, calibration=True)
        thematic["monolingual" if n == 0 else "translated"] = res
        if n == 0:
            calib.add(rows[0], rows[1], np.full(len(rows[0]), int(calibration_group(TEXT, False)), dtype=np.int8))
    base = replace(base, ranker=ranker)
    coldstart: dict[str, dict[str, float]] = {}
    held, fits = Calibration(), list[dict[str, Any]]()
    if k_cold >= 2:
        coldstart, held, fits = coldstart_evaluate(base, catalogue, cases, memo, k=k_cold, seed=seed,
                                                   progress=progress)
    Xo, yo, go = one_sided_pairs(base, catalogue, pairs, list(range(len(pairs))), memo, seed=seed, progress=progress)
    if len(np.unique(yo)) == 2:
        ranker.fit_one_sided(Xo, yo, go)
    # Every model is calibrated where users meet it: the catalogue, one side written (the cold-start folds'
    # shortlists, where a writer is the real partner only as often as it is). Only if those shortlists hold
    # too few real partners scored by the text model does it fall back to the thematic folds (every
    # candidate a writer, the partner among them: the rate of a fair where everyone wrote).
    l2, y2, m2 = held.arrays()
    text_rows = m2 % N_MODES == TEXT
    if int(y2[text_rows].sum()) < 5:
        logits, labels, modes = calib.arrays()
        l2, y2, m2 = np.concatenate([logits, l2[~text_rows]]), np.concatenate([labels, y2[~text_rows]]), \
            np.concatenate([modes, m2[~text_rows]])
    ranker.fit_calibration(l2, y2, m2)
    info: dict[str, Any] = {group_name(g): c for g, c in sorted(ranker.calibration_.items())}
    info["one_sided_per_fold"] = fits
    return Fitted(ranker=ranker, coldstart=coldstart, thematic=thematic, calibration=info)


__all__ = ["Fitted", "fit_cases"]
