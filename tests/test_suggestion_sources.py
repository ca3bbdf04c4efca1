"""The French sources of the staff suggestions are spread over France (matcher/ranking/suggestion_sources.py): on a
synthetic France where one région holds every active big city, the first sources still cover every
(région, size band), an authority that wrote a profile comes first, and the order is deterministic."""

from __future__ import annotations

import numpy as np
import pytest
from profiles_fixture import COUNTRIES, foreign, fr

from matcher.domain import Facet, Link, Profile
from matcher.encoding import HashingEncoder
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.ranker import PairRanker
from matcher.ranking.state import MatchState
from matcher.ranking.suggestion_sources import french_region_code, round_robin, select_sources, size_band
from matcher.ranking.text_corpus import profile_texts

BIG = [f"FR-COM-1{i:04d}" for i in range(6)]  # Île-de-France, 300,000 inhabitants, 3 partners each


def _france() -> list[Profile]:
    out = [fr(pid, f"Métropole {i}", 48.8 + i / 100, 2.3, 300_000, dep="75", region="11") for i, pid in enumerate(BIG)]
    out += [fr("FR-COM-20001", "Hameau-Breton", 48.1, -1.6, 1_500, dep="35", region="53"),
            fr("FR-COM-20002", "Bourg-Breton", 48.2, -1.7, 5_000, dep="35", region="53"),
            fr("FR-COM-20003", "Ville-Bretonne", 48.3, -1.8, 30_000, dep="35", region="53"),
            fr("FR-COM-30001", "Grande-Occitane", 43.6, 1.4, 80_000, dep="31", region="76"),
            fr("FR-COM-30002", "Village-Occitan", 43.7, 1.5, 1_000, dep="31", region="76",
               needs=Facet(("tourism",), "Tourisme rural et artisanat")),  # asked for partners, no partner yet
            fr("FR-COM-30003", "Sans-Histoire", 43.8, 1.6, 2_500, dep="31", region="76")]  # neither: not a source
    out += [foreign(f"DE-{i}", f"Stadt {i}", "DE", 49 + i / 10, 8.4, 20_000) for i in range(10)]
    return out


def _links() -> list[Link]:
    links = [Link(pid, f"DE-{(i + j) % 10}", "twinning", "test") for i, pid in enumerate(BIG) for j in range(3)]
    return links + [Link(pid, "DE-9", "twinning", "test")
                    for pid in ("FR-COM-20001", "FR-COM-20002", "FR-COM-20003", "FR-COM-30001")]


@pytest.fixture(scope="module")
def france(encoder: HashingEncoder, ranker: PairRanker) -> MatchState:
    profiles = _france()
    texts = profile_texts(profiles)
    keys = sorted(texts)
    vecs = encoder.encode([texts[k] for k in keys])
    countries = {c.code: c for c in COUNTRIES}
    arrays = CatalogueArrays.build(profiles, countries, {k: vecs[i] for i, k in enumerate(keys)}, dim=encoder.dim)
    return MatchState.build(arrays, _links(), ranker, countries)


def _ids(state: MatchState, rows: list[int]) -> list[str]:
    return [str(state.arrays.ids[r]) for r in rows]


def test_the_first_sources_cover_every_region_and_size(france: MatchState) -> None:
    first = _ids(france, select_sources(france, french_region=None, theme=None, limit=6))
    # The one that wrote a profile first; then one per (région, size band), the most active band first.
    assert first[0] == "FR-COM-30002"
    assert set(first[1:]) == {BIG[0], "FR-COM-20001", "FR-COM-20002", "FR-COM-20003", "FR-COM-30001"}
    assert first[1] == BIG[0]  # 3 partners: the most active stratum's best opens the round
    # Ranking by activity alone would have taken five Île-de-France cities after the profile.
    everything = _ids(france, select_sources(france, french_region=None, theme=None, limit=100))
    assert everything[:6] == first and everything[6:] == BIG[1:]  # then the next round: the second best…
    assert "FR-COM-30003" not in everything  # no profile text, no partner: not a source


def test_filters_and_determinism(france: MatchState) -> None:
    assert _ids(france, select_sources(france, french_region="Bretagne", theme=None, limit=10)) == [
        "FR-COM-20001", "FR-COM-20002", "FR-COM-20003"]  # equal activity: catalogue order, one per band
    on_theme = _ids(france, select_sources(france, french_region=None, theme="tourism", limit=3))
    assert on_theme[0] == "FR-COM-30002"
    assert select_sources(france, french_region=None, theme=None, limit=50) == \
        select_sources(france, french_region=None, theme=None, limit=50)
    assert french_region_code("auvergne-rhone-alpes") == "84"


def test_bands_and_turns() -> None:
    assert size_band(np.array([0, 1, 1_999, 2_000, 9_999, 10_000, 199_999, 200_000, 2_000_000])).tolist() == [
        5, 0, 0, 1, 1, 2, 3, 4, 4]
    assert round_robin(np.array([7, 7, 3, 7, 3, 9])).tolist() == [0, 1, 0, 2, 1, 0]
