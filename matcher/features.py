"""Pair features for one query against many candidates, vectorised: pure functions on arrays.

Every feature is a column over the candidate rows; ``FEATURES`` fixes the order the ranker sees.
Text features (reciprocal complementarity, shared interests, lexical overlap) are zero where a side
has no text, with ``text_missing`` saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from matcher.arrays import FIELDS, CatalogueArrays, chord_to_km
from matcher.history import (
    HISTORY_FEATURES,
    HistoryIndex,
    Shares,
    country_shares,
    history_features,
    source_weights,
)

TEXT_FEATURES = (
    "recip_sem", "need_sem", "offer_sem", "desc_sem", "lex_recip", "theme_need", "theme_offer", "text_missing",
)
STRUCTURAL_FEATURES = (
    "log_distance", "same_continent", "preferred", "priority_zone", "shared_language", "francophone",
    "pop_ratio", "kind_compat", "size", "size_gap", "size_far",
)
HISTORY_COLUMNS = HISTORY_FEATURES  # the priors of matcher.history, in the order history_features returns
FEATURES = TEXT_FEATURES + STRUCTURAL_FEATURES + HISTORY_COLUMNS
#: Features the known links cannot teach (they carry no free text and no stated preferences): the
#: ranker gives them fixed prior weights instead of learned ones.
PRIOR_FEATURES = (*TEXT_FEATURES, "preferred")
LEARNED_FEATURES = tuple(f for f in STRUCTURAL_FEATURES + HISTORY_COLUMNS if f not in PRIOR_FEATURES)
FEATURE_INDEX = {f: i for i, f in enumerate(FEATURES)}

LOG1P_FEATURES = ("direct", "near", "admin1", "near_global", "degree")  # heavy-tailed counts: seen as log1p
SHARE_FLOORS = {"country": 1e-2, "country_global": 1e-3, "admin1_global": 1e-4}  # log10(share + floor): smoothing for unseen countries
UNKNOWN_DISTANCE_KM = 5000.0  # stands for "far" where a side has no coordinates
UNKNOWN_POP_RATIO = 1.0  # a tenfold size difference where a population is unknown


@dataclass(frozen=True)
class Query:
    """What the scoring path needs about the query authority (stored or ad hoc)."""

    row: int | None  # its row in the catalogue arrays, if stored
    country: int  # index into arrays.country_codes (-1 unknown)
    admin1: int
    admin2: int
    xyz: np.ndarray | None
    log_pop: float  # nan if unknown
    tier: int
    lang_mask: int
    exp_themes: int
    need_themes: int
    emb: dict[str, np.ndarray | None] = field(default_factory=dict)  # field -> (d,) or None
    lex: dict[str, sp.csr_matrix | None] = field(default_factory=dict)  # field -> (1, D) or None
    preferred_countries: frozenset[int] = frozenset()
    preferred_continents: frozenset[int] = frozenset()
    is_french: bool = False
    exclude_rows: tuple[int, ...] = ()  # leave-one-out: links touching these rows are ignored


def _dense(row: sp.csr_matrix) -> np.ndarray:
    """A (1, D) sparse row as a dense vector: sparse × dense-vector products avoid transposing."""
    return np.asarray(row.toarray()).ravel()


def _popcount(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.uint32)
    return np.unpackbits(x.view(np.uint8).reshape(-1, 4), axis=1).sum(axis=1)


def _field_sims(q: Query, a: CatalogueArrays, cand: np.ndarray, q_field: str, c_field: str) -> tuple[
        np.ndarray, np.ndarray, np.ndarray]:
    """(dense sim, lexical sim, present mask) of q's ``q_field`` text against candidates' ``c_field``."""
    n = len(cand)
    dense, lexical, present = np.zeros(n), np.zeros(n), np.zeros(n, dtype=bool)
    qv = q.emb.get(q_field)
    if qv is None:
        return dense, lexical, present
    tr = a.text_row[cand]
    has = tr >= 0
    if not has.any():
        return dense, lexical, present
    rows = tr[has]
    ok = a.has_field[c_field][rows]
    idx = np.flatnonzero(has)[ok]
    rows = rows[ok]
    dense[idx] = a.emb[c_field][rows] @ qv
    ql = q.lex.get(q_field)
    if ql is not None and len(rows):
        lexical[idx] = a.lex[c_field][rows] @ _dense(ql)
    present[idx] = True
    return dense, lexical, present


def _reverse_sims(q: Query, a: CatalogueArrays, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidates' needs against the query's expertise."""
    n = len(cand)
    dense, lexical, present = np.zeros(n), np.zeros(n), np.zeros(n, dtype=bool)
    qv = q.emb.get("expertise")
    if qv is None:
        return dense, lexical, present
    tr = a.text_row[cand]
    has = tr >= 0
    rows = tr[has]
    ok = a.has_field["needs"][rows] if len(rows) else np.zeros(0, dtype=bool)
    idx = np.flatnonzero(has)[ok]
    rows = rows[ok]
    dense[idx] = a.emb["needs"][rows] @ qv
    ql = q.lex.get("expertise")
    if ql is not None and len(rows):
        lexical[idx] = a.lex["needs"][rows] @ _dense(ql)
    present[idx] = True
    return dense, lexical, present


def harmonic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Harmonic mean of two similarities clipped to [0, 1]: high only if both sides are served."""
    x, y = np.clip(x, 0, 1), np.clip(y, 0, 1)
    s = x + y
    return np.divide(2 * x * y, s, out=np.zeros_like(s), where=s > 0)


def text_features(q: Query, a: CatalogueArrays, cand: np.ndarray) -> dict[str, np.ndarray]:
    if not any(v is not None for v in q.emb.values()) and not (q.need_themes or q.exp_themes):
        # Most catalogue queries have no text: every text feature is zero, both sides missing.
        zero = np.zeros(len(cand))
        return {**{f: zero for f in TEXT_FEATURES}, "text_missing": np.ones(len(cand))}
    need_d, need_l, need_ok = _field_sims(q, a, cand, "needs", "expertise")
    offer_d, offer_l, offer_ok = _reverse_sims(q, a, cand)
    desc_d, _, _ = _field_sims(q, a, cand, "description", "description")
    both = need_ok & offer_ok
    recip = np.where(both, harmonic(need_d, offer_d), 0.0)
    lex = np.where(both, harmonic(need_l, offer_l), 0.5 * (need_l + offer_l))
    q_need, q_exp = int(q.need_themes), int(q.exp_themes)
    c_need, c_exp = a.need_themes[cand], a.exp_themes[cand]
    n_qn, n_qe = q_need.bit_count(), q_exp.bit_count()
    theme_need = _popcount(c_exp & np.uint32(q_need)) / n_qn if n_qn else np.zeros(len(cand))
    theme_offer = _popcount(c_need & np.uint32(q_exp)) / n_qe if n_qe else np.zeros(len(cand))
    missing = 2 - need_ok.astype(int) - offer_ok.astype(int)
    return {
        "recip_sem": recip, "need_sem": np.clip(need_d, 0, 1), "offer_sem": np.clip(offer_d, 0, 1),
        "desc_sem": np.clip(desc_d, 0, 1), "lex_recip": lex,
        "theme_need": np.asarray(theme_need, dtype=float), "theme_offer": np.asarray(theme_offer, dtype=float),
        "text_missing": missing / 2.0,
    }


def distances_km(q: Query, a: CatalogueArrays, cand: np.ndarray) -> np.ndarray:
    if q.xyz is None:
        return np.full(len(cand), UNKNOWN_DISTANCE_KM)
    km = chord_to_km(a.xyz[cand] @ q.xyz)
    return np.where(a.has_coord[cand], km, UNKNOWN_DISTANCE_KM)


def structural_features(q: Query, a: CatalogueArrays, cand: np.ndarray, *, priority: np.ndarray
                        ) -> dict[str, np.ndarray]:
    """``priority``: (n_countries,) bool, the country is in France's priority zones."""
    km = distances_km(q, a, cand)
    c_country = a.country[cand]
    c_cont = a.country_continent[c_country]
    q_cont = a.country_continent[q.country] if q.country >= 0 else -2
    pref = np.zeros(len(cand), dtype=bool)
    if q.preferred_countries:
        pref |= np.isin(c_country, list(q.preferred_countries))
    if q.preferred_continents:
        pref |= np.isin(c_cont, list(q.preferred_continents))
    shared_lang = (a.lang_mask[cand] & np.uint64(q.lang_mask)) != 0
    c_pop = a.log_pop[cand]
    ratio = np.abs(c_pop - q.log_pop)
    ratio = np.where(np.isnan(ratio), UNKNOWN_POP_RATIO, ratio)
    tier_gap = np.abs(a.tier[cand].astype(int) - q.tier)
    size = np.where(np.isnan(c_pop), 0.0, c_pop).astype(float)
    log_km = np.log1p(km)
    return {
        "log_distance": log_km,
        "same_continent": (c_cont == q_cont).astype(float),
        "preferred": pref.astype(float),
        "priority_zone": (priority[c_country] & q.is_french).astype(float),
        "shared_language": shared_lang.astype(float),
        "francophone": a.country_francophone[c_country].astype(float),
        "pop_ratio": ratio.astype(float),
        "kind_compat": np.select([tier_gap == 0, tier_gap == 1], [1.0, 0.5], 0.0),
        # Larger towns take part in more partnerships, whatever the query.
        "size": size,
        # Signed: towns twin upwards more than downwards (a small commune with a larger town).
        "size_gap": np.where(np.isnan(c_pop - q.log_pop), 0.0, c_pop - q.log_pop).astype(float),
        # Size matters more with distance: a commune twins with a small town next door, but across a
        # continent with a city. One product term keeps the model additive (and its reasons exact).
        "size_far": size * log_km,
    }


def history_block(q: Query, a: CatalogueArrays, history: HistoryIndex, cand: np.ndarray,
                  shares: Shares | None = None) -> dict[str, np.ndarray]:
    w = source_weights(history, a, q_xyz=q.xyz, q_admin2=q.admin2, q_admin1=q.admin1,
                       exclude_rows=q.exclude_rows)
    if shares is None:
        shares = country_shares(history, a, q.country, q.exclude_rows)
    h = history_features(history, a, w, q_country=q.country, country_share=shares, candidates=cand,
                         exclude_rows=q.exclude_rows)
    # Counts are heavy-tailed: the ranker sees log1p of them.
    for k in LOG1P_FEATURES:
        h[k] = np.log1p(h[k])
    # Shares act multiplicatively on the odds of a partnership: the linear ranker sees their logs.
    for k, floor in SHARE_FLOORS.items():
        h[k] = np.log10(h[k] + floor)
    return h


def feature_columns(q: Query, a: CatalogueArrays, history: HistoryIndex, cand: np.ndarray, *,
                    priority: np.ndarray, shares: Shares | None = None) -> dict[str, np.ndarray]:
    """Every feature as a column over ``cand``: the first stage scores these without building a matrix."""
    return {**text_features(q, a, cand), **structural_features(q, a, cand, priority=priority),
            **history_block(q, a, history, cand, shares)}


def stack(cols: dict[str, np.ndarray], rows: np.ndarray | slice = slice(None)) -> np.ndarray:
    """The (n, len(FEATURES)) matrix of some rows of the columns."""
    first = np.asarray(cols[FEATURES[0]])[rows]
    X = np.empty((len(first), len(FEATURES)))
    for j, f in enumerate(FEATURES):
        X[:, j] = np.asarray(cols[f])[rows]
    return X


def pair_features(q: Query, a: CatalogueArrays, history: HistoryIndex, cand: np.ndarray, *,
                  priority: np.ndarray, shares: Shares | None = None) -> np.ndarray:
    """The (len(cand), len(FEATURES)) feature matrix."""
    return stack(feature_columns(q, a, history, cand, priority=priority, shares=shares))


__all__ = [
    "FEATURES",
    "FIELDS",
    "HISTORY_COLUMNS",
    "LEARNED_FEATURES",
    "PRIOR_FEATURES",
    "STRUCTURAL_FEATURES",
    "TEXT_FEATURES",
    "Query",
    "pair_features",
]
