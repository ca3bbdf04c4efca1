"""A small LRU of match results for catalogue authorities, kept in step with the matcher's state.

Why: one ranking over the real catalogue (~244k authorities) costs ~15 ms of CPU in the engine, so two
cores cannot serve many distinct queries per second; a partner search is however asked again and again
for the same authority (paging through the UI, several staff looking at the same commune). The result
depends only on (authority, filters, k, diversity) and on the matcher state, which ``Matcher`` swaps on
every verified write. A write replaces one row: each entry carries its ranking's ``Footprint`` and the
cache keeps, on ``on_change``, exactly the entries the write provably cannot change
(``matcher.ranking.footprint.may_change``), re-tied to the new state; a delete (links change) drops them all.
The explanation language is applied after the cache (a ``Match`` carries both languages).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

from matcher.ranking.engine import MatchState, StateChange
from matcher.ranking.footprint import Footprint, may_change

V = TypeVar("V")


class StateCache(Generic[V]):
    """LRU mapping of hashable keys to values computed on one ``MatchState`` (``size=0`` disables it).

    Values computed on another state than the cache's current one are not stored, nor served (but for
    the kept entries, also valid on the state just replaced): the current state moves only through
    ``on_change`` (or is adopted by the first use)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._state: MatchState | None = None
        self._previous: MatchState | None = None
        self._data: LRUCache[Hashable, tuple[V, Footprint | None]] = LRUCache(max(size, 1))
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.kept = 0  # entries that survived a write (``on_change``)
        self.dropped = 0  # entries a write may have changed

    def _adopt(self, state: MatchState) -> bool:
        if self._state is None:
            self._state = state
        return state is self._state

    def _serves(self, state: MatchState) -> bool:
        """Entries answer for the current state, and for the one it replaced: ``on_change`` kept only the
        entries that are the same on both (requests that began before the swap still carry the old one)."""
        return self._adopt(state) or state is self._previous

    def get(self, state: MatchState, key: Hashable) -> V | None:
        with self._lock:
            item = self._data.get(key) if self._serves(state) else None
            if item is None:
                self.misses += 1
                return None
            self.hits += 1
            return item[0]

    def put(self, state: MatchState, key: Hashable, value: V, footprint: Footprint | None = None) -> None:
        """Store ``value`` computed on ``state``; ``footprint`` lets it outlive writes that cannot change it."""
        if self.size <= 0:
            return
        with self._lock:
            if not self._adopt(state):  # computed on a state that was replaced meanwhile: drop it
                return
            self._data[key] = (value, footprint)  # the least recently used goes beyond ``size``

    def on_change(self, change: StateChange) -> None:
        """Follow the matcher to ``change.new`` (called before the matcher installs it), keeping what the
        change cannot have altered. The checks run outside the lock: the old state is served meanwhile."""
        with self._lock:
            if self._state is not change.old or change.row is None:
                self.dropped += len(self._data)
                self._data.clear()
                self._state, self._previous = change.new, None
                return
            snapshot = list(self._data.items())
        row = change.row
        keep = {key for key, (_, fp) in snapshot if fp is not None and not may_change(fp, change.new, row)}
        with self._lock:
            if self._state is not change.old:  # another change came first: start over
                self._data.clear()
                self._previous = None
            else:
                before = len(self._data)
                # Entries put since the snapshot were not checked: they go too (the others keep their order).
                for k in [k for k in self._data if k not in keep]:
                    del self._data[k]
                self.kept += len(self._data)
                self.dropped += before - len(self._data)
                self._previous = change.old
            self._state = change.new

    def __len__(self) -> int:
        return len(self._data)
