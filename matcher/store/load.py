"""Loading the processed catalogue files into the store (either backend), inside the caller's transaction.

User-created profiles (``source='user'``) and profiles edited through the store (non-empty
``updated_at``) survive a reload: an edited catalogue profile gets the new catalogue fields and keeps
its own (description, facets, preferences, contact...). Decisions, keys and embeddings are untouched.
``source_hashes`` tells whether the loaded catalogue is stale.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from matcher.catalogue import files
from matcher.catalogue.case_pairs import case_facets, case_links, load_pairs
from matcher.domain import Profile
from matcher.errors import DataBuildError, RowError
from matcher.store.rows import (
    BATCH,
    CATALOGUE_FIELDS,
    PROFILE_COLS,
    PROFILE_COLUMNS,
    UPDATE_PROFILE,
    USER_OWNED,
    profile_params,
    profile_row,
    row_profile,
)
from matcher.store.sql import Connection, insert_sql

#: Files whose content defines the catalogue; their sha256 tells whether the database is stale.
#: The real cooperation cases (``matcher.catalogue.case_pairs``): their index and the case files it names.
SOURCE_FILES = (files.AUTHORITIES_FILE, files.COUNTRIES_FILE, files.LINKS_FILE, "cooperation/case_pairs.csv",
                "cooperation/cooperation_dev.csv", "cooperation/cooperation_more.csv")


def source_hashes(data_dir: Path) -> dict[str, str | None]:
    """sha256 of each catalogue source file in ``data_dir`` (None when absent)."""
    out: dict[str, str | None] = {}
    for name in SOURCE_FILES:
        path = data_dir / name
        out[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return out


#: ``bulk(conn, table, columns, rows)``: insert many rows in the caller's transaction (the backend's fastest way).
BulkInsert = Callable[[Connection, str, tuple[str, ...], list[tuple[Any, ...]]], None]


def _executemany(conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    conn.executemany(insert_sql(table, columns), rows)


def _with_progress(items: Iterable[Profile], progress: bool) -> Iterable[Profile]:
    if not progress:
        return items
    return tqdm(items, desc="loading authorities", unit=" rows", mininterval=0.5)


def load_catalogue(conn: Connection, data_dir: Path, *, progress: bool = False,
                   bulk: BulkInsert = _executemany) -> dict[str, int]:
    """Replace the catalogue part of the database with the files in ``data_dir``. Must run inside a
    transaction (the caller commits or rolls back). New profiles, countries and links are inserted by
    ``bulk`` in batches of ``BATCH`` rows. Returns counts."""
    keep = {r["id"]: row_profile(r) for r in
            conn.execute(f"SELECT {PROFILE_COLS} FROM profiles WHERE {USER_OWNED}")}
    conn.execute("DELETE FROM links")
    conn.execute(f"DELETE FROM profiles WHERE NOT {USER_OWNED}")
    ids: set[str] = set(keep)
    loaded, merged = 0, 0
    # Real cooperation cases (data/cooperation/): their texts become the catalogue profiles' expertise (French
    # side) and needs (partner), with their sources; a profile edited by its authority keeps its own texts.
    try:
        case_pairs = load_pairs(data_dir / "cooperation")
    except (RowError, ValueError, OSError) as exc:
        raise DataBuildError(f"{data_dir / 'cooperation'}: cannot be loaded: {exc}") from exc
    case_texts = case_facets(case_pairs)
    auth = data_dir / files.AUTHORITIES_FILE
    if auth.is_file():
        seen: set[str] = set()
        batch: list[tuple[Any, ...]] = []
        try:
            for p in _with_progress(files.read_authorities(auth), progress):
                if p.id in seen:
                    raise DataBuildError(f"{auth}: duplicate authority id {p.id!r}")
                seen.add(p.id)
                old = keep.get(p.id)
                if old is not None:
                    if old.source != "user":  # an edited catalogue profile: refresh its catalogue fields
                        fresh = old.with_changes(**{f: getattr(p, f) for f in CATALOGUE_FIELDS})
                        conn.execute(UPDATE_PROFILE, profile_params(fresh))
                        merged += 1
                    continue
                if p.id in case_texts:
                    p = p.with_changes(**case_texts[p.id])
                batch.append(profile_row(p))
                if len(batch) >= BATCH:
                    bulk(conn, "profiles", PROFILE_COLUMNS, batch)
                    batch.clear()
            if batch:
                bulk(conn, "profiles", PROFILE_COLUMNS, batch)
        except (ValueError, KeyError, OSError, EOFError) as exc:
            raise DataBuildError(f"{auth}: cannot be loaded: {exc}") from exc
        loaded = len(seen)
        ids |= seen

    conn.execute("DELETE FROM countries")
    countries_path = data_dir / files.COUNTRIES_FILE
    if countries_path.is_file():
        try:
            countries = files.read_countries(countries_path)
        except (ValueError, KeyError) as exc:
            raise DataBuildError(f"{countries_path}: cannot be loaded: {exc}") from exc
        bulk(conn, "countries", ("code", "data"), [
            (code, json.dumps(dataclasses.asdict(c), ensure_ascii=False)) for code, c in countries.items()])

    links_path = data_dir / files.LINKS_FILE
    links = []
    if links_path.is_file():
        try:
            links = files.read_links(links_path)
        except (ValueError, KeyError) as exc:
            raise DataBuildError(f"{links_path}: cannot be loaded: {exc}") from exc
    every = links + case_links(case_pairs)
    good = [(x.a, x.b, x.kind, x.source) for x in every if x.a in ids and x.b in ids]
    if good:
        bulk(conn, "links", ("a", "b", "kind", "source"), good)
    n_links, skipped = len(good), len(every) - len(good)
    return {"authorities": loaded, "merged": merged, "kept": len(keep), "links": n_links,
            "links_skipped": skipped, "cooperation_pairs": len(case_pairs)}
