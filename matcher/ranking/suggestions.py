"""Catalogue-wide pairing suggestions for staff: (French authority, foreign authority) pairs with no
partnership yet, highest reciprocal score first.

Why not "every French authority against every foreign one": ~35k French authorities × ~60k foreign
ones is two billion pairs, and each French side costs one full ranking (tens of ms on the real
catalogue). So, pragmatically and boundedly:

- **Sources.** At most ``Settings.suggestion_sources`` French authorities, spread over France's régions
  and sizes, those that wrote a profile first (``matcher.ranking.suggestion_sources``). ``french_region``
  restricts the sources; ``theme`` puts sources working on that theme first.
- **Forward.** Each source is ranked like ``/matches`` (same eligibility: other countries, existing
  partners excluded; ``country``/``theme`` as candidate filters) and keeps its top
  ``suggestion_per_source`` candidates, without explanations (cheap path of the engine).
- **Reciprocal.** For each kept pair (f, p), the partner's side p → f is scored with the same ranker on
  that one candidate (features for a single pair: cheap). The pair's score is the geometric mean of the
  two probabilities, so a pair only ranks high when both sides would want it.
- **Computed ahead, kept current.** ``SuggestionWarmer`` (a daemon thread; ``Settings.suggestion_precompute``,
  on for ``twinmatch serve``) computes the unfiltered list to completion once the matcher is ready and
  again after every swap of the matcher's state (a profile write: it listens to the matcher). Until the
  new list is complete, requests are answered from the last complete one (``refreshing``), mapped to the
  current catalogue by id: a pair whose side was deleted or rejected meanwhile is left out, and reasons
  are computed on the current state. ``SuggestionCache.compute`` does the same synchronously (tests, CLI).
- **Lazy for the other filters.** Lists for other filters are extended on request: a request spends at
  most ``suggestion_budget_seconds`` extending its list, then answers from it; ``complete`` says whether
  every source has been scored (until then, later calls grow the list and page boundaries may shift).
  Lists are cached per filter set (LRU) and tied to the matcher state they were computed on. Staff
  decisions filter and annotate the list at read time (no recompute).

Cost on the real catalogue (~100k authorities, 2 cores): one source is one full forward ranking
(~30 ms) plus its partners' single-pair features and one batched ranker call: the default 200 sources
took 7.6 s in the background (``benchmarks/suggestions_spread.py``, 2 shared cores). A request costs the explanations of one page
(~0.1 s), plus at most the budget for a filtered list not complete yet.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from cachetools import LRUCache

from matcher.domain import Filters, Reason
from matcher.ranking.engine import Matcher
from matcher.ranking.listing import listed
from matcher.ranking.score_scale import probability
from matcher.ranking.scoring import Scored, calibrated, explain, rank, score_many, score_rows
from matcher.ranking.state import MatchState, eligible_rows, query_from_row
from matcher.ranking.suggestion_sources import FRENCH_REGIONS, french_region_code, select_sources

__all__ = ["CLOSED_STATUSES", "FRENCH_REGIONS", "IdPair", "SuggestionCache", "SuggestionFilters", "SuggestionList",
           "SuggestionWarmer", "french_region_code", "pair_reasons", "visible"]
log = logging.getLogger("twinmatch.suggestions")

#: Decisions that take a pair out of the suggestions (it happened, or staff said no).
CLOSED_STATUSES = frozenset({"accepted", "rejected"})


@dataclass(frozen=True)
class SuggestionFilters:
    french_region: str | None = None  # admin-1 code ("84") or name of the French side's région
    country: str | None = None  # partner country (ISO alpha-2)
    theme: str | None = None  # theme code: in either side's expertise or needs


@dataclass(frozen=True)
class Pair:
    """A scored pair by catalogue rows of the state it was computed on (internal)."""

    french_row: int
    partner_row: int
    forward: float  # P(partner fits french), from the French side
    backward: float  # from the partner's side
    score: float  # geometric mean


@dataclass(frozen=True)
class IdPair:
    """A scored pair by authority ids: what leaves this module (rows change with every state)."""

    french_id: str
    partner_id: str
    forward: float
    backward: float
    score: float


@dataclass(frozen=True)
class SuggestionList:
    pairs: list[IdPair]  # best first
    complete: bool  # every source was scored
    considered: int  # sources scored
    total: int  # sources selected
    #: The pairs are the last complete list, computed before the latest profile writes; the new one is being
    #: computed (pairs whose side has left the matcher since are the caller's to drop: ``pair_reasons``).
    refreshing: bool = False


def _ranked_key(p: Pair) -> tuple[float, int, int]:
    return (-p.score, p.french_row, p.partner_row)


@dataclass
class _Entry:
    state: MatchState
    sources: list[int]
    done: int = 0
    pairs: list[Pair] = field(default_factory=list)
    sorted_upto: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: list[IdPair] | None = None

    @property
    def complete(self) -> bool:
        return self.done >= len(self.sources)

    def ranked(self) -> list[Pair]:
        if self.sorted_upto != len(self.pairs):
            self.pairs.sort(key=_ranked_key)
            self.sorted_upto = len(self.pairs)
        return self.pairs

    def id_pairs(self, pairs: list[Pair] | None = None) -> list[IdPair]:
        """``pairs`` (default: the ranked list) by ids; kept once the entry is complete (it no longer grows)."""
        if pairs is None and self._ids is not None:
            return self._ids
        ids = self.state.arrays.ids
        out = [IdPair(str(ids[p.french_row]), str(ids[p.partner_row]), p.forward, p.backward, p.score)
               for p in (self.ranked() if pairs is None else pairs)]
        if pairs is None and self.complete:
            self._ids = out
        return out


def _sig(x: float) -> float:
    """Six significant digits: twinning probabilities are small (1e-5), so fixed decimals would lose them."""
    return float(f"{float(x):.6g}")


def _source_pairs(s: MatchState, f: SuggestionFilters, src: int, per_source: int) -> list[Pair]:
    """The pairs of one source: its top ``per_source`` candidates, each scored from both sides."""
    a = s.arrays
    q = query_from_row(a, src)
    on_theme = bool(f.theme) and bool((int(a.exp_themes[src]) | int(a.need_themes[src]))
                                      & int(a.theme_bits([f.theme or ""])))
    filters = Filters(countries=(f.country,) if f.country else (),
                      themes=(f.theme,) if f.theme and not on_theme else ())
    cand = eligible_rows(s, q, None, filters)
    if len(cand) == 0:
        return []
    scored = rank(s, q, cand)
    shown = listed(s, scored, per_source)  # as the French side's own list shows them
    partners = scored.rows[shown.positions]
    # Each partner's side: the single pair (p -> src), all of them in one ranker call.
    back_scored = score_many(s, [(query_from_row(a, int(p)), np.array([src])) for p in partners])
    fwd = shown.scores  # as the French side's list shows them
    assert s.ranker is not None
    back = probability(s.ranker.display_logit(np.array([calibrated(s, b)[0] for b in back_scored])))
    return [Pair(src, int(p_row), _sig(f_p), _sig(b_p), _sig(np.sqrt(f_p * b_p)))
            for p_row, f_p, b_p in zip(partners, fwd, back)]


def _extend(entry: _Entry, f: SuggestionFilters, per_source: int, deadline: float) -> None:
    """Score sources of ``entry`` until all are done or ``deadline`` (monotonic) has passed; at least one.
    The caller holds ``entry.lock``; ``done`` counts a source once its pairs are in."""
    assert entry.state.ranker is not None
    first = True
    while not entry.complete and (first or time.monotonic() < deadline):
        first = False
        try:
            entry.pairs.extend(_source_pairs(entry.state, f, entry.sources[entry.done], per_source))
        finally:  # a source that fails is skipped, not retried by every request
            entry.done += 1


class SuggestionCache:
    """Per-filter suggestion lists (LRU) for the current matcher state, and the last complete list of each
    filter set (by ids), which answers while the current state's list is being computed."""

    def __init__(self, max_entries: int = 32) -> None:
        self._entries: LRUCache[SuggestionFilters, _Entry] = LRUCache(maxsize=max_entries)
        self._last_complete: LRUCache[SuggestionFilters, tuple[list[IdPair], int]] = LRUCache(maxsize=max_entries)
        self._lock = threading.Lock()  # cachetools caches are not thread-safe: every access holds it
        #: The state every list in ``_entries`` is computed on (read here: a read of the cache is a use).
        self._state: MatchState | None = None
        #: Filter sets a ``SuggestionWarmer`` keeps complete: requests do not compete with it for them.
        self.warmed: set[SuggestionFilters] = set()

    @property
    def max_entries(self) -> int:
        """Filter sets kept (lists, and last complete lists), the least recently used dropped first."""
        return int(self._entries.maxsize)

    def _keep_complete(self, f: SuggestionFilters, entry: _Entry) -> None:
        """Remember ``entry`` (complete) as the last complete list of ``f`` (caller holds ``_lock``)."""
        self._last_complete[f] = (entry.id_pairs(), len(entry.sources))

    def _entry(self, state: MatchState, f: SuggestionFilters, max_sources: int) -> _Entry:
        with self._lock:
            if state is not self._state:  # a profile write swapped the state: every list is stale
                for g, e in list(self._entries.items()):
                    if e.complete:
                        self._keep_complete(g, e)
                self._entries.clear()
                self._state = state
            entry = self._entries.get(f)
            if entry is None:
                entry = _Entry(state=state, sources=select_sources(
                    state, french_region=f.french_region, theme=f.theme, limit=max_sources))
                self._entries[f] = entry  # the least recently used list goes when there are max_entries
            return entry

    def compute(self, matcher: Matcher, f: SuggestionFilters, *, max_sources: int, per_source: int,
                should_stop: Callable[[], bool] = lambda: False) -> bool:
        """Score every source of ``f``'s list for the matcher's current state, one source at a time (requests
        may read or extend it in between). False if stopped early: ``should_stop`` said so, or the state
        was swapped meanwhile (the list is then stale: the caller computes again)."""
        state = matcher.state
        entry = self._entry(state, f, max_sources)
        while not entry.complete:
            if should_stop() or matcher.state is not state:
                return False
            with entry.lock:
                _extend(entry, f, per_source, deadline=0.0)  # one source
        with self._lock:
            self._keep_complete(f, entry)
        return True

    def suggestions(self, matcher: Matcher, f: SuggestionFilters, *, max_sources: int, per_source: int,
                    budget_seconds: float) -> SuggestionList:
        """The ranked list for ``f``: complete if it is (or was before the latest writes: ``refreshing``),
        else what at most ``budget_seconds`` of extra scoring reached."""
        state = matcher.state
        entry = self._entry(state, f, max_sources)
        with self._lock:
            last = self._last_complete.get(f)
        if not entry.complete and not (last is not None and f in self.warmed):
            deadline = time.monotonic() + budget_seconds
            # Waiting for another request that is extending the same list is bounded by the budget too.
            if entry.lock.acquire(timeout=budget_seconds):
                try:
                    _extend(entry, f, per_source, deadline)
                finally:
                    entry.lock.release()
        if entry.complete:
            with self._lock:
                self._keep_complete(f, entry)
            return SuggestionList(entry.id_pairs(), True, entry.done, len(entry.sources))
        if last is not None:
            pairs, total = last
            return SuggestionList(pairs, True, total, total, refreshing=True)
        with entry.lock:  # a consistent copy of a list another thread may be growing
            partial = sorted(entry.pairs, key=_ranked_key)
            done = entry.done
        return SuggestionList(entry.id_pairs(partial), False, done, len(entry.sources))


class SuggestionWarmer:
    """Keeps the lists of ``filters`` complete ahead of requests: a daemon thread computes them when
    started and again after each swap of the matcher's state (``poke``, installed as a matcher listener).
    ``matcher`` is read at each run (a catalogue reload installs another one)."""

    def __init__(self, cache: SuggestionCache, matcher: Callable[[], Matcher | None],
                 filters: Sequence[SuggestionFilters] = (SuggestionFilters(),), *, max_sources: int,
                 per_source: int) -> None:
        self.cache, self._matcher, self.filters = cache, matcher, tuple(filters)
        self.max_sources, self.per_source = max_sources, per_source
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0  # computations that completed every filter set on a state still current after them

    def start(self) -> None:
        self.cache.warmed.update(self.filters)
        self._thread = threading.Thread(target=self._run, name="twinmatch-suggestions", daemon=True)
        self._thread.start()
        self.poke()

    def poke(self, *_: object) -> None:
        """Compute again (a matcher listener: called with the ``StateChange``, before the swap)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            matcher = self._matcher()
            if matcher is None or self._stop.is_set():
                continue
            state = matcher.state
            try:
                done = all(self.cache.compute(matcher, f, max_sources=self.max_sources, per_source=self.per_source,
                                              should_stop=self._stop.is_set) for f in self.filters)
            except Exception:  # a bug must not kill the thread silently: requests fall back to lazy lists
                log.exception("precomputing the suggestions failed")
                continue
            if self._matcher() is not matcher or matcher.state is not state:
                self._wake.set()  # swapped meanwhile (a poke comes just before its swap): again
            elif done:
                self.runs += 1


def pair_reasons(state: MatchState, pair: IdPair) -> tuple[Reason, ...] | None:
    """Explanations of one pair from the French side, for staff: third person, naming both sides
    (computed for the returned page only, on ``state``); None when a side is no longer in ``state``
    (deleted or rejected since the list was computed)."""
    a = state.arrays
    french, partner = a.row(pair.french_id), a.row(pair.partner_id)
    if french is None or partner is None:
        return None
    q = query_from_row(a, french)
    scored: Scored = score_rows(state, q, np.array([partner]))
    return explain(state, q, None, scored, np.array([0]), audience="staff")[0]


# ---- read-time filtering ----------------------------------------------------------------------------
def visible(pairs: Sequence[IdPair], decided: Mapping[tuple[str, str], str], *, min_score: float,
            include_decided: bool) -> list[tuple[IdPair, str | None]]:
    """The pairs at or above ``min_score`` with their latest decision; closed ones (accepted, rejected)
    only with ``include_decided``."""
    out = []
    for p in pairs:
        if p.score < min_score:
            break  # ranked by score: nothing below passes either
        last = decided.get((p.french_id, p.partner_id))
        if last in CLOSED_STATUSES and not include_decided:
            continue
        out.append((p, last))
    return out
