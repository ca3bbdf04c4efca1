"""Profile storage: the ``ProfileStore`` protocol and its SQLite implementation.

This is the only module that imports ``sqlite3``. The database is a real file (WAL mode), created on
first use from the processed catalogue files under ``data/``; every write is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from matcher.catalogue.files import Country
from matcher.domain import Link, Profile


@dataclass(frozen=True, slots=True)
class Decision:
    """What happened to one staff suggestion (audit trail; accepted/rejected become training labels)."""

    id: int
    french_id: str
    partner_id: str
    status: str  # proposed | contacted | accepted | rejected
    note: str
    actor: str  # key id / label of who recorded it (never a secret)
    created_at: str  # ISO 8601 UTC


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str  # public key id (prefix), safe to show
    role: str  # staff | owner
    authority_id: str | None
    label: str
    created_at: str
    revoked: bool


class ProfileStore(Protocol):
    """What the engine, CLI and service need from storage."""

    # --- profiles -----------------------------------------------------------------------------
    def get(self, profile_id: str) -> Profile: ...  # raises NotFound
    def get_many(self, ids: Iterable[str]) -> list[Profile]: ...  # unknown ids skipped
    def exists(self, profile_id: str) -> bool: ...
    def all_profiles(self) -> Iterator[Profile]: ...
    def count(self) -> int: ...
    def search(
        self, text: str = "", *, country: str | None = None, kind: str | None = None,
        limit: int = 20, cursor: str | None = None,
    ) -> tuple[list[Profile], str | None]: ...  # (page, next cursor or None)
    def add(self, profile: Profile) -> Profile: ...  # raises Conflict if the id exists
    def update(self, profile: Profile) -> Profile: ...  # replaces the stored profile; NotFound if absent
    def delete(self, profile_id: str) -> None: ...  # NotFound if absent; also removes its links

    # --- reference data ---------------------------------------------------------------------
    def countries(self) -> dict[str, Country]: ...
    def links(self) -> list[Link]: ...
    def stats(self) -> dict[str, object]: ...

    # --- embedding cache, keyed by (model id, text hash) ---------------------------------------
    def get_embeddings(self, model_id: str, hashes: list[str]) -> dict[str, np.ndarray]: ...
    def put_embeddings(self, model_id: str, vectors: dict[str, np.ndarray]) -> None: ...

    # --- staff decisions ----------------------------------------------------------------------
    def add_decision(self, french_id: str, partner_id: str, status: str, note: str, actor: str) -> Decision: ...
    def decisions(self, *, limit: int = 100, cursor: int | None = None) -> list[Decision]: ...

    # --- API keys (only hashes are stored) ------------------------------------------------------
    def create_key(self, role: str, authority_id: str | None, label: str = "") -> tuple[ApiKey, str]: ...
    def key_for_secret(self, secret: str) -> ApiKey | None: ...
    def revoke_key(self, key_id: str) -> None: ...
    def list_keys(self) -> list[ApiKey]: ...
