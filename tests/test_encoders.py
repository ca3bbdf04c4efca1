"""The ``Encoder`` contract, for every implementation: the same vectors as the model behind it, the right
shape for no text, and the memoising encoders send each distinct text to the model once."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from matcher.encoding import CachedEncoder, Encoder, HashingEncoder, MemoryCache, QueryEncoder

TEXTS = ["Gestion de l'eau potable en régie", "Water utility", "Gestión del agua", "Water utility", ""]
MAKERS: dict[str, Callable[[Encoder], Encoder]] = {
    "hashing": lambda inner: inner,
    "cached": lambda inner: CachedEncoder(inner, MemoryCache()),
    "query": lambda inner: QueryEncoder(inner, size=16),
    "query, no memory": lambda inner: QueryEncoder(inner, size=0),
    "query over cached": lambda inner: QueryEncoder(CachedEncoder(inner, MemoryCache()), size=16),
}


@pytest.mark.parametrize("name", MAKERS)
def test_same_vectors_as_the_model(name: str) -> None:
    inner = HashingEncoder(dim=32)
    enc = MAKERS[name](inner)
    assert enc.dim == 32 and enc.model_id == inner.model_id
    np.testing.assert_allclose(enc.encode(TEXTS), inner.encode(TEXTS), rtol=0, atol=1e-7)
    np.testing.assert_allclose(enc.encode(TEXTS[::-1]), inner.encode(TEXTS[::-1]), rtol=0, atol=1e-7)
    empty = enc.encode([])
    assert empty.shape == (0, 32) and empty.dtype == np.float32


@pytest.mark.parametrize("name", ["cached", "query", "query over cached"])
def test_each_distinct_text_reaches_the_model_once(name: str) -> None:
    enc = MAKERS[name](HashingEncoder(dim=32))
    enc.encode(TEXTS)
    enc.encode(TEXTS[:2])
    assert enc.encoded_count == len(set(TEXTS))  # type: ignore[attr-defined]


def test_a_query_encoder_without_memory_encodes_every_call() -> None:
    enc = QueryEncoder(HashingEncoder(dim=32), size=0)
    enc.encode(TEXTS[:2])
    enc.encode(TEXTS[:2])
    assert enc.encoded_count == 4 and enc.cached == 0
