"""What training and the evaluations read from the store and the case files: the match state (with its
twinnings only, for the structural model), the matched catalogue with its resolver, and the cooperation
cases as profiles inside a state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from matcher.catalogue.resolve import Resolver
from matcher.domain import Profile
from matcher.encoding import Encoder
from matcher.learning.cooperation import Case, build_case_set, read_cases, read_translations, translated_cases
from matcher.learning.thematic import CaseState, case_state
from matcher.ranking.ranker import PairRanker
from matcher.ranking.state import MatchState
from matcher.store.protocol import ProfileStore

#: The matched catalogue by id and its resolver: read once per command.
Lookup = tuple[dict[str, Profile], Resolver]


def load_state(store: ProfileStore, encoder: Callable[[], Encoder], *, ranker: PairRanker | None = None,
               with_encoder: bool = False) -> MatchState:
    """The store's match state. The embedding model (``encoder()``) is loaded only if some stored profile has
    text (the shipped catalogue has none), or if texts will be added (``with_encoder``: the cooperation
    cases), so that dimensions agree."""
    from matcher.ranking.loading import build_state

    need = with_encoder or any(p.has_text for p in store.all_profiles(verified_only=True))
    state, _ = build_state(store, encoder=encoder() if need else None, ranker=ranker, progress=True)
    return state


def twinning_state(state: MatchState) -> MatchState:
    """``state`` with its twinnings only: the structural model and its evaluation learn from twinnings; the
    cooperation cases enter through the text, one-sided and calibration fits, fold by fold."""
    if not any(x.kind != "twinning" for x in state.links):
        return state
    return MatchState.build(state.arrays, [x for x in state.links if x.kind == "twinning"], state.ranker,
                            state.countries)


def catalogue_lookup(store: ProfileStore) -> Lookup:
    """The matched catalogue by id and its resolver, for the cases."""
    catalogue = {p.id: p for p in store.all_profiles(verified_only=True)}
    return catalogue, Resolver(list(catalogue.values()), store.countries())


def read_translated(dev_path: Path, translations_path: Path) -> list[Case]:
    """The development set's cases with their needs translated (``cooperation.translated_cases``)."""
    return translated_cases(read_cases(dev_path), read_translations(translations_path))


def case_variant(lookup: Lookup, state: MatchState, cases: Sequence[Case], encoder: Encoder) -> CaseState:
    """The cooperation cases as profiles inside ``state`` (see ``matcher.learning.thematic``)."""
    catalogue, resolver = lookup
    case_set = build_case_set(cases, catalogue, resolver, countries=state.arrays.country_codes)
    return case_state(state, case_set, encoder)


__all__ = ["Lookup", "case_variant", "catalogue_lookup", "load_state", "read_translated", "twinning_state"]
