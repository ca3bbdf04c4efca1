"""The service's LRU caches (cachetools): the match cache (``service.cache.StateCache``) and the event
registry's loaded events, rankings, schedules and rendered bodies (``service.services.event_registry``), each with
its bound, the least recently used going first."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from service.cache import StateCache
from service.services.event_registry import (
    RANKINGS_PER_EVENT,
    SCHEDULES_PER_EVENT,
    EventRegistry,
    LoadedEvent,
)

STATE: Any = object()


@dataclass(frozen=True)
class Ranking:
    rankings: tuple[tuple[int, ...], ...]  # the cache only compares states by identity


def test_state_cache_keeps_the_most_recently_used() -> None:
    cache: StateCache[str] = StateCache(2)
    cache.put(STATE, "a", "A")
    cache.put(STATE, "b", "B")
    assert cache.get(STATE, "a") == "A"  # a is now more recent than b
    cache.put(STATE, "c", "C")
    assert len(cache) == 2
    assert cache.get(STATE, "b") is None and cache.get(STATE, "a") == "A" and cache.get(STATE, "c") == "C"
    assert (cache.hits, cache.misses) == (3, 1)


def test_state_cache_of_size_zero_stores_nothing() -> None:
    cache: StateCache[str] = StateCache(0)
    cache.put(STATE, "a", "A")
    assert len(cache) == 0 and cache.get(STATE, "a") is None


def _loaded(event_id: str) -> LoadedEvent:
    return LoadedEvent(cast(Any, SimpleNamespace(id=event_id)), cast(Any, None))


def _registry(**kw: Any) -> EventRegistry:
    return EventRegistry(cast(Any, None), **kw)


def test_registry_keeps_the_most_recently_used_events() -> None:
    reg = _registry(max_loaded=2)
    a, b, c = _loaded("a"), _loaded("b"), _loaded("c")
    reg.put_loaded(a)
    reg.put_loaded(b)
    assert reg.loaded("a") is a
    reg.put_loaded(c)
    assert reg.loaded("b") is None and reg.loaded("a") is a and reg.loaded("c") is c
    assert reg.put_loaded(_loaded("a")) is a  # a second load of a loaded event is the first one
    assert reg.forget("a") and not reg.forget("a")


def test_rendered_bodies_share_a_byte_budget() -> None:
    reg = _registry(rendered_budget=100)
    reg.put_rendered(("e1", "x"), b"1" * 20)
    reg.put_rendered(("e1", "y"), b"2" * 20)
    reg.put_rendered(("e2", "x"), b"3" * 20)
    reg.put_rendered(("e1", "big"), b"4" * 26)  # over a quarter of the budget: never kept
    assert reg.rendered(("e1", "big")) is None
    assert reg.rendered(("e1", "x")) == b"1" * 20  # used: ("e1", "y") is now the least recent
    reg.put_rendered(("e3", "x"), b"5" * 25)
    reg.put_rendered(("e3", "y"), b"6" * 25)  # 20 + 20 + 20 + 25 + 25 = 110 > 100: the oldest goes
    assert reg.rendered(("e1", "y")) is None
    assert [reg.rendered(k) is not None for k in (("e1", "x"), ("e2", "x"), ("e3", "x"), ("e3", "y"))] == [True] * 4
    reg.put_rendered(("e2", "x"), b"7" * 25)  # replaced: counted once (20 + 25 + 25 + 25 = 95)
    assert reg.rendered(("e1", "x")) is not None and reg.rendered(("e2", "x")) == b"7" * 25


def test_forgetting_an_event_drops_its_rendered_bodies_only() -> None:
    reg = _registry()
    reg.put_loaded(_loaded("e1"))
    reg.put_rendered(("e1", "rankings"), b"a")
    reg.put_rendered(("e2", "rankings"), b"b")
    reg.forget("e1")
    assert reg.rendered(("e1", "rankings")) is None and reg.rendered(("e2", "rankings")) == b"b"


def test_an_event_keeps_its_latest_rankings_and_schedules() -> None:
    ev = _loaded("e")
    flags = (False, False)
    ranking = cast(Any, Ranking(((1, 2, 3), (4, 5, 6))))
    for k in range(1, RANKINGS_PER_EVENT + 2):
        ev.put_ranking(flags, 10 + k, ranking)
    assert len(ev.rankings) == RANKINGS_PER_EVENT and (flags, 11) not in ev.rankings
    assert ev.ranking(flags, 20) is None and ev.ranking((True, False), 1) is None
    assert ev.ranking(flags, 12) is ranking  # the smallest kept k >= 12 is 12 itself: as it is
    cut = ev.ranking(flags, 2)
    assert cut is not None and cut.rankings == ((1, 2), (4, 5))  # a prefix of the shortest longer list
    for i in range(SCHEDULES_PER_EVENT + 1):
        ev.put_schedule(i, cast(Any, i))
    assert ev.schedule(0) is None and ev.schedule(SCHEDULES_PER_EVENT) == SCHEDULES_PER_EVENT
