"""Values derived once from an immutable object and kept on it.

``CatalogueArrays`` and ``HistoryIndex`` never change (a write makes new ones), so anything computed from one
of them stays true as long as it lives: a table by country, the word corpus, the rows the links reach. They are
frozen dataclasses, so the value is set past their ``__setattr__``, under a private name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def once(owner: object, key: str, build: Callable[[], T]) -> T:
    """``build()`` the first time ``owner`` is asked for ``key``, the same value after."""
    got = owner.__dict__.get(key)
    if got is None:
        got = build()
        object.__setattr__(owner, key, got)
    return got


__all__ = ["once"]
