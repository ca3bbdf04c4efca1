"""The thematic and cold-start evaluations as ``twinmatch evaluate --task`` runs them: from the state, the
catalogue and the cases read from their files, to the figures the CLI prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matcher.encoding import Encoder
from matcher.learning.coldstart import evaluate as coldstart_evaluate
from matcher.learning.cooperation import Case, build_case_set
from matcher.learning.inputs import Lookup, case_variant
from matcher.learning.thematic import evaluate as thematic_evaluate
from matcher.ranking.state import MatchState


@dataclass(frozen=True)
class ThematicRun:
    results: dict[str, dict[str, float]]
    text_weights_per_fold: list[dict[str, Any]]
    candidates: int  # the cases' foreign partners
    resolved: Any  # the case set's resolution counts


def thematic(base: MatchState, lookup: Lookup, cases: Sequence[Case], dev_cases: Sequence[Case],
             translated_cases: Sequence[Case], encoder: Encoder, *, translated: bool, folds: int) -> ThematicRun:
    """The thematic evaluation of ``cases`` (every file's), or with ``translated`` of ``translated_cases``
    (the development set ``dev_cases``, translated); the text model of each fold learns from both variants of
    its training pairs, as ``train`` does."""
    if translated:  # the test pairs are the translated ones (the first file's); both variants train
        cs, other = (case_variant(lookup, base, c, encoder) for c in (translated_cases, dev_cases))
    else:
        cs, other = (case_variant(lookup, base, c, encoder) for c in (cases, translated_cases))
    results, weights = thematic_evaluate(cs, k=folds, also=(other,))
    return ThematicRun(results=results, text_weights_per_fold=weights, candidates=len(cs.cases.foreign),
                       resolved=cs.cases.resolved)


def coldstart(base: MatchState, lookup: Lookup, cases: Sequence[Case], encoder: Encoder, *, folds: int,
              seed: int) -> tuple[dict[str, dict[str, float]], list[dict]]:
    """(metrics per "direction/filter/method/pairs", each fold's one-sided fit) of the cold start."""
    catalogue, resolver = lookup
    case_set = build_case_set(cases, catalogue, resolver, countries=base.arrays.country_codes)
    results, _, fits = coldstart_evaluate(base, catalogue, case_set, encoder, k=folds, seed=seed)
    return results, fits


__all__ = ["ThematicRun", "coldstart", "thematic"]
