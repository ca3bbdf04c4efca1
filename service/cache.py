"""A small LRU of match results for catalogue authorities, valid for one matcher state.

Why: one ranking over the real catalogue (~100k authorities) costs 25-40 ms of CPU in the engine, so
two cores cannot serve much more than ~60 distinct queries per second; a partner search is however
asked again and again for the same authority (paging through the UI, several staff looking at the
same commune). The result depends only on (authority, filters, k, diversity) and on the matcher state
— which ``Matcher`` swaps on every profile write — so entries are tied to the state they were computed
on and the whole cache is dropped as soon as the state changes. The explanation language is applied
after the cache (a ``Match`` carries both languages).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from matcher.engine import MatchState

V = TypeVar("V")


class StateCache(Generic[V]):
    """LRU mapping of hashable keys to values computed on one ``MatchState`` (``size=0`` disables it)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._state: MatchState | None = None
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, state: MatchState, key: Hashable) -> V | None:
        with self._lock:
            if state is not self._state:
                self._data.clear()
                self._state = state
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, state: MatchState, key: Hashable, value: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            if state is not self._state:  # computed on a state that was replaced meanwhile: drop it
                return
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
