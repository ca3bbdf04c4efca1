"""Repository-relative default locations (the project runs from a checkout; see README)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DB = DATA_DIR / "twinmatch.db"
MODELS_DIR = REPO_ROOT / "models"


def is_database_url(value: str | Path) -> bool:
    """True for a PostgreSQL connection URL (``postgresql://`` or ``postgres://``), as opposed to a SQLite
    file path."""
    return isinstance(value, str) and value.startswith(("postgresql://", "postgres://"))


def redact_db(target: str | Path) -> str:
    """A database path or URL for messages: a URL's password is replaced by ``***``."""
    if not is_database_url(target):
        return str(target)
    parts = urlsplit(str(target))
    if parts.password is None:
        return str(target)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def db_target(value: str | Path) -> Path | str:
    """A ``--db`` / ``$TWINMATCH_DB`` value: a PostgreSQL URL stays a string, anything else is a file path."""
    return value if is_database_url(value) else Path(value)


def default_db() -> Path | str:
    """``$TWINMATCH_DB`` if set (a SQLite file or a ``postgresql://`` URL), else ``data/twinmatch.db``."""
    return db_target(os.environ.get("TWINMATCH_DB") or DEFAULT_DB)
