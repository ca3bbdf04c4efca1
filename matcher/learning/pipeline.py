"""Training the ranker end to end (``twinmatch train``): the structural model on known twinnings, its size
offsets, the text model on the cooperation cases, the one-sided model on the same cases with the partner
silent, and the calibration of each model on held-out cases — in that order, each a documented fit of
``PairRanker`` (``fit_cases``), after the training pairs are drawn from the links and the staff decisions
(``train``). The CLI only parses its options, prints and writes the artifact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from matcher.catalogue.case_pairs import case_pairs
from matcher.domain import LEVELS, Profile
from matcher.encoding import Encoder
from matcher.learning.coldstart import Calibration, memo_encoder, one_sided_pairs
from matcher.learning.coldstart import evaluate as coldstart_evaluate
from matcher.learning.cooperation import Case, CaseSet, build_case_set, case_level_counts
from matcher.learning.inputs import Lookup, case_variant
from matcher.learning.thematic import CaseState, fit_on_cases
from matcher.learning.thematic import evaluate as thematic_evaluate
from matcher.learning.training import decision_pairs, query_rows, size_pools, training_set
from matcher.ranking.calibration import N_MODES, TEXT, calibration_group, group_name
from matcher.ranking.features import FEATURE_INDEX, GATE_FEATURE
from matcher.ranking.ranker import PairRanker
from matcher.ranking.state import MatchState, level_link_counts, with_case_levels
from matcher.store.protocol import ProfileStore


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
    ranker.fit_display(*held.keys(ranker))  # the cold-start lists' keys under these maps
    info: dict[str, Any] = {group_name(g): c for g, c in sorted(ranker.calibration_.items())}
    info["one_sided_per_fold"] = fits
    return Fitted(ranker=ranker, coldstart=coldstart, thematic=thematic, calibration=info)


@dataclass
class Trained:
    """``train``'s result: the fitted ranker, the state it was trained in (its level table learned from the
    links and the cases), what it was trained on (``training``) and its held-out figures (``fitted``)."""

    ranker: PairRanker
    state: MatchState
    training: dict[str, Any]
    fitted: Fitted
    folds: int

    def evaluation(self, twins: dict[str, dict] | None = None) -> dict[str, Any]:
        """The evaluation the artifact and its model card carry; ``twins``: the grouped K-fold twins figures
        (``evaluation.cross_validate``), when they were measured."""
        out: dict[str, Any] = {"folds": self.folds, "thematic": self.fitted.thematic,
                               "coldstart": self.fitted.coldstart, "note": "all methods rank the same candidates."}
        if twins is not None:
            out["results"] = twins
        return out


def train(store: ProfileStore, state: MatchState, lookup: Lookup, cases: Sequence[Case], translated: Sequence[Case],
          encoder: Encoder, *, case_files: Sequence[str], folds: int = 5, seed: int = 0) -> Trained:
    """Fit the ranker on ``state`` (its twinnings, ``inputs.twinning_state``): the structural model on known
    twinnings and the staff decisions on profiles without text, its size offsets, then ``fit_cases`` with
    the cases (``cases``: every file's, monolingual; ``translated``: the development set's, translated) and
    the decisions on profiles with text. ``case_files``: the cases' file names, for the model card."""
    case_set = build_case_set(cases, *lookup, countries=state.arrays.country_codes)
    # Level compatibility from the links and the cases' resolved pairs, before anything is fitted: it
    # gates the candidates of training queries as it will gate those of real ones.
    case_counts = case_level_counts(case_set)
    state = with_case_levels(state, case_counts)
    queries = query_rows(state)
    X, y, g = training_set(state, queries, seed=seed)
    Xd, yd, gd = decision_pairs(store, state)
    texted = Xd[:, FEATURE_INDEX[GATE_FEATURE]] > 0.5 if len(yd) else np.zeros(0, dtype=bool)
    if (~texted).any():
        X, y, g = np.vstack([X, Xd[~texted]]), np.concatenate([y, yd[~texted]]), np.concatenate([g, gd[~texted]])
    # The cases' level counts are kept with the ranker: MatchState.build reads them beside the live links'.
    ranker = PairRanker().fit(X, y, groups=g, level_case_counts=case_counts)
    state = replace(state, ranker=ranker)
    ranker.fit_size_offsets(*size_pools(state, queries, seed=seed))
    variants = [case_variant(lookup, state, cases, encoder), case_variant(lookup, state, translated, encoder)]
    extra = (Xd[texted], yd[texted], gd[texted]) if texted.any() else None
    fitted = fit_cases(ranker, state, lookup[0], case_set, variants, encoder, folds=folds, seed=seed, extra=extra)
    ranker = fitted.ranker
    resolved = variants[0].cases
    info = {"queries": len(queries), "pairs": len(y), "positives": int(y.sum()), "n_random": 200,
            "decisions": len(yd), "decisions_with_text": int(texted.sum()), "seed": seed,
            "size_calibration": ranker.size_fit_,
            "cases": {"files": list(case_files), "pairs": len(resolved.pairs), "french": len(resolved.french),
                      "foreign": len(resolved.foreign), "resolved": resolved.resolved,
                      "variants": ["monolingual", "translated"]},
            "text_model": ranker.text_fit_, "one_sided_model": ranker.one_sided_fit_,
            "calibration": fitted.calibration,
            "level_pairs": {"levels": [lv.value for lv in LEVELS], "sides": ["french query", "foreign query"],
                            "links": level_link_counts(state).tolist(), "cases": case_counts.tolist(),
                            "table": state.level_compat.round(3).tolist(), "gate": state.level_gate.tolist()}}
    return Trained(ranker=ranker, state=state, training=info, fitted=fitted, folds=folds)


__all__ = ["Fitted", "Trained", "fit_cases", "train"]
