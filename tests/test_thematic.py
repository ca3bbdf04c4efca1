"""The thematic evaluation on the tiny world's cases: the same folds for the product and the baselines."""

from __future__ import annotations

import numpy as np
import pytest
from profiles_fixture import COUNTRIES, PROFILES, write_tiny_cases

from matcher.catalogue.resolve import Resolver
from matcher.learning.cooperation import build_case_set, read_cases
from matcher.learning.thematic import METHODS, case_state, evaluate, fit_on_cases, pair_queries


@pytest.fixture()
def cases_state(tmp_path, state, encoder):
    cases = read_cases(write_tiny_cases(tmp_path)[0])
    cs = build_case_set(cases, {p.id: p for p in PROFILES}, Resolver(PROFILES, {c.code: c for c in COUNTRIES}))
    return case_state(state, cs, encoder)


def test_a_query_never_competes_with_its_own_other_partners(cases_state):
    cs = cases_state.cases
    for q in pair_queries(cs):
        others = set(cs.partners_of(q.french)) - {q.target}
        assert q.target in q.candidates and not others & set(q.candidates.tolist())


def test_evaluation_reports_every_method_on_the_same_queries(cases_state):
    results, weights = evaluate(cases_state, k=2, progress=False)
    assert set(results) == set(METHODS)
    assert {r["queries"] for r in results.values()} == {len(cases_state.cases.pairs)}
    assert len(weights) == 2 and all("structure_weight" in w for w in weights)
    # Each French text names its partner: names and character n-grams find every one.
    assert results["product"]["HR@1"] >= 0.8 and results["tfidf"]["HR@1"] >= 0.8


def test_case_links_are_not_in_the_history(cases_state):
    st = cases_state.state
    a = st.arrays
    lyon, rhein = a.row("FR-COM-00003"), a.row("GN-300")
    pairs = set(zip(st.history.src.tolist(), st.history.dst.tolist()))
    assert (lyon, rhein) not in pairs


def test_the_text_model_learned_on_cases_leaves_text_less_queries_alone(cases_state, state):
    from matcher.ranking.scoring import score_rows
    from matcher.ranking.state import query_from_row

    model = fit_on_cases(state.ranker, [cases_state])
    assert model.text_fitted_ and model.text_fit_["pairs"] > 0 and model.text_fit_["structure_weight"] >= 0
    a = state.arrays
    q = query_from_row(a, a.row("FR-COM-00003"))  # Lyonville wrote nothing
    rows = np.arange(a.n)
    before = score_rows(state, q, rows).logits
    from dataclasses import replace

    after = score_rows(replace(state, ranker=model), q, rows).logits
    # Text priors are gone and nothing else changed: only the names of the candidates' texts could move it.
    assert np.allclose(before, after)
