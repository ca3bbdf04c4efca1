"""One scoring kernel: a pair gets the same score on every path, and the fast paths equal brute force."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from support.api import A, Api
from support.rankers import synthetic_ranker
from support.worlds import random_world

from matcher.domain import Facet, Filters, Kind, Profile
from matcher.encoding import HashingEncoder
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.engine import MatchState, recommend
from matcher.ranking.features import FEATURE_INDEX, FEATURES
from matcher.ranking.row_edits import with_profile
from matcher.ranking.scoring import rank, score_rows
from matcher.ranking.state import eligible_rows, query_from_row
from matcher.ranking.text_corpus import profile_texts

# Catalogue participants only: an event's own texts join the corpus its texts are standardised against (IDF,
# hubness, z-scores: see ``events.batch.put_profiles``), which is data, not wiring; here nothing is added.
EVENT = b"""id,name,country,side
eau,Eauville,France,fr
reg,Registreville,FR,fr
lyo,Lyonville,FR,fr
ndi,Ndiaye,S\xc3\xa9n\xc3\xa9gal,partner
kan,Kankan-Test,Guin\xc3\xa9e,partner
rhe,Rheinstadt,Germany,partner
"""


def test_the_same_pair_scores_the_same_through_matches_an_event_and_the_suggestions(api: Api) -> None:
    """Eauville -> Ndiaye: /matches, an event of catalogue participants, and the staff suggestions."""
    m = api.client.get(f"/authorities/{A}/matches", params={"k": 10}).json()["matches"]
    via_matches = next(x["score"] for x in m if x["id"] == "GN-100")
    ev = api.client.post("/events", files={"file": ("p.csv", EVENT, "text/csv")}, headers=api.staff).json()["id"]
    ranks = api.client.get(f"/events/{ev}/rankings", params={"k": 10}, headers=api.staff).json()
    eau = next(p for p in ranks["participants"] if p["participant_name"] == "Eauville")
    via_event = next(x["score"] for x in eau["partners"] if x["partner_name"] == "Ndiaye")
    sugg = api.client.get("/suggestions", params={"limit": 50}, headers=api.staff).json()["items"]
    via_suggestions = next(i["score_french_to_partner"] for i in sugg
                           if i["french"]["id"] == A and i["partner"]["id"] == "GN-100")
    assert via_matches == via_event == pytest.approx(via_suggestions, abs=5e-5)


def test_two_stage_ranking_equals_the_exhaustive_one_on_3000_profiles() -> None:
    profiles, links, countries = random_world(3_000, 0)
    enc = HashingEncoder(dim=64)
    texts = profile_texts(profiles)
    keys = sorted(texts)
    vecs = enc.encode([texts[k] for k in keys])
    arrays = CatalogueArrays.build(profiles, countries, {k: vecs[i] for i, k in enumerate(keys)}, dim=64)
    st = MatchState.build(arrays, links, synthetic_ranker(), countries)
    for row in range(0, 300, 15):
        q = query_from_row(arrays, row)
        cand = eligible_rows(st, q, None, Filters())
        fast = rank(st, q, cand)
        brute = score_rows(st, q, cand)
        top_fast = fast.rows[np.argsort(-fast.logits, kind="stable")[:10]]
        top_brute = brute.rows[np.argsort(-brute.logits, kind="stable")[:10]]
        assert top_fast.tolist() == top_brute.tolist(), row
        # ... and a shortlisted pair's score is the brute-force score.
        at = {r: i for i, r in enumerate(brute.rows.tolist())}
        assert np.allclose(fast.logits, brute.logits[[at[r] for r in fast.rows.tolist()]])


def test_missing_values_contribute_nothing(state) -> None:
    """A candidate without coordinates or population: NaN features, zero contribution, no such reason."""
    far = Profile(id="X-1", name="Sans-Lieu", kind=Kind.MUNICIPALITY, country="SN")
    st = MatchState.build(with_profile(state.arrays, far, {}, state.countries), [], state.ranker, state.countries)
    q = query_from_row(st.arrays, st.arrays.row("FR-COM-00003"))
    sc = score_rows(st, q, np.array([st.arrays.row("X-1")]))
    for f in ("log_distance", "size", "size_gap", "pop_ratio", "size_far"):
        assert np.isnan(sc.X[0, FEATURE_INDEX[f]]), f
    contrib = st.ranker.contributions(sc.X)[0]
    for f in ("log_distance", "size", "size_gap", "pop_ratio", "size_far"):
        assert abs(contrib[FEATURE_INDEX[f]]) < 1e-9, f
    lyonville = Profile(id="FR-COM-00003", name="Lyonville", kind=Kind.COMMUNE, country="FR")
    got = recommend(lyonville, state=st, k=20, filters=Filters(countries=("SN",)))
    sans = next(m for m in got if m.id == "X-1")
    assert sans.population is None and sans.lat is None
    assert not {r.code for r in sans.reasons} & {"log_distance", "size", "size_gap", "pop_ratio", "size_far"}


def test_gated_contributions_add_up_to_the_score() -> None:
    """Structural rows and text rows of a ranker with a text model: contributions + expected value = score."""
    r = copy.deepcopy(synthetic_ranker())
    rng = np.random.default_rng(3)
    X = np.zeros((400, len(FEATURES)))
    y = rng.random(400) < 0.1
    X[:, FEATURE_INDEX["text_lex"]] = rng.normal(size=400) + 2 * y
    X[:, FEATURE_INDEX["names_mentioned"]] = (rng.random(400) < 0.1 + 0.5 * y).astype(float)
    X[:, FEATURE_INDEX["query_text"]] = 1.0
    X[:, FEATURE_INDEX["log_distance"]] = np.log1p(rng.uniform(100, 9000, 400))
    r.fit_text(X, y.astype(int))
    assert r.text_fit_["weights"]["text_lex"] > 0 and r.text_fit_["weights"]["names_mentioned"] > 0
    mixed = X.copy()
    mixed[::2, FEATURE_INDEX["query_text"]] = 0.0  # half the rows: a query that wrote nothing
    mixed[1::4, FEATURE_INDEX["log_distance"]] = np.nan  # and some missing distances
    c = r.contributions(mixed)
    assert np.allclose(c.sum(axis=1) + r.expected_values(mixed), r.decision_function(mixed))
    # A text-less row scores as the structural model alone.
    base = synthetic_ranker()
    plain = mixed[::2].copy()
    plain[:, FEATURE_INDEX["text_lex"]] = 0.0
    plain[:, FEATURE_INDEX["names_mentioned"]] = 0.0
    assert np.allclose(r.decision_function(plain), base.decision_function(plain))


def test_a_stored_profile_with_text_is_scored_from_its_row(state) -> None:
    """Nothing is re-encoded for a stored profile whose texts are those of its row."""
    from profiles_fixture import PROFILES

    class Counting(HashingEncoder):
        calls = 0

        def encode(self, texts, *, progress=False):  # type: ignore[no-untyped-def]
            Counting.calls += 1
            return super().encode(texts, progress=progress)

    eau = next(p for p in PROFILES if p.id == A)
    enc = Counting(dim=128)
    first = recommend(eau, state=state, encoder=enc, k=3)
    assert Counting.calls == 0 and first[0].id == "GN-100"
    edited = eau.with_changes(needs=Facet((), "Échanges scolaires et jeunesse"))
    recommend(edited, state=state, encoder=enc, k=3)
    assert Counting.calls == 1  # an "as if" profile with other texts is encoded once


def test_the_mentions_a_scoring_carries_are_those_the_reasons_would_search_again(state, encoder) -> None:
    """Who names whom is found once, with the features, and carried to the reasons (an event no longer searches
    twice); brute force: the search over the same rows, and the reasons built without the carried values."""
    from dataclasses import replace

    from profiles_fixture import PROFILES

    from matcher.ranking.features import mention_shares
    from matcher.ranking.scoring import explain, prepared, score_many
    from matcher.ranking.state import query_from_profile

    eau = next(p for p in PROFILES if p.id == A).with_changes(
        needs=Facet(("tourism",), "Nous coopérons déjà avec Ndiaye et voulons développer le tourisme culturel"))
    q = query_from_profile(eau, state.arrays, encoder=encoder, countries=state.countries)
    cand = eligible_rows(state, q, eau, Filters())
    for sc in (score_rows(state, q, cand), score_many(state, [(q, cand)])[0], rank(state, q, cand)):
        assert sc.mentions is not None
        by_q, by_c = mention_shares(prepared(state, q), state.arrays, sc.rows)
        assert np.array_equal(sc.mentions[:, 0], by_q) and np.array_equal(sc.mentions[:, 1], by_c)
        assert sc.mentions[:, 0].max() > 0  # the text names Ndiaye
        top = np.argsort(-sc.logits, kind="stable")[:5]
        assert explain(state, q, eau, sc, top) == explain(state, q, eau, replace(sc, mentions=None), top)
