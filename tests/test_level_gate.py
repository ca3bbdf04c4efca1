"""The level gate in the one candidate filter (``state.eligible_rows``) and in the evaluation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from matcher.domain import LEVELS, Filters, Level
from matcher.learning.evaluation import evaluate_query
from matcher.ranking.levels import FRENCH, N_LEVELS
from matcher.ranking.state import MatchState, eligible_rows, query_from_row

T = LEVELS.index(Level.TOWN)


def _towns_closed(state: MatchState) -> MatchState:
    gate = np.ones((2, N_LEVELS, N_LEVELS), dtype=bool)
    gate[FRENCH, T, T] = False  # French communes see no foreign town unless they ask
    return replace(state, level_gate=gate)


def test_the_gate_applies_only_when_no_level_or_kind_is_asked(state: MatchState) -> None:
    a = state.arrays
    row = a.row("FR-COM-00004")
    assert row is not None
    q = query_from_row(a, row)
    open_ = eligible_rows(state, q, None, Filters(include_existing=True))
    assert len(open_) == 5  # the default fixture gate is open: the five foreign towns
    closed = _towns_closed(state)
    assert len(eligible_rows(closed, q, None, Filters(include_existing=True))) == 0
    asked = eligible_rows(closed, q, None, Filters(include_existing=True, levels=("town",)))
    by_kind = eligible_rows(closed, q, None, Filters(include_existing=True, kinds=("municipality",)))
    assert asked.tolist() == by_kind.tolist() == open_.tolist()


def test_a_partner_the_gate_hides_is_a_miss_not_a_skipped_query(state: MatchState) -> None:
    a = state.arrays
    row, partner = a.row("FR-COM-00004"), a.row("GN-300")
    assert row is not None and partner is not None
    seen = evaluate_query(state, row, np.array([partner]), methods=("ranker", "random"))
    assert all(p.missed == 0 and p.relevant == 1 for p in seen.values())
    hidden = evaluate_query(_towns_closed(state), row, np.array([partner]), methods=("ranker", "random"))
    assert set(hidden) == {"ranker", "random"}
    assert all(p.missed == 1 and p.relevant == 1 for p in hidden.values())
    # With an explicit candidate filter, a partner outside it is not a candidate: nothing to count.
    small = Filters(include_existing=True, levels=("town",), min_population=100_000)
    assert evaluate_query(state, row, np.array([partner]), candidates=small) == {}
