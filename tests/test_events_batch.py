"""Event batch ranking: known answers on the tiny world, the batch append, the pairwise matrices."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from profiles_fixture import COUNTRIES, LINKS, PROFILES

from matcher.domain import Facet, Kind, Profile
from matcher.errors import InvalidInput
from matcher.events.batch import put_profiles, rank_event
from matcher.events.participants import CatalogueView, read_participants, read_participants_file
from matcher.ranking.arrays import BY_ID, CatalogueArrays
from matcher.ranking.engine import MatchState, query_from_row
from matcher.ranking.features import pair_features
from matcher.ranking.text_corpus import profile_texts

FIXTURES = Path(__file__).parent / "fixtures" / "events"
COUNTRY_MAP = {c.code: c for c in COUNTRIES}


class CountingEncoder:
    """Wraps an encoder and records each call (the batch must embed once)."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    @property
    def dim(self):
        return self.inner.dim

    @property
    def model_id(self):
        return self.inner.model_id

    def encode(self, texts, *, progress=False):
        self.calls.append(list(texts))
        return self.inner.encode(texts)


@pytest.fixture(scope="module")
def catalogue() -> CatalogueView:
    return CatalogueView.build(PROFILES, COUNTRY_MAP, LINKS)


@pytest.fixture()
def event(catalogue):
    return read_participants_file(FIXTURES / "participants.csv", catalogue)


def top(ranking, pid: str) -> list[str]:
    return [m.partner_id for m in ranking.for_participant(pid)]


def test_known_answers_on_the_tiny_world(event, state, encoder):
    r = rank_event(event, state=state, encoder=encoder, k=5)
    assert top(r, "eau")[0] == "ndi"  # the water utility gets the municipality needing sanitation
    assert top(r, "ndi")[0] == "eau"  # and the other way round
    assert top(r, "reg")[0] == "kan"  # civil registry expertise <-> commune needing état civil
    assert top(r, "lyo")[0] == "rhe"  # no text: Lyonville's neighbours are twinned with Rheinstadt
    first = r.for_participant("eau")[0]
    assert first.rank == 1 and 0 < first.score <= 1 and first.partner_name == "Ndiaye"
    assert {x.code for x in first.reasons} & {"text_dense", "text_lex", "names_mentioned"}
    for pid, matches in zip(r.ids, r.rankings):
        assert [m.rank for m in matches] == list(range(1, len(matches) + 1))
        assert all(a.score >= b.score for a, b in itertools.pairwise(matches))


def test_filters_sides_existing_partners_and_avoid(event, state, encoder):
    r = rank_event(event, state=state, encoder=encoder, k=10)
    fr = {"eau", "reg", "lyo", "vil"}
    for pid in fr:
        assert not fr & set(top(r, pid)), "only pairs across sides"
    assert "rhe" not in top(r, "vil")  # Villeurbanne-Test is already twinned with Rheinstadt
    assert "row-9" not in top(r, "eau") and "eau" not in top(r, "row-9")  # avoid
    assert "rhe" in top(rank_event(event, state=state, encoder=encoder, k=10, include_existing=True), "vil")
    # The catalogue-free score matrices say the same: nan off the allowed pairs, symmetric mutual.
    i, j = event.index["vil"], event.index["rhe"]
    assert np.isnan(r.mutual[i, j]) and np.isnan(r.mutual[i, i])
    assert np.allclose(np.nan_to_num(r.mutual), np.nan_to_num(r.mutual.T))
    a, b = event.index["eau"], event.index["ndi"]
    assert r.mutual[a, b] == pytest.approx(np.sqrt(r.probability[a, b] * r.probability[b, a]), rel=1e-5)
    assert r.for_participant("eau")[0].mutual == pytest.approx(float(r.mutual[a, b]), abs=1e-4)


def test_texts_are_encoded_in_one_batch(catalogue, state, encoder):
    counting = CountingEncoder(encoder)
    body = ("name,country,needs,expertise\nNova,BR,Saneamento e água potável,Turismo\n"
            "Outra,BR,Saneamento e água potável,Museus\nEauville,FR,Tourisme culturel,\n")
    event = read_participants(body.encode(), "p.csv", catalogue)
    r = rank_event(event, state=state, encoder=counting, k=3, include_same_country=True)
    assert len(counting.calls) == 1
    # Distinct texts once: the repeated needs text is encoded a single time. Eauville's row is rebuilt
    # (its needs come from the file), so its inherited expertise and description are encoded too: 6.
    assert len(counting.calls[0]) == len(set(counting.calls[0])) == r.texts_encoded == 6


def test_catalogue_free_event(catalogue, ranker, encoder):
    event = read_participants_file(FIXTURES / "participants.json", CatalogueView(countries=COUNTRY_MAP))
    r = rank_event(event, state=None, encoder=encoder, ranker=ranker, countries=COUNTRY_MAP, k=3)
    assert r.catalogue_participants == 0
    assert set(top(r, "eau")) == {"ndi", "row-3"} and set(top(r, "row-3")) == {"eau"}
    assert np.isnan(r.mutual[1, 2])  # same side
    with pytest.raises(ValueError):
        rank_event(event, state=None, encoder=encoder, k=3)


def test_must_meet_pairs_are_scored_even_across_filters(catalogue, state, encoder):
    body = "id,name,country,must_meet\na,Eauville,FR,b\nb,Registreville,FR,\nc,Ndiaye,SN,\n"
    event = read_participants(body.encode(), "p.csv", catalogue)
    r = rank_event(event, state=state, encoder=encoder, k=5)
    assert not np.isnan(r.mutual[0, 1])  # same country, but they must meet
    assert "b" in top(r, "a")
    with pytest.raises(InvalidInput):
        rank_event(event, state=state, encoder=encoder, k=0)


def test_ranking_is_deterministic(event, state, encoder):
    r1 = rank_event(event, state=state, encoder=encoder, k=4)
    r2 = rank_event(event, state=state, encoder=encoder, k=4)
    assert r1.rankings == r2.rankings
    assert np.array_equal(np.nan_to_num(r1.mutual, nan=-1), np.nan_to_num(r2.mutual, nan=-1))


def _vectors(profiles, encoder):
    texts = profile_texts(profiles)
    keys = sorted(texts)
    vecs = encoder.encode([texts[k] for k in keys])
    return {k: vecs[i] for i, k in enumerate(keys)}


def test_put_profiles_equals_a_full_build(encoder, ranker):
    """Appending rows (and replacing one) in a batch gives the same features as building from scratch."""
    new = [
        Profile(id="X-1", name="Nova", kind=Kind.MUNICIPALITY, country="BR", admin1_code="26", lat=-8.0, lon=-35.0,
                population=20_000, languages=("pt", "xx"), needs=Facet(("water_sanitation",), "Saneamento")),
        Profile(id="X-2", name="Sans texte", kind=Kind.COMMUNE, country="FR", admin2_code="69", admin1_code="84",
                lat=45.7, lon=4.9),
    ]
    changed = PROFILES[6].with_changes(lat=10.5, population=41_000, needs=Facet((), "Jeunesse et sport"),
                                       preferred_sizes=("small",), partnership_types=("twinning",))
    # The replaced row stated a French name and a preferred country, which the new profile does not: gone.
    before = [*PROFILES[:6], PROFILES[6].with_changes(name_fr="Kankan-Essai", preferred_countries=("FR",)),
              *PROFILES[7:]]
    full_profiles = [*PROFILES[:6], changed, *PROFILES[7:], *new]
    vec = _vectors(full_profiles, encoder)
    full = CatalogueArrays.build(full_profiles, COUNTRY_MAP, vec, dim=encoder.dim)
    base = CatalogueArrays.build(before, COUNTRY_MAP, _vectors(before, encoder), dim=encoder.dim)
    put = put_profiles(base, [changed, *new], vec, COUNTRY_MAP)
    assert put.n == full.n and list(put.ids) == list(full.ids)
    for name in BY_ID:  # the lookups by id: the batch's entries in place of the replaced row's
        assert getattr(put, name) == getattr(full, name), name
    assert put.row("GN-200") == 6 and put.row("X-2") == len(PROFILES) + 1
    s_full = MatchState.build(full, LINKS, ranker, COUNTRY_MAP)
    s_put = MatchState.build(put, LINKS, ranker, COUNTRY_MAP)
    cand = np.arange(full.n)
    for pid in ("FR-COM-00001", "GN-200", "X-1", "X-2", "FR-COM-00003"):
        qf, qp = query_from_row(full, full.row(pid)), query_from_row(put, put.row(pid))
        Xf = pair_features(qf, full, s_full.history, cand, priority=s_full.priority, level_compat=s_full.level_compat)
        Xp = pair_features(qp, put, s_put.history, cand, priority=s_put.priority, level_compat=s_put.level_compat)
        assert np.allclose(Xf, Xp, equal_nan=True), pid
    assert put_profiles(base, [], {}, COUNTRY_MAP) is base


def test_put_profiles_rejects_an_unknown_country(encoder):
    base = CatalogueArrays.build(PROFILES, COUNTRY_MAP, _vectors(PROFILES, encoder), dim=encoder.dim)
    odd = Profile(id="Z", name="Z", kind=Kind.MUNICIPALITY, country="ZZ")
    with pytest.raises(InvalidInput, match="ZZ"):
        put_profiles(base, [odd], {}, COUNTRY_MAP)
