"""From a logit to what people read: the one logit → probability (``probability``) and the one probability →
0–100 match score (``match_score``, with ``one_in``: what the score means, and ``reliability``: whether it holds).

Pure numpy. Every path that turns a ranker logit into a probability — a list's displayed scores, the ranker's
calibrated ``predict_proba``, an event's pair matrix, the staff suggestions' reverse direction — calls
``probability``; rounding is left to what displays it.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def probability(logit: np.ndarray | float, dtype: type[np.floating] = np.float64) -> np.ndarray:
    """The probability of each logit (the logistic function, without overflow at either tail; NaN stays
    NaN: a pair not scored), as ``dtype``. Not rounded: what displays it rounds."""
    return np.asarray(expit(np.asarray(logit, dtype=dtype)), dtype=dtype)


#: The 0–100 match score people read is the calibrated probability on a log scale: 25 points per factor of
#: ten, from 1 chance in 10,000 or less (0) to certainty (100). Real partnerships are rare among the pairs a
#: list could show (about 1 in 800 of the held-out shortlists), so a plain percentage would read 0 for nearly
#: every pair; on this scale 50 means "about 1 pair in 100 with this score was a real partnership".
SCORE_FLOOR = 1e-4
POINTS_PER_DECADE = 25.0


def match_score(p: np.ndarray | float) -> np.ndarray:
    """(n,) int 0–100 of each probability ``p`` (``probability``): non-decreasing in ``p``, so a list ordered
    by its probabilities is ordered by its match scores."""
    p = np.maximum(np.asarray(p, dtype=np.float64), SCORE_FLOOR)
    return np.clip(np.rint(POINTS_PER_DECADE * (np.log10(p) - np.log10(SCORE_FLOOR))), 0, 100).astype(int)


#: Bands of the 0–100 score for the reliability check (``reliability``): what a reader compares.
SCORE_BANDS = ((0, 25), (25, 40), (40, 50), (50, 60), (60, 75), (75, 101))


def reliability(p: np.ndarray, y: np.ndarray) -> list[dict[str, float]]:
    """Per band of the match score of held-out pairs (``p`` their displayed probabilities, ``y`` 1 for a real
    partnership): pairs, real partnerships, the mean probability the score promised and the observed rate.
    A calibrated score has the two close wherever the band holds enough partnerships."""
    p, y = np.asarray(p, dtype=np.float64), np.asarray(y, dtype=np.float64)
    points = match_score(p)
    out = []
    for lo, hi in SCORE_BANDS:
        sel = (points >= lo) & (points < hi)
        n = int(sel.sum())
        out.append({"low": lo, "high": min(hi, 100), "pairs": n, "partners": int(y[sel].sum()),
                    "predicted": float(p[sel].mean()) if n else 0.0, "observed": float(y[sel].mean()) if n else 0.0})
    return out


def score_probability(score: np.ndarray | int) -> np.ndarray:
    """(n,) the probability a match score stands for (the inverse of ``match_score``: 50 -> 0.01)."""
    return 10.0 ** ((np.asarray(score, dtype=np.float64) - 100) / POINTS_PER_DECADE)


def one_in(score: np.ndarray | int) -> np.ndarray:
    """(n,) int: about 1 pair in this many with this match score was a real partnership (the inverse of the
    score's probability, a whole number with at most two significant figures: 1, 2, …, 10, 11, …, 360, …, 10,000)."""
    n = 1.0 / score_probability(score)
    digits = np.floor(np.log10(n))
    scale = 10.0 ** np.maximum(digits - 1, 0)
    return (np.rint(n / scale) * scale).astype(int)
