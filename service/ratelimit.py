"""Rate limits (the ``limits`` library, moving windows), per client address and per API key, on what an
abuser would repeat: registrations, claims, writes, uploads, failed authentication and anonymous ad-hoc rankings.

The windows are in memory per process, or — so that limits hold across replicas — in the database
(``StoreWindowStorage`` over the store's ``rate_hits`` table): ``Settings.rate_limit_storage``, by default
the database when it is PostgreSQL (the set-up that runs replicas), memory on SQLite.

An exceeded limit is a ``TooManyRequests`` (429, ``Retry-After`` in seconds, the one error shape). The
limits are ``Settings`` strings in the library's notation ("10/hour", "120/minute").
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, MovingWindowSupport, Storage
from limits.strategies import MovingWindowRateLimiter

from matcher.errors import MatcherError, StoreUnavailable
from matcher.store.protocol import ProfileStore
from service.settings import Settings

RULES = ("registration", "claim", "write", "upload", "auth_failure", "match")


class TooManyRequests(MatcherError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StoreWindowStorage(Storage, MovingWindowSupport):
    """The ``limits`` moving-window storage over the store's ``rate_hits`` (``ProfileStore.rate_acquire``:
    one transaction counts and records a hit, atomic across processes). Only the moving-window strategy
    is supported: the fixed-window counters (``incr`` / ``get`` / ``get_expiry``) raise."""

    STORAGE_SCHEME = None

    def __init__(self, store: ProfileStore) -> None:
        super().__init__()
        self.store = store

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return StoreUnavailable

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        return self.store.rate_acquire(key, limit, expiry, amount)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        return self.store.rate_window(key, expiry)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        raise NotImplementedError("StoreWindowStorage supports the moving-window strategy only")

    def get(self, key: str) -> int:
        raise NotImplementedError("StoreWindowStorage supports the moving-window strategy only")

    def get_expiry(self, key: str) -> float:
        raise NotImplementedError("StoreWindowStorage supports the moving-window strategy only")

    def check(self) -> bool:
        try:
            self.store.ping()
        except StoreUnavailable:
            return False
        return True

    def reset(self) -> int | None:
        return self.store.rate_clear()

    def clear(self, key: str) -> None:
        self.store.rate_clear(key)


class RateLimits:
    """The service's limits; ``hit`` counts one request and raises once a window is full. In memory until
    ``share_through`` puts the windows in the database."""

    def __init__(self, settings: Settings) -> None:
        self._window = MovingWindowRateLimiter(MemoryStorage())
        self.rules: dict[str, RateLimitItem] = {
            "registration": parse(settings.rate_registration), "claim": parse(settings.rate_claim),
            "write": parse(settings.rate_write), "upload": parse(settings.rate_upload),
            "auth_failure": parse(settings.rate_auth_failure), "match": parse(settings.rate_match),
        }

    def share_through(self, store: ProfileStore) -> None:
        """Keep the windows in ``store`` from now on (every process over it counts the same hits)."""
        self._window = MovingWindowRateLimiter(StoreWindowStorage(store))

    def _retry_after(self, item: RateLimitItem, *ids: str) -> int:
        reset = self._window.get_window_stats(item, *ids).reset_time
        return max(1, math.ceil(reset - time.time()))

    def hit(self, rule: str, *who: str) -> None:
        """One request of ``rule`` by each of ``who`` (a client address, a key id): 429 if any is over."""
        self._apply(self._window.hit, rule, who)

    def check(self, rule: str, *who: str) -> None:
        """429 if ``rule``'s window is already full for any of ``who`` (counts nothing)."""
        self._apply(self._window.test, rule, who)

    def _apply(self, allowed: Callable[..., bool], rule: str, who: tuple[str, ...]) -> None:
        item = self.rules[rule]
        for ident in who:
            if not allowed(item, rule, ident):
                raise TooManyRequests(f"too many {rule.replace('_', ' ')} requests; retry later",
                                      self._retry_after(item, rule, ident))


def client_address(request: Request) -> str:
    return f"ip:{request.client.host}" if request.client else "ip:unknown"
