"""The service's event registry: uploaded participant files, their parsed events and computed results.

Persistence is the store's (``ProfileStore.add_event`` / ``get_event`` / ``delete_event``, in the main
database, ``matcher.store.events``): the uploaded file itself (bytes, name) plus a few summary fields,
never derived data.

After a restart an event is read again from its file with the same validation as the upload, against
the catalogue of the moment (a catalogue authority's current profile is what gets ranked). Should the
file no longer validate (the catalogue changed under it), the event answers 409.

In memory: the ``MAX_LOADED_EVENTS`` most recently used events keep their parsed ``Event`` and their
computed rankings (per flags and k) and schedules (per flags, rounds and method); rendered bodies
(JSON / CSV / XLSX) share one byte budget (``RENDERED_BUDGET_BYTES``). Results are computed once on
first use and stay stable for the event while it is loaded: a later profile write elsewhere in the
catalogue does not silently change a ranking an organiser already downloaded.

Heavy work (reading the catalogue to validate a file, ranking, planning) goes through ``heavy``: one
job at a time (``HEAVY_JOBS``), waiting asynchronously so that queued jobs hold no worker thread.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import TypeVar

import anyio
import anyio.to_thread
from cachetools import LRUCache

from matcher.events.batch import EventRanking
from matcher.events.event_records import Event
from matcher.events.schedule import Schedule
from matcher.store.audit import ApiKey, utc_now
from matcher.store.events import EventRecord
from matcher.store.protocol import ProfileStore
from service.admission import Admission

MAX_LOADED_EVENTS = 16
RANKINGS_PER_EVENT = 4
SCHEDULES_PER_EVENT = 8
RENDERED_BUDGET_BYTES = 64 * 1024 * 1024
HEAVY_JOBS = 1

T = TypeVar("T")
#: (include_existing, include_same_country): the pair filters a ranking was computed with.
Flags = tuple[bool, bool]


@dataclass
class LoadedEvent:
    """A parsed event and what was computed for it (the record's ``data`` is not kept here)."""

    record: EventRecord
    event: Event
    rankings: LRUCache[tuple[Flags, int], EventRanking] = field(
        default_factory=lambda: LRUCache(RANKINGS_PER_EVENT))
    matrices: dict[Flags, EventRanking] = field(default_factory=dict)  # any ranking per flags (its matrices)
    schedules: LRUCache[Hashable, Schedule] = field(  # (flags, rounds, method, options digest)
        default_factory=lambda: LRUCache(SCHEDULES_PER_EVENT))
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.event.participants}

    def ranking(self, flags: Flags, k: int) -> EventRanking | None:
        """A cached ranking for these flags with at least ``k`` partners each, cut to ``k``. A top-k is a
        prefix of any longer top list (stable order, reasons computed per pair), so it is the same answer."""
        with self.lock:
            # The keys only: reading a value is a use (it moves to the end of the LRU order).
            fits = [kk for f, kk in self.rankings if f == flags and kk >= k]
            if not fits:
                return None
            kk = min(fits)
            r = self.rankings[(flags, kk)]
        return r if kk == k else replace(r, rankings=tuple(x[:k] for x in r.rankings))

    def put_ranking(self, flags: Flags, k: int, ranking: EventRanking) -> None:
        with self.lock:
            self.rankings[(flags, k)] = ranking
            self.matrices[flags] = ranking

    def matrix(self, flags: Flags) -> EventRanking | None:
        with self.lock:
            return self.matrices.get(flags)

    def put_matrix(self, flags: Flags, ranking: EventRanking) -> None:
        with self.lock:
            self.matrices.setdefault(flags, ranking)

    def schedule(self, key: Hashable) -> Schedule | None:
        with self.lock:
            return self.schedules.get(key)

    def put_schedule(self, key: Hashable, schedule: Schedule) -> None:
        with self.lock:
            self.schedules[key] = schedule


class EventRegistry:
    """Stored records, loaded events (LRU), rendered bodies (byte budget), and the heavy-job limiter."""

    def __init__(self, store: ProfileStore, *, max_loaded: int = MAX_LOADED_EVENTS,
                 rendered_budget: int = RENDERED_BUDGET_BYTES, heavy_jobs: int = HEAVY_JOBS,
                 admission: Admission | None = None) -> None:
        self.store = store
        self.admission = admission
        self.max_loaded = max_loaded
        self.rendered_budget = rendered_budget
        self.heavy_jobs = heavy_jobs
        self._loaded: LRUCache[str, LoadedEvent] = LRUCache(max_loaded)
        #: Sized in bytes: the least recently used bodies go while the total is over the budget.
        self._rendered: LRUCache[Hashable, bytes] = LRUCache(rendered_budget, getsizeof=len)
        self._lock = threading.Lock()
        self._limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
            weakref.WeakKeyDictionary())

    # ---- loaded events -----------------------------------------------------------------------
    def loaded(self, event_id: str) -> LoadedEvent | None:
        with self._lock:
            return self._loaded.get(event_id)

    def put_loaded(self, loaded: LoadedEvent) -> LoadedEvent:
        """Keep ``loaded`` (or the copy another request loaded meanwhile, so caches are not split)."""
        with self._lock:
            current = self._loaded.get(loaded.record.id)
            if current is not None:
                return current
            self._drop_rendered(loaded.record.id)  # bodies rendered from a previous load of this event
            self._loaded[loaded.record.id] = loaded
            return loaded

    def forget(self, event_id: str) -> bool:
        """Drop the event from memory; True if it was loaded."""
        with self._lock:
            self._drop_rendered(event_id)
            return self._loaded.pop(event_id, None) is not None

    def _drop_rendered(self, event_id: str) -> None:  # with self._lock held
        for key in [k for k in self._rendered if isinstance(k, tuple) and k and k[0] == event_id]:
            del self._rendered[key]

    # ---- rendered bodies ---------------------------------------------------------------------
    def rendered(self, key: tuple[Hashable, ...]) -> bytes | None:
        """``key[0]`` is the event id (so ``forget`` finds the entries)."""
        with self._lock:
            return self._rendered.get(key)

    def put_rendered(self, key: tuple[Hashable, ...], body: bytes) -> None:
        if len(body) > self.rendered_budget // 4:
            return  # one huge body would evict everything else
        with self._lock:
            self._rendered.pop(key, None)  # a body replaced is not counted while making room
            self._rendered[key] = body

    # ---- heavy work --------------------------------------------------------------------------
    def _limiter(self) -> anyio.CapacityLimiter:
        loop = asyncio.get_running_loop()
        with self._lock:
            limiter = self._limiters.get(loop)
            if limiter is None:
                limiter = self._limiters[loop] = anyio.CapacityLimiter(self.heavy_jobs)
            return limiter

    async def heavy(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` in a worker thread, at most ``heavy_jobs`` at a time (others wait without a thread);
        with an ``admission``, counted with the process's other ranking work (503 when it is full)."""
        if self.admission is not None:
            return await self.admission.run(fn, limiter=self._limiter())
        return await anyio.to_thread.run_sync(fn, limiter=self._limiter())


def new_record(event_id: str, filename: str, data: bytes, event: Event, created_by: str,
               name: str = "") -> EventRecord:
    sides = tuple(sorted({p.side for p in event.participants if p.side is not None}))
    return EventRecord(id=event_id, filename=filename, participants=len(event.participants), sides=sides,
                       catalogue_participants=sum(p.catalogue_id is not None for p in event.participants),
                       created_at=utc_now(), created_by=created_by, data=data, name=name)


def visible_events(store: ProfileStore, key: ApiKey) -> list[EventRecord]:
    """The events ``key`` may see, newest first: every event for staff, its own for an organiser, none
    for any other key. The API's list and the web app's both come here."""
    if key.role == "staff":
        return store.list_events()
    if key.role == "organiser":
        return store.list_events(created_by=key.id)
    return []


__all__ = ["EventRecord", "EventRegistry", "LoadedEvent", "new_record", "visible_events"]
