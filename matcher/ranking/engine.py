"""The one place that wires the steps of a match:
eligibility filter → features over all candidates → cheap first stage → learned ranker on the
shortlist → diversity re-ranking → explanations.

``recommend`` is a function of its inputs (a profile, the loaded ``MatchState``, an encoder for texts
that are not in the catalogue yet); ``Matcher`` keeps the state current when profiles are written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matcher.domain import LEVELS, Filters, Match, Profile
from matcher.encoding import Encoder, QueryEncoder
from matcher.errors import InvalidInput, NotFound
from matcher.ranking.arrays import KINDS, CatalogueArrays
from matcher.ranking.footprint import Footprint
from matcher.ranking.listing import diversify, listed
from matcher.ranking.row_edits import with_profile, without
from matcher.ranking.scoring import SHORTLIST, explain, rank, shortlist
from matcher.ranking.state import (
    MatchState,
    _with_arrays,
    eligible_rows,
    extended_state,
    preference_indices,
    query_from_profile,
    query_from_row,
)
from matcher.ranking.text_corpus import profile_texts

__all__ = [
    "SHORTLIST",
    "MatchState",
    "Matcher",
    "StateChange",
    "diversify",
    "eligible_rows",
    "extended_state",
    "preference_indices",
    "query_from_profile",
    "query_from_row",
    "recommend",
    "shortlist",
    "traced_recommend",
]


def recommend(profile: Profile, *, state: MatchState, encoder: Encoder | None = None,
              filters: Filters | None = None, k: int = 10, diversity: float = 0.0) -> list[Match]:
    """The ranked, explained top-``k`` partners for ``profile`` (stored or ad hoc)."""
    return traced_recommend(profile, state=state, encoder=encoder, filters=filters, k=k, diversity=diversity)[0]


def traced_recommend(profile: Profile, *, state: MatchState, encoder: Encoder | None = None,
                     filters: Filters | None = None, k: int = 10, diversity: float = 0.0, trace: bool = False
                     ) -> tuple[list[Match], Footprint | None]:
    """``recommend``, and with ``trace`` the ranking's ``Footprint``: what a later one-row write must
    reach to change it (``footprint.may_change``; None when no candidate was eligible: any write may)."""
    filters = filters or Filters()
    if k < 1:
        raise InvalidInput("k must be at least 1", field="k")
    a = state.arrays
    q = query_from_profile(profile, a, encoder=encoder, countries=state.countries)
    cand = eligible_rows(state, q, profile, filters)
    if len(cand) == 0:
        return [], None
    scored = rank(state, q, cand, trace=trace)
    top = listed(state, scored, k, diversity)
    order = top.positions
    reasons = explain(state, q, profile, scored, order)
    scores = top.scores
    out = []
    for rank_, (pos, why, score) in enumerate(zip(order, reasons, scores), start=1):
        r = int(scored.rows[pos])
        out.append(Match(
            id=str(a.ids[r]), name=str(a.names[r]), country=a.country_codes[a.country[r]],
            kind=KINDS[int(a.kind[r])].value, lat=_opt(a.lat[r]), lon=_opt(a.lon[r]),
            score=round(float(score), 4), rank=rank_, reasons=why, population=population_of(a, r),
            level=LEVELS[int(a.level[r])].value, name_fr=a.names_fr.get(str(a.ids[r]), ""),
        ))
    return out, scored.footprint


def population_of(a: CatalogueArrays, r: int) -> int | None:
    """The stored population of row ``r`` (exact: ``population`` holds the integer), or None if unknown."""
    p = int(a.population[r])
    return p if p > 0 else None


def _opt(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 5)


def _moved_link_end(old: MatchState, arrays: CatalogueArrays, row: int) -> bool:
    """Whether ``row``, an end of known links, changed country, region or place in ``arrays``."""
    ends = old.history.endpoints
    i = int(np.searchsorted(ends, row))
    if i >= len(ends) or ends[i] != row:
        return False
    a = old.arrays

    def region(x: CatalogueArrays) -> str | None:
        return x.admin1_keys[x.admin1[row]] if x.admin1[row] >= 0 else None

    return bool(a.country[row] != arrays.country[row] or region(a) != region(arrays)
                or a.has_coord[row] != arrays.has_coord[row]
                or not np.array_equal(a.xyz[row], arrays.xyz[row], equal_nan=True))


# ---- the stateful wrapper used by the CLI and the service ----------------------------------------
@dataclass(frozen=True)
class StateChange:
    """One swap of the matcher's state: ``row`` is the one row a verified write replaced or appended (every
    other row, the links and the shares as they were); None when anything may have changed (a delete)."""

    old: MatchState
    new: MatchState
    row: int | None


class Matcher:
    """Holds the current ``MatchState`` and keeps it in step with profile writes (copy-on-write)."""

    def __init__(self, state: MatchState, *, encoder: Encoder | None, query_cache: int = 2048) -> None:
        self._state = state
        #: Stored profiles' texts (written through the embedding cache of the store, if it is a CachedEncoder).
        self.encoder = encoder
        #: Query texts that are not stored (ad-hoc profiles): kept in a bounded memory LRU, never in the store.
        self.query_encoder = QueryEncoder(encoder, query_cache) if encoder is not None else None
        self._lock = threading.Lock()
        #: Called on each swap of the state, just before it (what depends on it: match caches, the events'
        #: catalogue view).
        self.listeners: list[Callable[[StateChange], None]] = []

    def _swap(self, change: StateChange) -> None:
        """Tell the listeners, then install ``change.new``. Listeners run first so that a cache can sort its
        entries (slow: a check per entry) while the old state still serves every request, rather than
        answer misses meanwhile."""
        for listener in self.listeners:
            listener(change)
        self._state = change.new

    @property
    def state(self) -> MatchState:
        return self._state

    def recommend(self, profile: Profile, **kwargs: object) -> list[Match]:
        return recommend(profile, state=self._state, encoder=self.query_encoder, **kwargs)  # type: ignore[arg-type]

    def traced(self, profile: Profile, state: MatchState, **kwargs: object
               ) -> tuple[list[Match], Footprint | None]:
        """``traced_recommend`` on ``state`` (the state a cache entry will be tied to)."""
        return traced_recommend(profile, state=state, encoder=self.query_encoder, trace=True,
                                **kwargs)  # type: ignore[arg-type]

    def profile_written(self, profile: Profile) -> None:
        """Re-embed only this profile's texts and swap in arrays with its row replaced. A profile that is
        not verified is matched by nobody: writing it changes nothing here (and tells no listener), unless
        it was matched until now (rejected after verification), when it leaves the arrays."""
        if not profile.is_verified:
            if self._state.arrays.row(profile.id) is not None:
                self.profile_deleted(profile.id)
            return
        texts = profile_texts([profile])
        vecs = {}
        if texts:
            if self.encoder is None:
                raise InvalidInput("cannot embed profile texts without an encoder", field="description")
            keys = sorted(texts)
            enc = self.encoder.encode([texts[x] for x in keys])
            vecs = {key: enc[i] for i, key in enumerate(keys)}
        with self._lock:
            s = self._state
            arrays = with_profile(s.arrays, profile, vecs, s.countries)
            new = _with_arrays(s, arrays)
            row = arrays.row(profile.id)
            if row is not None and _moved_link_end(s, arrays, row):
                row = None  # where its links go changed: every query's link-history terms may have
            self._swap(StateChange(s, new, row))

    def profile_deleted(self, profile_id: str) -> None:
        with self._lock:
            s = self._state
            if s.arrays.row(profile_id) is None:
                raise NotFound(f"unknown authority id {profile_id!r}", field="id")
            links = [x for x in s.links if profile_id not in (x.a, x.b)]
            self._swap(StateChange(s, MatchState.build(without(s.arrays, profile_id), links, s.ranker, s.countries),
                                   None))
