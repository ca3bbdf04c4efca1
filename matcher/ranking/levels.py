"""Level compatibility learned from known partnerships: how much more often an authority of one level
(région, département, intercommunality, commune — or a foreign admin-1, admin-2 or town) partners with
each level than that level's share of the catalogue would give. Pure: arrays in, a table out.

``table[q, c] = log( P(partner level c | query level q) / P(level c in the catalogue) )``, with the
conditional shrunk towards the catalogue share by ``prior`` pseudo-pairs, so a level pair seen in only a
few partnerships stays near 0 (no evidence, no lift). Rows and columns follow ``domain.LEVELS``.
"""

from __future__ import annotations

import numpy as np

from matcher.domain import LEVELS, Level

N_LEVELS = len(LEVELS)
#: Pseudo-pairs that pull each row towards "no preference" (a lift of 1, log 0).
PRIOR_PAIRS = 20.0


def pair_counts(q_levels: np.ndarray, c_levels: np.ndarray) -> np.ndarray:
    """(N_LEVELS, N_LEVELS) counts of (query level, partner level) over directed pairs."""
    counts = np.zeros((N_LEVELS, N_LEVELS))
    np.add.at(counts, (np.asarray(q_levels, dtype=np.int64), np.asarray(c_levels, dtype=np.int64)), 1.0)
    return counts


def fit_level_compat(counts: np.ndarray, catalogue_levels: np.ndarray, *, prior: float = PRIOR_PAIRS
                     ) -> np.ndarray:
    """The log-lift table from directed pair counts and the levels of every catalogue row."""
    base = np.bincount(np.asarray(catalogue_levels, dtype=np.int64), minlength=N_LEVELS).astype(float)
    base = (base + 1.0) / (base.sum() + N_LEVELS)  # every level has some share, even an empty one
    cond = (counts + prior * base) / (counts.sum(axis=1, keepdims=True) + prior)
    return np.log(cond / base)


def link_levels(src: np.ndarray, dst: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both directions of undirected links given as row indices: (query levels, partner levels)."""
    src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
    return np.concatenate([levels[src], levels[dst]]), np.concatenate([levels[dst], levels[src]])


#: The two families of levels a gate chooses between: units of government above the towns, and the
#: local level (towns and the groupings of towns).
UNITS = np.array([lv in (Level.ADMIN1, Level.ADMIN2) for lv in LEVELS])
#: Below this many known pairs, a query level has no gate (no evidence, every level is a candidate).
GATE_MIN_PAIRS = 10
FRENCH, FOREIGN = 0, 1  # sides of a query, first index of the side-split counts


def side_counts(q_levels: np.ndarray, c_levels: np.ndarray, q_french: np.ndarray) -> np.ndarray:
    """(2, N_LEVELS, N_LEVELS) counts of (query level, partner level), French queries then foreign ones."""
    q_french = np.asarray(q_french, dtype=bool)
    q_levels, c_levels = np.asarray(q_levels, dtype=np.int64), np.asarray(c_levels, dtype=np.int64)
    return np.stack([pair_counts(q_levels[q_french], c_levels[q_french]),
                     pair_counts(q_levels[~q_french], c_levels[~q_french])])


def fit_level_gate(counts: np.ndarray, *, min_pairs: int = GATE_MIN_PAIRS) -> np.ndarray:
    """(2, N_LEVELS, N_LEVELS) bool from side-split counts: the levels a query of each side and level sees
    when it asks for none. The family (units or local) that holds most of the real partners of such
    queries is kept — a French région's partners are regions and provinces, a commune's are towns —
    and the other is left out; a query level with fewer than ``min_pairs`` known pairs keeps every level."""
    gate = np.ones(counts.shape, dtype=bool)
    for side in range(counts.shape[0]):
        for q in range(counts.shape[1]):
            row = counts[side, q]
            if row.sum() < min_pairs:
                continue
            units = row[UNITS].sum()
            local = row[~UNITS].sum()
            if units != local:
                gate[side, q] = UNITS if units > local else ~UNITS
    return gate
