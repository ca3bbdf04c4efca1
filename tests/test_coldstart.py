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
from matcher.learning.coldstart import Shortlist, evaluate, fold_state, format_table, rank_under
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
    assert len(fits) == 2 and all(f["structure_weight"] == 1.0 for f in fits)
    logits, labels, modes = calib.arrays()
    assert len(logits) == len(labels) == len(modes) and labels.sum() >= 1
    for direction in ("french", "foreign"):  # the score's reliability: every held-out pair of the lists, once
        bands = [r for k, r in results.items() if k.startswith(f"reliability/{direction}/")]
        assert [(b["low"], b["high"]) for b in bands] == [(lo, min(hi, 100)) for lo, hi in SCORE_BANDS]
        found = sum(r["HR@100"] * r["queries"] for k, r in results.items() if k == f"{direction}/all/product/all")
        assert sum(b["partners"] for b in bands) >= round(found)  # every partner in a list is counted
        assert sum(b["pairs"] for b in bands) > sum(b["partners"] for b in bands)
    assert "Reliability of the 0-100 match score" in format_table(results)


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
