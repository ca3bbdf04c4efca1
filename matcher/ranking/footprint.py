"""What a ranking depends on, and whether writing one profile can change it.

A ranking (``scoring.rank``) is decided by its shortlist: the first stage's top ``SHORTLIST`` candidates
plus the best text neighbours, every feature then computed for those rows only. A verified profile
write replaces one row of the arrays (or appends one) and leaves every other row, the link history and
the country shares as they were (``state._with_arrays``). So a ranking computed before the write still
holds after it unless

1. the written row *is* the query, or was in its shortlist (its features changed or it left), or
2. the written row now *enters* the shortlist: its first-stage score reaches the lowest one taken, or
   it became a text neighbour.

``Footprint`` keeps, per ranking, what checking (2) needs without the query's full tables (an (n,)
vector each): the shortlist's rows and cut-offs, the query's few non-zero link weights and its per-country
and per-level tables. ``first_stage_of`` then computes the written row's first-stage score exactly, and
``may_change`` compares it with the cut-off. It errs only one way (a ranking it keeps is exact; one it
drops may not have changed: a row that enters the shortlist need not reach the top ``k``), and
``tests/test_footprint.py`` checks it against rankings recomputed after random writes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.ranking.features import GATE_FEATURE, Query, text_features
from matcher.ranking.first_stage import StageTables, history_terms_at, pair_terms, with_text
from matcher.ranking.preferences import preference_columns
from matcher.ranking.state import MatchState

#: Scores this close to a cut-off count as reaching it (ties are broken arbitrarily by the partition).
TIE = 1e-7


@dataclass(frozen=True)
class Footprint:
    """What one query's ranking depends on (see the module's docstring)."""

    query: Query
    rows: np.ndarray  # sorted rows of the shortlist
    cutoff: float  # lowest first-stage score of the shortlist's first-stage part; -inf: nothing was cut
    sem_cutoff: float  # lowest text-neighbour score taken; -inf: any candidate with one would be taken
    links: np.ndarray  # the link orientations the query weighs (``first_stage.link_weights`` not 0)...
    weights: np.ndarray  # ... and their weights
    country_term: np.ndarray  # (n_countries,) the query's tables
    level_term: np.ndarray  # (n_levels,)
    n_slots: int  # admin-1 slots of its tables


def footprint(tables: StageTables, q: Query, cand: np.ndarray, pre: np.ndarray | None, positions: np.ndarray,
              text_cols: dict[str, np.ndarray], size: int, neighbours: int, link_w: np.ndarray) -> Footprint:
    """The footprint of a ranking over ``cand`` whose shortlist is ``cand[positions]``. ``pre``: the first
    stage over ``cand`` (None when every candidate was shortlisted); ``link_w``: the query's link weights."""
    cutoff = -np.inf
    sem_cutoff = -np.inf
    if pre is not None and len(pre) > size:
        cutoff = float(np.partition(pre, len(pre) - size)[len(pre) - size])
        sem = np.asarray(text_cols["text_dense"]) + np.asarray(text_cols["text_lex"]) + 3.0 * np.asarray(
            text_cols["names_mentioned"])
        wrote = np.flatnonzero(sem)
        if len(wrote) >= neighbours:
            sem_cutoff = float(np.partition(sem[wrote], len(wrote) - neighbours)[len(wrote) - neighbours])
    links = np.flatnonzero(link_w)
    return Footprint(query=q, rows=np.sort(np.asarray(cand[positions], dtype=np.int64)), cutoff=cutoff,
                     sem_cutoff=sem_cutoff, links=links, weights=link_w[links], country_term=tables.country_term,
                     level_term=tables.level_term, n_slots=len(tables.a1_term))


def first_stage_of(fp: Footprint, state: MatchState, row: int, text: dict[str, np.ndarray]) -> float:
    """The first-stage score the query of ``fp`` gives ``row`` in ``state`` (a state that differs from the
    ranking's by that row only), without the query's tables: equal to ``first_stage`` (brute force in
    ``tests/test_footprint.py``)."""
    ranker = state.ranker
    assert ranker is not None
    q, a = fp.query, state.arrays
    cand = np.array([row], dtype=np.int64)
    shares = state.shares(q.country) if not q.exclude_rows else None
    s = (history_terms_at(ranker, q, a, state.history, shares, fp.links, fp.weights, row, fp.n_slots)
         + fp.country_term[a.country[row]] + fp.level_term[a.level[row]] + pair_terms(ranker, q, a, cand))
    return float(with_text(ranker, s, text)[0])


def may_change(fp: Footprint, state: MatchState, row: int) -> bool:
    """Whether writing ``row`` (its new values in ``state``) may change the ranking ``fp`` describes."""
    q = fp.query
    if q.row == row or (i := np.searchsorted(fp.rows, row)) < len(fp.rows) and fp.rows[i] == row:
        return True
    if not np.isfinite(fp.cutoff):
        return True  # every candidate was shortlisted: a new one would be too
    if state.ranker is None:
        return True
    a = state.arrays
    text: dict[str, np.ndarray] = {}
    q_wrote = (any(v is not None for v in q.emb.values()) or q.need_themes or q.exp_themes
               or q.tokens is not None)
    if q_wrote or a.text_row[row] >= 0 or a.exp_themes[row] or a.need_themes[row]:
        # (without a text or a theme on either side every text feature is 0: nothing to compute)
        text = text_features(q, a, np.array([row], dtype=np.int64))
        wrote = bool(np.asarray(text[GATE_FEATURE][:1]).any())
        if wrote and a.text_row[row] >= 0:
            return True  # both wrote: the query's text scores are standardised over a corpus that changed
        sem = float(text["text_dense"][0] + text["text_lex"][0] + 3.0 * text["names_mentioned"][0])
        if sem != 0.0 and sem >= fp.sem_cutoff - TIE:
            return True  # a text neighbour now
    if not text:
        text = preference_columns(q, a, np.array([row], dtype=np.int64))
    return first_stage_of(fp, state, row, text) >= fp.cutoff - TIE
