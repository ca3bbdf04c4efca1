"""Wiring for real use: store + encoder + ranker -> a ready ``Matcher``.

The one place that turns stored profiles into the in-memory state the engine reads. Texts go
through the embedding cache, so a restart re-encodes nothing that was encoded before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.encoding import CachedEncoder, Encoder
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.artifact import load_ranker
from matcher.ranking.engine import Matcher, MatchState
from matcher.ranking.ranker import PairRanker
from matcher.ranking.text_corpus import profile_texts
from matcher.store.protocol import ProfileStore

DEFAULT_DIM = 512


@dataclass(frozen=True)
class LoadReport:
    profiles: int
    texts: int
    encoded: int  # texts actually sent to the model (the rest came from the cache)
    links: int
    seconds: float


def encode_profile_texts(store: ProfileStore, encoder: Encoder | None, texts: dict[str, str], *,
                         progress: bool = False) -> tuple[dict[str, np.ndarray], int]:
    if not texts:
        return {}, 0
    if encoder is None:
        raise ValueError("profiles have texts but no encoder was given")
    cached = encoder if isinstance(encoder, CachedEncoder) else CachedEncoder(encoder, store)
    before = cached.encoded_count
    keys = sorted(texts)
    vecs = cached.encode([texts[k] for k in keys], progress=progress)
    return {k: vecs[i] for i, k in enumerate(keys)}, cached.encoded_count - before


def build_state(store: ProfileStore, *, encoder: Encoder | None, ranker: PairRanker | None,
                progress: bool = False) -> tuple[MatchState, LoadReport]:
    t0 = time.perf_counter()
    profiles = list(store.all_profiles(verified_only=True))  # pending profiles are matched by nobody
    countries = store.countries()
    texts = profile_texts(profiles)
    vectors, encoded = encode_profile_texts(store, encoder, texts, progress=progress)
    dim = encoder.dim if encoder is not None else DEFAULT_DIM
    arrays = CatalogueArrays.build(profiles, countries, vectors, dim=dim)
    links = store.links()
    state = MatchState.build(arrays, links, ranker, countries)
    return state, LoadReport(profiles=len(profiles), texts=len(texts), encoded=encoded, links=len(links),
                             seconds=time.perf_counter() - t0)


def load_matcher(store: ProfileStore, *, encoder: Encoder | None, ranker_path: Path,
                 progress: bool = False, query_cache: int = 2048) -> tuple[Matcher, LoadReport]:
    """The matcher over everything in ``store``, with the saved ranker (versions checked on load).
    Stored profiles' texts go through the store's embedding cache; query texts (ad-hoc profiles) only
    through a memory LRU of ``query_cache`` texts (``matcher.encoding.QueryEncoder``)."""
    ranker = load_ranker(ranker_path)
    cached = CachedEncoder(encoder, store) if encoder is not None else None
    state, report = build_state(store, encoder=cached, ranker=ranker, progress=progress)
    return Matcher(state, encoder=cached, query_cache=query_cache), report
