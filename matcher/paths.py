"""Repository-relative default locations (the project runs from a checkout; see README)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DB = DATA_DIR / "twinmatch.db"
MODELS_DIR = REPO_ROOT / "models"


def is_database_url(value: str | Path) -> bool:
    """True for a PostgreSQL connection URL (``postgresql://`` or ``postgres://``), as opposed to a SQLite
    file path."""
    return isinstance(value, str) and value.startswith(("postgresql://", "postgres://"))


#: Connection parameters whose value is a secret (libpq's names; a URL may carry them in its query string).
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def redact_db(target: str | Path) -> str:
    """A database path or URL for messages (logs, the CLI): every password is replaced by ``***`` — the
    URL's ``user:password@`` and the ``password=`` / ``sslpassword=`` parameters of its query string. A
    libpq ``key=value`` connection string is redacted the same way. Never for a client's eyes: clients get
    a generic sentence, without the URL (``service.errors``)."""
    text = str(target)
    if is_database_url(target):
        parts = urlsplit(text)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user, has_password, _ = userinfo.partition(":")
            netloc = f"{user}:***@{host}" if has_password else netloc
        query = "&".join(f"{name}={'***' if unquote(name).strip().lower() in SECRET_PARAMETERS else value}"
                         for name, _, value in (field.partition("=") for field in parts.query.split("&") if field))
        return urlunsplit(parts._replace(netloc=netloc, query=query))
    if "=" in text and not isinstance(target, Path):
        params = _conninfo(text)
        if params is not None and SECRET_PARAMETERS & params.keys():
            from psycopg.conninfo import make_conninfo

            return make_conninfo(**{k: "***" if k in SECRET_PARAMETERS else str(v) for k, v in params.items()})
    return text


def _conninfo(text: str) -> dict[str, object] | None:
    """libpq's reading of a URL or ``key=value`` string (psycopg.conninfo), None if it is neither."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        return dict(conninfo_to_dict(text))
    except psycopg.ProgrammingError:
        return None


def db_secrets(target: str | Path) -> list[str]:
    """The secret values in a database URL or connection string (its passwords), longest first: what
    ``scrub`` removes from free text such as a driver's error message."""
    if isinstance(target, Path) or "=" not in str(target) and "@" not in str(target):
        return []
    params = _conninfo(str(target))
    if params is None:
        return []
    found = {str(params[k]) for k in SECRET_PARAMETERS if params.get(k)}
    if is_database_url(target):  # the userinfo password too (a query-string one overrides it in libpq)
        parts = urlsplit(str(target))
        if parts.password:
            found |= {parts.password, unquote(parts.password)}
        found |= {value for name, _, value in (f.partition("=") for f in parts.query.split("&"))
                  if unquote(name).strip().lower() in SECRET_PARAMETERS and value}
    return sorted(found, key=len, reverse=True)


def scrub(text: str, target: str | Path) -> str:
    """``text`` with the database URL written as ``redact_db`` writes it and any password of ``target``
    replaced by ``***`` (a driver may quote parameters in its messages)."""
    text = text.replace(str(target), redact_db(target))
    for secret in db_secrets(target):
        text = text.replace(secret, "***")
    return text


def db_target(value: str | Path) -> Path | str:
    """A ``--db`` / ``$TWINMATCH_DB`` value: a PostgreSQL URL stays a string, anything else is a file path."""
    return value if is_database_url(value) else Path(value)


def default_db() -> Path | str:
    """``$TWINMATCH_DB`` if set (a SQLite file or a ``postgresql://`` URL), else ``data/twinmatch.db``."""
    return db_target(os.environ.get("TWINMATCH_DB") or DEFAULT_DB)
