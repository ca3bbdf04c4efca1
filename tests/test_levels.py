"""Level compatibility learned from partnerships (matcher.ranking.levels): known answers on a checkerboard."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.domain import DEFAULT_LEVEL, LEVELS, Kind, Level, Profile
from matcher.ranking.levels import fit_level_compat, link_levels, pair_counts

A1, A2, IC, T = (LEVELS.index(lv) for lv in (Level.ADMIN1, Level.ADMIN2, Level.INTERCOMMUNAL, Level.TOWN))


def test_regions_pair_with_regions_and_towns_with_towns() -> None:
    # A catalogue of 100 admin-1, 300 admin-2, 10 intercommunal, 5,000 towns; partnerships région <-> admin-1
    # (40), département <-> admin-2 (30) and admin-1 (10), commune <-> town (500).
    catalogue = np.array([A1] * 100 + [A2] * 300 + [IC] * 10 + [T] * 5000)
    src = np.array([A1] * 40 + [A2] * 40 + [T] * 500)
    dst = np.array([A1] * 40 + [A2] * 30 + [A1] * 10 + [T] * 500)
    q, c = link_levels(src, dst, np.arange(4))  # rows are the levels themselves
    table = fit_level_compat(pair_counts(q, c), catalogue)
    assert table[A1].argmax() == A1 and table[A1, A1] > 2 and table[A1, T] < 0
    assert table[A2].argmax() == A2 and table[A2, A1] > 0 > table[A2, T]
    assert table[T].argmax() == T and abs(table[T, T]) < 0.2  # towns are most of the catalogue: little lift
    # No evidence, no lift: intercommunal queries have no partnerships here.
    assert np.allclose(table[IC], 0.0)


def test_few_pairs_are_shrunk_towards_no_preference() -> None:
    catalogue = np.array([A1] * 10 + [T] * 990)
    one = fit_level_compat(pair_counts(np.array([A1]), np.array([A1])), catalogue)
    many = fit_level_compat(pair_counts(np.array([A1] * 200), np.array([A1] * 200)), catalogue)
    assert 0 < one[A1, A1] < many[A1, A1]


@pytest.mark.parametrize("kind, level", [
    (Kind.COMMUNE, Level.TOWN), (Kind.INTERCOMMUNALITY, Level.INTERCOMMUNAL), (Kind.DEPARTMENT, Level.ADMIN2),
    (Kind.REGION, Level.ADMIN1), (Kind.STATE, Level.ADMIN1), (Kind.DISTRICT, Level.ADMIN2),
    (Kind.MUNICIPALITY, Level.TOWN),
])
def test_default_level_and_a_stated_level_wins(kind: Kind, level: Level) -> None:
    p = Profile(id="x", name="X", kind=kind, country="SN")
    assert p.level_of is level is DEFAULT_LEVEL[kind]
    other = Level.ADMIN1 if level is not Level.ADMIN1 else Level.ADMIN2
    assert p.with_changes(level=other).level_of is other
    assert p.with_changes(level=level).level is None  # the usual level is not stored twice


def test_legacy_foreign_region_kind_reads_as_region() -> None:
    assert Kind("foreign_region") is Kind.REGION


def test_the_gate_keeps_the_family_where_partners_are() -> None:
    # French régions partner with admin-1 (30) and admin-2 (6) units, one town; communes with towns (400)
    # and some admin-2 municipalities (20); foreign admin-2 units with French towns (25) and départements (5).
    from matcher.ranking.levels import FOREIGN, FRENCH, fit_level_gate, side_counts

    q = np.array([A1] * 37 + [T] * 420 + [A2] * 30)
    c = np.array([A1] * 30 + [A2] * 6 + [T] + [T] * 400 + [A2] * 20 + [T] * 25 + [A2] * 5)
    french = np.array([True] * 457 + [False] * 30)
    gate = fit_level_gate(side_counts(q, c, french))
    assert gate[FRENCH, A1].tolist() == [True, True, False, False]  # units only, though one town is known
    assert gate[FRENCH, T].tolist() == [False, False, True, True]  # the local family (towns, EPCI)
    assert gate[FOREIGN, A2].tolist() == [False, False, True, True]
    # No evidence (French départements, intercommunal bodies, foreign admin-1): every level stays open.
    for side, level in ((FRENCH, A2), (FRENCH, IC), (FOREIGN, A1)):
        assert gate[side, level].all()


def test_a_tie_or_too_few_pairs_leaves_every_level_open() -> None:
    from matcher.ranking.levels import FRENCH, fit_level_gate, side_counts

    tie = side_counts(np.array([A1] * 10), np.array([A1] * 5 + [T] * 5), np.ones(10, dtype=bool))
    few = side_counts(np.array([A1] * 9), np.array([A1] * 9), np.ones(9, dtype=bool))
    assert fit_level_gate(tie)[FRENCH, A1].all() and fit_level_gate(few)[FRENCH, A1].all()
    assert not fit_level_gate(few, min_pairs=9)[FRENCH, A1, T]
