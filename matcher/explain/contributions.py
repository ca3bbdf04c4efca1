"""Contributions -> reasons: the ranker's per-feature contributions as data and as French/English text.

Only features that lift the candidate (positive contribution) become reasons, largest first, so a
reason never claims something the score did not use. The sentences live in ``matcher.explain.reasons`` (one
module per group of features); this module assembles their tables and picks the reasons.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from matcher.domain import Reason
from matcher.explain.reasons import history_sentences, place_sentences, preference_sentences, text_sentences
from matcher.explain.reasons.claims import fact_name, facts
from matcher.explain.reasons.context import (
    AUDIENCES,
    COMPARABLE_FACTOR,
    MENTIONS,
    TEXT_DIRECTIONS,
    ReasonContext,
    Sentence,
)
from matcher.explain.reasons.text_sentences import TEXT_REASONS, with_text_details
from matcher.ranking.features import FEATURE_INDEX, FEATURES, GATES, LOG1P_FEATURES, SHARE_FLOORS

__all__ = [
    "AUDIENCES",
    "COMPARABLE_FACTOR",
    "LOW_SENTENCES",
    "MENTIONS",
    "SENTENCES",
    "SILENT_FEATURES",
    "TEXT_DIRECTIONS",
    "TWO_SIDED",
    "ReasonContext",
    "Sentence",
    "fact_name",
    "raw_value",
    "reasons_for",
    "theme_label_pairs",
]

#: feature code -> sentence. A sentence returns None when it has nothing true to say for the pair (a
#: missing fact, a value outside what the words claim); ``reasons_for`` then gives no reason for it.
SENTENCES: dict[str, Sentence] = {
    **text_sentences.SENTENCES, **place_sentences.SENTENCES, **history_sentences.SENTENCES,
    **preference_sentences.SENTENCES,
}
#: Features that never give a reason: indicators about the data, not properties of the pair (the
#: ranker's gates ``features.GATES``, "the query / the candidate wrote something").
SILENT_FEATURES = frozenset(GATES)
assert set(SENTENCES) >= set(FEATURES) - SILENT_FEATURES, set(FEATURES) - SILENT_FEATURES - set(SENTENCES)

#: A feature with a negative weight lifts a candidate by being *below* the average pair. The sentences
#: state presence ("already has partners in its region"), so they would then be false; these say what a
#: low value means instead.
LOW_SENTENCES: dict[str, Sentence] = dict(history_sentences.LOW_SENTENCES)
#: Sentences that state the value whichever side of the average it is on (a distance, a size, a count
#: that reads "no known partnership yet" at zero): true for low values too.
TWO_SIDED = frozenset({"log_distance", "pop_ratio", "size", "size_gap", "size_far", "degree"})
assert set(LOW_SENTENCES) <= set(SENTENCES) and TWO_SIDED <= set(SENTENCES) and not TWO_SIDED & set(LOW_SENTENCES)


def raw_value(code: str, x: np.ndarray, ctx: ReasonContext) -> float:
    """The human-scale value of a feature (undoing log1p where the ranker saw a log)."""
    v = float(x[FEATURE_INDEX[code]])
    if code == "log_distance":
        return float(ctx.distance_km or 0.0)
    if not math.isfinite(v):
        return v  # a missing value stays missing
    if code in LOG1P_FEATURES:
        return float(np.expm1(v))
    if code == "size":
        return float(round(10**v)) if v else 0.0  # the ranker saw log10(population)
    if code in SHARE_FLOORS:
        return max(float(10**v - SHARE_FLOORS[code]), 0.0)
    return v


def reasons_for(x: np.ndarray, contrib: np.ndarray, ctx: ReasonContext, *, average: np.ndarray, top: int = 4,
                min_contribution: float = 0.05) -> tuple[Reason, ...]:
    """Top positive contributions of one candidate as ``Reason``s, largest first.

    ``average``: the feature values of the average training pair (``PairRanker.average_pair_``), the
    point contributions are measured from. A value below it that lifts the score (a negative weight)
    gets its low-side sentence, or no reason when a low value has nothing true to say. A sentence
    that has nothing true to say for this pair (a missing fact) gives no reason either, and does not
    take one of the ``top`` places; nor does a sentence stating a fact a larger contribution already
    stated (``claims.fact_name``: the four size features are one fact). Each reason carries its claim
    (``Reason.facts``)."""
    order = np.argsort(-contrib, kind="stable")  # ties in FEATURES order: the region named before its country
    out: list[Reason] = []
    for i in order:
        c = float(contrib[i])
        if c < min_contribution or len(out) >= top:
            break
        code = FEATURES[i]
        if not (math.isfinite(c) and math.isfinite(float(x[i]))):
            continue  # a missing value (NaN) gives no reason
        sentence = SENTENCES.get(code)
        low = bool(x[i] < average[i] and code not in TWO_SIDED)
        if low:
            sentence = LOW_SENTENCES.get(code)
        if sentence is None:
            continue
        value = raw_value(code, x, ctx)
        text = sentence(value, ctx)
        if text is None:
            continue  # nothing true to say for this pair
        fr, en = text
        claim = facts(code, value, low, ctx)
        if any(r.text_fr == fr or r.facts[0] == claim[0] for r in out):
            continue  # two features stating the same fact (the four size features): said once
        if code in TEXT_REASONS:  # one text reason at most (one fact): it quotes the words, says the pages
            fr, en = with_text_details(code, fr, en, ctx)
        out.append(Reason(code=code, value=round(value, 4), contribution=round(c, 4), text_fr=fr, text_en=en,
                          facts=claim))
    return tuple(out)


def theme_label_pairs(codes: Mapping[str, tuple[str, str]], bits: int, theme_codes: tuple[str, ...]
                      ) -> tuple[tuple[str, str], ...]:
    return tuple(codes[t] for i, t in enumerate(theme_codes) if bits >> i & 1 and t in codes)
