"""One profile as a row of the ``profiles`` table, either backend: its columns, the statements that write
it, the row <-> ``Profile`` conversion and the checks a stored profile must pass (no driver here)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from matcher.catalogue import files
from matcher.domain import Kind, Profile
from matcher.errors import InvalidInput
from matcher.store.codec import SCALAR_FIELDS, join_profile, name_keys, split_profile
from matcher.store.sql import Row

#: Profile fields that come from the catalogue files (a reload refreshes them on edited profiles).
CATALOGUE_FIELDS = tuple(c for c in files.AUTHORITY_COLUMNS if c != "id")
CHUNK = 500  # ids per IN (...) query
BATCH = 20_000  # rows per executemany during a catalogue load

PROFILE_COLS = ", ".join(SCALAR_FIELDS) + ", data"
#: The columns of a profile row, in the order of ``profile_row`` (the catalogue load's bulk insert).
PROFILE_COLUMNS = ("id", "name", "name_norm", "names_norm", "kind", "country", "population", "lat", "lon",
                   "source", "updated_at", "data", "status")
INSERT_PROFILE = (
    "INSERT INTO profiles (id, name, name_norm, names_norm, kind, country, population, lat, lon, source, "
    "updated_at, data, status) VALUES (:id, :name, :name_norm, :names_norm, :kind, :country, :population, :lat, "
    ":lon, :source, :updated_at, :data, :status)"
)
UPDATE_PROFILE = (
    "UPDATE profiles SET name = :name, name_norm = :name_norm, names_norm = :names_norm, kind = :kind, "
    "country = :country, population = :population, lat = :lat, lon = :lon, source = :source, "
    "updated_at = :updated_at, data = :data, status = :status WHERE id = :id"
)
USER_OWNED = "(source = 'user' OR updated_at != '')"  # created or edited through the store


def profile_params(p: Profile) -> dict[str, Any]:
    scalars, rest = split_profile(p)
    name_norm, names_norm = name_keys(p.name, p.alt_names)
    return {**scalars, "name_norm": name_norm, "names_norm": names_norm, "data": rest}


def profile_row(p: Profile) -> tuple[Any, ...]:
    """The values of ``PROFILE_COLUMNS`` for ``p``."""
    params = profile_params(p)
    return tuple(params[c] for c in PROFILE_COLUMNS)


def row_profile(row: Row) -> Profile:
    return join_profile({k: row[k] for k in SCALAR_FIELDS}, row["data"])


def check_profile(p: Profile) -> None:
    if not p.id.strip():
        raise InvalidInput("an authority needs an id", field="id")
    if not p.name.strip():
        raise InvalidInput("an authority needs a name", field="name")
    if not isinstance(p.kind, Kind):
        raise InvalidInput(f"unknown kind {p.kind!r}", field="kind")
    if len(p.country) != 2 or not p.country.isalpha() or not p.country.isupper():
        raise InvalidInput(f"country must be an upper-case ISO alpha-2 code, got {p.country!r}", field="country")


def chunks(items: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]

