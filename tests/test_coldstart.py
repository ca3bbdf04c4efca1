"""The cold-start evaluation (``matcher.learning.coldstart``) and the cases in the catalogue (``matcher.catalogue.case_pairs``):
honest folds (a held-out case's texts, links and prior counts are nowhere), the list order under a
calibration, and the processed index read back at catalogue load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from profiles_fixture import COUNTRIES, LINKS, PROFILES, write_tiny_cases, write_tiny_data
from support.rankers import three_model_ranker

from matcher.catalogue.case_pairs import INDEX_FILE, case_links, case_pairs, load_pairs, write_index
from matcher.catalogue.resolve import Resolver
from matcher.encoding import HashingEncoder
from matcher.learning.coldstart import (
    Shortlist,
    _writer,
    evaluate,
    fold_state,
    format_table,
    named,
    query_groups,
    rank_under,
)
from matcher.learning.cooperation import build_case_set, read_cases
from matcher.learning.metrics import at_rank
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.calibration import ONE_SIDED, TEXT
from matcher.ranking.score_scale import SCORE_BANDS
from matcher.ranking.state import MatchState
from matcher.ranking.text_corpus import profile_texts
from matcher.store.sqlite import SQLiteStore

ENC = HashingEncoder(dim=64)
COUNTRY = {c.code: c for c in COUNTRIES}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    data = write_tiny_data(tmp_path_factory.mktemp("data"))
    cases_path, _ = write_tiny_cases(data)
    catalogue = {p.id: p for p in PROFILES}
    case_set = build_case_set(read_cases(cases_path), catalogue, Resolver(PROFILES, COUNTRY),
                              countries=tuple(COUNTRY))
    pairs = case_pairs(case_set, catalogue)
    silent = [p.with_changes(description="", expertise=p.expertise.__class__(), needs=p.needs.__class__())
              for p in PROFILES]
    arrays = CatalogueArrays.build(silent, COUNTRY, {}, dim=64)
    base = MatchState.build(arrays, [*LINKS, *case_links(pairs)], three_model_ranker(), COUNTRY)
    return base, catalogue, case_set, pairs, data, cases_path


def test_a_held_out_case_is_nowhere_in_its_fold(world) -> None:
    base, catalogue, _, pairs, _, _ = world
    assert len(pairs) >= 4
    test = [0]
    train = list(range(1, len(pairs)))
    st = fold_state(base, catalogue, pairs, train, test, ENC)
    held = pairs[0]
    a = st.arrays
    for pid in (held.french_id, held.foreign_id):
        others = [p for p in pairs[1:] if pid in (p.french_id, p.foreign_id)]
        if not others:  # its only case is held out: it wrote nothing in this fold
            assert a.text_row[a.row(pid)] < 0, pid
    pair_rows = {frozenset((a.row(x.a), a.row(x.b))) for x in st.links}
    assert frozenset((a.row(held.french_id), a.row(held.foreign_id))) not in pair_rows
    fr, fo = a.row(held.french_id), a.row(held.foreign_id)
    assert not any((f, o) == (fr, fo) for f, o in zip(st.cooperation.french, st.cooperation.foreign))
    for p in pairs[1:]:  # the training cases are there, as the product holds them
        assert a.text_row[a.row(p.french_id)] >= 0 and a.text_row[a.row(p.foreign_id)] >= 0


def test_the_cold_start_runs_both_ways_on_honest_folds(world) -> None:
    base, catalogue, case_set, _, _, _ = world
    results, calib, fits = evaluate(base, catalogue, case_set, ENC, k=2, progress=False)
    assert {"french/all/product/all", "foreign/all/product/all", "french/all/structure/all",
            "french/all/prior/all"} <= set(results)
    # two folds per direction, each direction on folds grouped by its query's side
    assert [f["direction"] for f in fits] == ["french", "french", "foreign", "foreign"]
    assert all(f["structure_weight"] == 1.0 for f in fits)
    logits, labels, modes = calib.arrays()
    assert len(logits) == len(labels) == len(modes) and labels.sum() >= 1
    for direction in ("french", "foreign"):  # the score's reliability: every held-out pair of the lists, once
        bands = [r for k, r in results.items() if k.startswith(f"reliability/{direction}/")]
        assert [(b["low"], b["high"]) for b in bands] == [(lo, min(hi, 100)) for lo, hi in SCORE_BANDS]
        found = sum(r["HR@100"] * r["queries"] for k, r in results.items() if k == f"{direction}/all/product/all")
        assert sum(b["partners"] for b in bands) >= round(found)  # every partner in a list is counted
        assert sum(b["pairs"] for b in bands) > sum(b["partners"] for b in bands)
    assert "Reliability of the 0-100 match score" in format_table(results)


def test_each_direction_holds_out_its_queries_whole(world) -> None:
    """A query is a newcomer: French queries' folds group by French authority, foreign queries' by partner,
    so every case of a held-out query is out with it while its partner keeps its other cases."""
    _, _, _, pairs, _, _ = world
    fr, fo = query_groups(pairs, "french"), query_groups(pairs, "foreign")
    assert fr == [p.group for p in pairs] and fo == [p.foreign_id for p in pairs]
    for groups, side in ((fr, "french_id"), (fo, "foreign_id")):  # one query, one group
        by_query: dict[str, set[str]] = {}
        for g, p in zip(groups, pairs):
            by_query.setdefault(getattr(p, side), set()).add(g)
        assert all(len(v) == 1 for v in by_query.values())


@pytest.mark.parametrize(("text", "target", "expected"), [
    ("Lyonville organise des échanges de jeunes avec Rheinstadt.", "GN-300", True),
    ("Lyonville organise des échanges de jeunes en Allemagne.", "GN-300", False),
    # a phrase of the name, however many namesakes it has elsewhere, names it
    ("Nos écoles échangent avec Cidade depuis 2010.", "GN-400", True),
    ("Nos écoles échangent avec une cidade du Brésil.", "GN-400", False),  # not a name: no capital
])
def test_a_pair_is_named_when_the_text_says_the_name(world, text: str, target: str, expected: bool) -> None:
    from matcher.ranking.state import query_from_profile

    base, catalogue, _, _, _, _ = world
    q = query_from_profile(_writer(catalogue["FR-COM-00003"], expertise=text), base.arrays, encoder=ENC,
                           countries=base.countries)
    assert named(base, q, base.arrays.row(target)) is expected


def test_the_list_order_follows_the_calibrated_probability() -> None:
    """A text-model pair with a higher logit than a one-sided pair can still come after it: what orders the
    list is each pair's probability under its own model's calibration."""
    r = three_model_ranker()
    sl = Shortlist(logits=np.array([-2.0, -4.0, -5.0]), modes=np.array([TEXT, ONE_SIDED, ONE_SIDED]),
                   adjustment=np.zeros(3), label=np.array([0, 1, 0]))
    assert rank_under(sl, r) == at_rank(2)  # uncalibrated: the text pair leads
    rows = 3000
    rng = np.random.default_rng(0)
    z = rng.normal(size=rows)
    r.fit_calibration(np.concatenate([z, z]), np.concatenate([rng.random(rows) < 1 / (1 + np.exp(-(z - 7))),
                                                              rng.random(rows) < 1 / (1 + np.exp(-(z + 3)))]),
                      np.concatenate([np.full(rows, TEXT), np.full(rows, ONE_SIDED)]))
    assert rank_under(sl, r) == at_rank(1)  # text pairs rarely are the partner here: the one-sided pair leads


def test_the_index_is_read_back_at_load_with_sources(world, tmp_path: Path) -> None:
    _, catalogue, _, pairs, data, _ = world
    write_index(data / "cooperation" / INDEX_FILE, pairs)
    assert {(p.french_id, p.foreign_id) for p in load_pairs(data / "cooperation")} == {
        (p.french_id, p.foreign_id) for p in pairs}
    with SQLiteStore.open(tmp_path / "t.db", data) as store:
        kinds = {(x.a, x.b): x.kind for x in store.links()}
        for p in pairs:
            assert kinds[(p.french_id, p.foreign_id)] == "cooperation"
        fr = store.get(pairs[0].french_id)
        assert fr.expertise.text and fr.expertise.sources and fr.expertise.sources[0].url == "https://example.org"
        assert store.stats()["last_load"]["cooperation_pairs"] == len(pairs)
    assert profile_texts([catalogue[pairs[0].french_id]])  # the fixture's own profile had text too


def test_the_calibration_learns_from_logits_without_the_stated_preferences():
    """A held-out list's place prior (a text naming the candidates' country) is left out of what the maps fit."""
    from matcher.learning.coldstart import Calibration, Shortlist

    sl = Shortlist(logits=np.array([10.0, 2.0]), modes=np.array([1, 1], dtype=np.int8), adjustment=np.zeros(2),
                   label=np.array([0, 1]), prior=np.array([8.0, 0.0]))
    c = Calibration()
    c.add_list(sl)
    assert np.allclose(c.arrays()[0], [2.0, 2.0])
