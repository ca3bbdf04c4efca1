"""Rate limits (the ``limits`` library, moving windows, in memory per process), per client address and per
API key, on what an abuser would repeat: registrations, claims, writes, uploads and failed authentication.

An exceeded limit is a ``TooManyRequests`` (429, ``Retry-After`` in seconds, the one error shape). The
limits are ``Settings`` strings in the library's notation ("10/hour", "120/minute").
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from matcher.errors import MatcherError
from service.settings import Settings

RULES = ("registration", "claim", "write", "upload", "auth_failure")


class TooManyRequests(MatcherError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimits:
    """The service's limits; ``hit`` counts one request and raises once a window is full."""

    def __init__(self, settings: Settings) -> None:
        self._window = MovingWindowRateLimiter(MemoryStorage())
        self.rules: dict[str, RateLimitItem] = {
            "registration": parse(settings.rate_registration), "claim": parse(settings.rate_claim),
            "write": parse(settings.rate_write), "upload": parse(settings.rate_upload),
            "auth_failure": parse(settings.rate_auth_failure),
        }

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
