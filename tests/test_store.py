"""The store contract over a tiny data directory built in tmp_path, run against both backends: the
``store`` fixture is parametrized over SQLite (a file in tmp_path) and PostgreSQL (a fresh database of a
throw-away server, ``support.pg.pg_server``). The few SQLite-only tests (WAL mode, the legacy events file)
open a ``SQLiteStore`` themselves."""

from __future__ import annotations

import gzip
import json
import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from support.pg import PgServer
from support.worlds import CATALOGUE, COUNTRIES, LINKS, make_data_dir

from matcher.catalogue import files
from matcher.domain import Contact, Facet, Kind, Profile
from matcher.errors import Conflict, DataBuildError, InvalidInput, NotFound, StoreUnavailable
from matcher.store.backends import open_store
from matcher.store.base import SCHEMA_VERSION, SQLStoreBase
from matcher.store.codec import profile_from_json, profile_to_json
from matcher.store.events import EVENTS_SCHEMA, EventRecord, legacy_events_path
from matcher.store.protocol import ProfileStore
from matcher.store.sqlite import SQLiteStore

RICH = Profile(
    id="user-1", name="Communauté d'agglomération Test", kind=Kind.INTERCOMMUNALITY, country="FR",
    admin1_code="84", population=50_000, lat=45.1234567, lon=-0.000001, languages=("fr", "en"),
    description="Une agglo.\nAvec des \"guillemets\" et des accents : éàü — 水",
    expertise=Facet(themes=("water_sanitation", "waste"), text="assainissement"),
    needs=Facet(themes=(), text="  "), partnership_types=("twinning",), preferred_sizes=("small", "medium"), preferred_countries=("SN", "MA"),
    preferred_regions=("AF",), known_partners=("sn-thies",), contact=Contact("Ana", "ana@example.org", "+33 1"),
    alt_names=("CA Test",), parent_ids=("fr-dep-42",), source="user",
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return make_data_dir(tmp_path)


class Backend:
    """Where a test's databases are, and raw access to them (bypassing the store)."""

    name = ""

    def new_target(self) -> str | Path:
        """A new, empty database: a file path or a URL for ``open_store``."""
        raise NotImplementedError

    def script(self, target: str | Path, sql: str) -> None:
        """Run ``sql`` (statements separated by ``;``) on the database, committed."""
        raise NotImplementedError

    def query(self, target: str | Path, sql: str) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def tables(self, target: str | Path) -> list[str]:
        raise NotImplementedError

    def dump(self, target: str | Path) -> str:
        """Every row of every table as text (bytes in hex)."""
        out = []
        for table in self.tables(target):
            for row in self.query(target, f"SELECT * FROM {table}"):
                out.append(" ".join(v.hex() if isinstance(v, bytes | memoryview) else str(v) for v in row))
        return "\n".join(out)


class SQLiteBackend(Backend):
    name = "sqlite"

    def __init__(self, root: Path) -> None:
        self.root, self.n = root, 0

    def new_target(self) -> Path:
        self.n += 1
        return self.root / f"db{self.n}" / "twinmatch.db"

    def script(self, target: str | Path, sql: str) -> None:
        conn = sqlite3.connect(target)
        conn.executescript(sql)
        conn.close()

    def query(self, target: str | Path, sql: str) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(target)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def tables(self, target: str | Path) -> list[str]:
        return [r[0] for r in self.query(target, "SELECT name FROM sqlite_master WHERE type = 'table'")]


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self, server: PgServer) -> None:
        self.server = server

    def new_target(self) -> str:
        return self.server.new_database()

    def script(self, target: str | Path, sql: str) -> None:
        import psycopg

        with psycopg.connect(str(target), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[call-overload]

    def query(self, target: str | Path, sql: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(str(target), autocommit=True) as conn:
            return conn.execute(sql).fetchall()  # type: ignore[call-overload]

    def tables(self, target: str | Path) -> list[str]:
        return [r[0] for r in self.query(target, "SELECT table_name FROM information_schema.tables "
                                                 "WHERE table_schema = 'public'")]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "postgres":
        return PostgresBackend(request.getfixturevalue("pg_server"))
    return SQLiteBackend(tmp_path)


@pytest.fixture
def target(backend: Backend) -> str | Path:
    """The database of the ``store`` fixture."""
    return backend.new_target()


@pytest.fixture
def store(target: str | Path, data_dir: Path) -> Iterator[SQLStoreBase]:
    s = open_store(target, data_dir)
    yield s
    s.close()


def test_implements_protocol(store: SQLStoreBase) -> None:
    def use(s: ProfileStore) -> int:
        return s.count()

    assert use(store) == len(CATALOGUE)


def test_the_url_picks_the_backend(tmp_path: Path, data_dir: Path, backend: Backend) -> None:
    with open_store(backend.new_target(), data_dir) as s:
        assert type(s).__name__ == {"sqlite": "SQLiteStore", "postgres": "PostgresStore"}[backend.name]


def test_db_file_exists_in_wal_mode(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "db" / "twinmatch.db"
    SQLiteStore.open(path, data_dir).close()
    assert path.is_file() and path.stat().st_size > 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    conn.close()


def test_an_older_database_is_migrated_in_place(backend: Backend, data_dir: Path) -> None:
    """A version-1 database (no status column, no events table) opens as the current version, its
    profiles verified and kept."""
    db = backend.new_target()
    with open_store(db, data_dir):
        pass
    backend.script(db, "DROP TABLE events; DROP INDEX profiles_status; ALTER TABLE profiles DROP COLUMN status; "
                       "UPDATE meta SET value = '1' WHERE key = 'schema_version';")
    with open_store(db, data_dir) as store:
        assert store.count() == len(CATALOGUE) and store.count_by_status()["verified"] == len(CATALOGUE)
        assert store.get_event("ev-x") is None and store.count_events() == 0
        assert store._meta("schema_version") == str(SCHEMA_VERSION)


def _event(i: int) -> EventRecord:
    return EventRecord(id=f"ev-{i}", filename="p.csv", participants=1, sides=("fr",), catalogue_participants=0,
                       created_at=f"2026-01-01T00:00:{i:02d}Z", created_by="k", data=b"name,country\nX,FR\n")


def test_events_are_kept_bounded_and_deleted(store: SQLStoreBase) -> None:
    store.max_events = 2
    for i in range(3):
        store.add_event(_event(i))
    assert store.get_event("ev-0") is None and store.get_event("ev-2") == _event(2)
    assert store.count_events() == 2
    with pytest.raises(Conflict):
        store.add_event(_event(2))
    assert store.delete_event("ev-1") and not store.delete_event("ev-1") and store.get_event("ev-1") is None


def test_events_of_the_old_side_file_are_imported_once(tmp_path: Path, data_dir: Path) -> None:
    db = tmp_path / "twinmatch.db"
    legacy = legacy_events_path(db)
    assert legacy == tmp_path / "twinmatch.events.db"
    with sqlite3.connect(legacy) as old:
        old.executescript(EVENTS_SCHEMA)
        old.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(e.id, e.filename, e.participants, json.dumps(list(e.sides)), e.catalogue_participants,
                          e.created_at, e.created_by, e.data) for e in map(_event, range(2))])
    old.close()
    with SQLiteStore.open(db, data_dir) as store:
        assert store.get_event("ev-1") == _event(1) and store.count_events() == 2
        assert store.delete_event("ev-0")
    assert not legacy.exists() and legacy.with_name("twinmatch.events.db.imported").is_file()
    with SQLiteStore.open(db, data_dir) as store:  # a deleted event does not come back
        assert store.get_event("ev-0") is None and store.count_events() == 1


def test_catalogue_loaded(store: SQLStoreBase) -> None:
    assert store.get("fr-42218") == CATALOGUE[0]
    assert store.get_many(["ma-fes", "nope", "fr-75056", "ma-fes"]) == [CATALOGUE[9], CATALOGUE[3]]
    assert list(store.all_profiles()) == sorted(CATALOGUE, key=lambda p: p.id)
    assert store.countries()["SN"] == COUNTRIES[1]
    assert store.links() == LINKS[:2]
    assert store.exists("sn-thies") and not store.exists("sn-nowhere")
    with pytest.raises(NotFound, match="fr-00000"):
        store.get("fr-00000")


def test_json_codec_round_trip() -> None:
    for p in [RICH, *CATALOGUE, Profile(id="x", name="x", kind=Kind.REGION, country="FR", lat=0.0, lon=0.0,
                                          population=0)]:
        assert profile_from_json(profile_to_json(p)) == p


def test_add_round_trips_exactly(store: SQLStoreBase) -> None:
    stored = store.add(RICH)
    assert stored.updated_at.endswith("Z")
    assert stored == RICH.with_changes(updated_at=stored.updated_at)
    assert store.get(RICH.id) == stored
    with pytest.raises(Conflict):
        store.add(RICH)


@pytest.mark.parametrize("bad", [
    {"id": " "}, {"name": ""}, {"country": "fr"}, {"country": "FRA"},
])
def test_add_validates(store: SQLStoreBase, bad: dict[str, str]) -> None:
    with pytest.raises(InvalidInput):
        store.add(RICH.with_changes(**bad))


def test_update_and_delete(store: SQLStoreBase) -> None:
    updated = store.update(CATALOGUE[6].with_changes(description="Ville du Sénégal"))
    assert store.get("sn-thies").description == "Ville du Sénégal" == updated.description
    with pytest.raises(NotFound):
        store.update(RICH)
    store.delete("sn-thies")
    assert not store.exists("sn-thies")
    assert store.links() == [LINKS[1]]  # its link went with it
    with pytest.raises(NotFound):
        store.delete("sn-thies")


@pytest.mark.parametrize(
    ("text", "first_id"),
    [
        ("saint etienne", "fr-42218"),
        ("Saint-Étienne", "fr-42218"),
        ("SAINT-ETIENNE", "fr-42218"),
        ("st etienne", "fr-42218"),
        ("St-Étienne", "fr-42218"),
        ("saint   étienne", "fr-42218"),
        ("saint etienne du", "fr-76575"),
        ("thies", "sn-thies"),
        ("THIÈS", "sn-thies"),
        ("koln", "de-koeln"),
        ("cologne", "de-koeln"),  # alternative name
        ("fez", "ma-fes"),
        ("فاس", "ma-fes"),
        ("madr", "es-madrid"),  # prefix
        ("rouvray", "fr-76575"),  # contained word
    ],
)
def test_search_accent_insensitive(store: SQLStoreBase, text: str, first_id: str) -> None:
    page, _ = store.search(text)
    assert page and page[0].id == first_id


def test_search_ranking(store: SQLStoreBase) -> None:
    ids = [p.id for p in store.search("etienne")[0]]
    # no exact or prefix name match except Étienne-sur-Loire; word starts follow, by population
    assert ids == ["fr-42999", "fr-42218", "fr-76575"]
    ids = [p.id for p in store.search("saint etienne")[0]]
    assert ids == ["fr-42218", "fr-76575"]  # exact before prefix


def test_search_prefers_the_name_over_alternative_names(store: SQLStoreBase) -> None:
    store.add(Profile(id="fr-metro-lyon", name="Métropole de Lyon", kind=Kind.INTERCOMMUNALITY, country="FR",
                      population=1_400_000))
    store.add(Profile(id="us-hillside", name="Hillside", kind=Kind.MUNICIPALITY, country="US",
                      population=2_000_000, alt_names=("Lyons Hill",)))
    store.add(Profile(id="fr-lyon", name="Lyon", kind=Kind.COMMUNE, country="FR", population=500_000))
    assert [p.id for p in store.search("lyon")[0]] == ["fr-lyon", "fr-metro-lyon", "us-hillside"]


def test_search_filters(store: SQLStoreBase) -> None:
    assert [p.id for p in store.search("", country="sn")[0]] == ["sn-thies"]
    assert [p.id for p in store.search("loire", kind="department")[0]] == ["fr-dep-42"]
    assert store.search("paris", country="DE") == ([], None)
    with pytest.raises(InvalidInput) as err:
        store.search("x", kind="village")
    assert err.value.field == "kind"


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_search_limit_bounded(store: SQLStoreBase, limit: int) -> None:
    with pytest.raises(InvalidInput):
        store.search("", limit=limit)


@pytest.mark.parametrize(("text", "country"), [("", None), ("", "FR"), ("e", None), ("saint", "FR")])
def test_paging_covers_all_results_once(store: SQLStoreBase, text: str, country: str | None) -> None:
    everything, cursor = store.search(text, country=country, limit=100)
    assert cursor is None
    seen: list[str] = []
    page, cursor = store.search(text, country=country, limit=2)
    while True:
        seen.extend(p.id for p in page)
        if cursor is None:
            break
        page, cursor = store.search(text, country=country, limit=2, cursor=cursor)
    assert seen == [p.id for p in everything]
    assert len(set(seen)) == len(seen)


def test_a_cursor_is_a_position(store: SQLStoreBase) -> None:
    everything, _ = store.search("", limit=100)
    _, cursor = store.search("", limit=2)
    assert cursor == 2
    assert store.search("", limit=2, cursor=3)[0] == everything[3:5]
    assert store.search("", limit=2, cursor=len(everything)) == ([], None)
    with pytest.raises(InvalidInput):
        store.search("", limit=2, cursor=-1)


def test_failed_write_leaves_nothing(store: SQLStoreBase) -> None:
    with pytest.raises(RuntimeError), store._tx() as conn:
        conn.execute("DELETE FROM profiles")
        raise RuntimeError("crash mid-transaction")
    assert store.count() == len(CATALOGUE)
    # the CHECK constraint fails the second row: the first is rolled back too
    with pytest.raises(store.integrity_error), store._tx() as conn:
        conn.execute("INSERT INTO decisions (french_id, partner_id, status, created_at) "
                     "VALUES ('a', 'b', 'accepted', 'now')")
        conn.execute("INSERT INTO decisions (french_id, partner_id, status, created_at) "
                     "VALUES ('a', 'b', 'maybe', 'now')")
    assert store.decisions() == []


def test_corrupt_catalogue_leaves_no_half_loaded_db(tmp_path: Path, backend: Backend) -> None:
    data = make_data_dir(tmp_path)
    raw = gzip.decompress((data / files.AUTHORITIES_FILE).read_bytes()).decode()
    broken = raw + "zz-bad,Bad,not-a-kind,ZZ,,,,,,,,,,\n"
    (data / files.AUTHORITIES_FILE).write_bytes(gzip.compress(broken.encode()))
    db = backend.new_target()
    with pytest.raises(DataBuildError):
        open_store(db, data)
    assert backend.query(db, "SELECT count(*) FROM profiles")[0][0] == 0


def test_stale_files_reload_and_keep_user_data(backend: Backend, data_dir: Path) -> None:
    db = backend.new_target()
    with open_store(db, data_dir) as s:
        assert not s.is_stale()
        s.add(RICH)
        edited = s.update(CATALOGUE[3].with_changes(description="Ville lumière"))
        s.add_decision("fr-75056", "de-koeln", "proposed", "", "staff")
        key, secret = s.create_key("owner", "fr-75056")
    changed = [p.with_changes(population=(p.population or 0) + 1) for p in CATALOGUE if p.id != "ma-fes"]
    files.write_authorities(data_dir / files.AUTHORITIES_FILE, changed)
    with open_store(db, data_dir, reload_if_stale=False) as s:
        assert s.is_stale() and s.exists("ma-fes")
    with open_store(db, data_dir) as s:
        assert not s.is_stale()
        assert not s.exists("ma-fes")
        assert s.get(RICH.id).description == RICH.description
        paris = s.get("fr-75056")
        assert paris.description == "Ville lumière" and paris.updated_at == edited.updated_at
        assert paris.population == 2_100_001  # catalogue fields refreshed
        assert len(s.decisions()) == 1 and s.key_for_secret(secret) == key
        assert s.stats()["last_load"] == {"authorities": len(changed), "merged": 1, "kept": 2, "links": 2,
                                          "links_skipped": 1, "cooperation_pairs": 0}


def test_missing_data_files_give_an_empty_catalogue(tmp_path: Path, backend: Backend) -> None:
    db = backend.new_target()
    with open_store(db, tmp_path / "nothing") as s:
        assert s.count() == 0 and not s.is_stale()
    data = make_data_dir(tmp_path)
    with open_store(db, data) as s:  # files appeared: loaded now
        assert s.count() == len(CATALOGUE)


def test_stats(store: SQLStoreBase) -> None:
    st = store.stats()
    assert st["profiles"] == 10
    assert st["by_kind"] == {"commune": 4, "municipality": 4, "department": 1, "region": 1}
    assert st["by_country"] == {"FR": 6, "DE": 1, "ES": 1, "MA": 1, "SN": 1}
    assert st["coordinates"] == {
        "all": {"total": 10, "with_coordinates": 5, "share": 0.5},
        "french": {"total": 6, "with_coordinates": 3, "share": 0.5},
    }
    assert st["links"] == 2
    assert st["link_resolution"] == {"resolved": 2, "ambiguous": 1, "unresolved": 0}
    json.dumps(st)


def test_embedding_cache_round_trip(store: SQLStoreBase) -> None:
    vecs: dict[str, np.ndarray] = {
        "h1": np.arange(4, dtype=np.float32), "h2": np.array([0.5, -1.25, 3e-8], dtype=np.float64)}
    store.put_embeddings("m1", vecs)
    got = store.get_embeddings("m1", ["h1", "h2", "h3", "h1"])
    assert set(got) == {"h1", "h2"}
    assert got["h1"].dtype == np.float32 and np.array_equal(got["h1"], vecs["h1"])
    assert np.allclose(got["h2"], vecs["h2"].astype(np.float32))
    got["h1"][0] = 9  # writable copy
    assert store.get_embeddings("m2", ["h1"]) == {}
    store.put_embeddings("m1", {"h1": np.ones(2, dtype=np.float32)})  # replace
    assert store.get_embeddings("m1", ["h1"])["h1"].tolist() == [1.0, 1.0]
    many = {f"k{i}": np.full(3, i, dtype=np.float32) for i in range(1200)}  # several IN (...) chunks
    store.put_embeddings("m3", many)
    assert len(store.get_embeddings("m3", list(many))) == 1200
    with pytest.raises(InvalidInput):
        store.put_embeddings("m1", {"bad": np.ones((2, 2))})


def test_decisions(store: SQLStoreBase) -> None:
    made = [store.add_decision("fr-42218", "sn-thies", s, f"note {i}", "key-1")
            for i, s in enumerate(["proposed", "contacted", "accepted"])]
    assert [d.id for d in store.decisions()] == [d.id for d in reversed(made)]
    assert store.decisions(limit=1, cursor=made[2].id) == [made[1]]
    assert made[0].created_at.endswith("Z")
    with pytest.raises(InvalidInput) as err:
        store.add_decision("fr-42218", "sn-thies", "maybe", "", "k")
    assert err.value.field == "status"
    with pytest.raises(NotFound):
        store.add_decision("fr-42218", "zz-none", "proposed", "", "k")
    with pytest.raises(store.database_error, match="append-only"), store._tx() as conn:
        conn.execute("UPDATE decisions SET status = 'rejected'")


def test_api_keys(backend: Backend, target: str | Path, store: SQLStoreBase) -> None:
    staff, secret = store.create_key("staff", None, "alice")
    assert secret.startswith(f"tm_{staff.id}_") and len(secret) > 40
    assert store.key_for_secret(secret) == staff
    assert store.key_for_secret(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert store.key_for_secret("tm_000000000000_" + "x" * 43) is None
    assert store.key_for_secret("") is None
    owner, owner_secret = store.create_key("owner", "fr-42218", "mairie")
    assert owner.authority_id == "fr-42218" and store.key_for_secret(owner_secret) == owner
    # only a hash is stored
    dump = backend.dump(target)
    assert owner.id in dump  # the dump has the keys' rows
    assert secret not in dump and secret.split("_", 2)[2] not in dump
    store.revoke_key(staff.id)
    assert store.key_for_secret(secret) is None
    assert [(k.id, k.revoked) for k in store.list_keys()] == [(staff.id, True), (owner.id, False)]
    with pytest.raises(NotFound):
        store.revoke_key("nope")
    store.delete("fr-42218")  # deleting the authority revokes its owner keys
    assert store.key_for_secret(owner_secret) is None


@pytest.mark.parametrize(("role", "authority", "field"), [
    ("admin", None, "role"), ("owner", None, "authority_id"), ("owner", "zz-none", "authority_id"),
    ("staff", "fr-42218", "authority_id"),
])
def test_bad_keys_rejected(store: SQLStoreBase, role: str, authority: str | None, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        store.create_key(role, authority)
    assert err.value.field == field


def test_threads_share_the_store(store: SQLStoreBase) -> None:
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for j in range(20):
                store.add(RICH.with_changes(id=f"t{i}-{j}"))
                store.search("saint")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and store.count() == len(CATALOGUE) + 80


def test_a_session_stands_for_its_live_key_only(store: SQLStoreBase) -> None:
    key, _ = store.create_key("owner", "fr-42218", "t")
    token = store.create_session(key)
    assert store.session_key(token) == key
    assert store.session_key(token + "x") is None and store.session_key("") is None
    assert store._query("SELECT count(*) FROM web_sessions WHERE token_hash = ?", (token.encode(),))[0][0] == 0
    store.revoke_key(key.id)  # a revoked key ends its sessions
    assert store.session_key(token) is None
    staff, _ = store.create_key("staff", None, "s")
    other = store.create_session(staff)
    store.delete_session(other)
    assert store.session_key(other) is None


def test_an_expired_session_is_gone(store: SQLStoreBase) -> None:
    staff, _ = store.create_key("staff", None, "s")
    token = store.create_session(staff)
    with store._tx() as conn:
        conn.execute("UPDATE web_sessions SET expires_at = '2000-01-01T00:00:00Z'")
    assert store.session_key(token) is None


def test_interest_messages_are_relayed_and_append_only(store: SQLStoreBase) -> None:
    ids = [p.id for p in CATALOGUE[:2]]
    first = store.add_interest(ids[0], ids[1], "  Bonjour  ", actor="k1")
    assert first.message == "Bonjour" and first.reply_to is None
    reply = store.add_interest(ids[1], ids[0], "Merci", actor="k2", reply_to=first.id)
    assert [i.id for i in store.interests(authority_id=ids[0])] == [reply.id, first.id]
    assert store.interests(authority_id="nobody") == []
    for bad in ({"message": " "}, {"message": "x" * 2001}, {"recipient_id": ids[0]}):
        with pytest.raises(InvalidInput):
            store.add_interest(ids[0], bad.get("recipient_id", ids[1]), bad.get("message", "x"), actor="k")
    with pytest.raises(NotFound):
        store.add_interest(ids[0], "nope", "x", actor="k")
    with pytest.raises(NotFound):  # a reply must answer a message between the same two
        store.add_interest(ids[0], CATALOGUE[2].id, "x", actor="k", reply_to=first.id)
    with pytest.raises(store.database_error, match="append-only"), store._tx() as conn:
        conn.execute("UPDATE interests SET message = 'changed'")


def test_postgres_stores_opened_at_once_share_one_load(pg_server: PgServer, data_dir: Path) -> None:
    """Processes starting together on an empty database (several workers): the schema is created and the
    catalogue loaded once (both under the advisory write lock), nobody fails. PostgreSQL only: on SQLite,
    ``PRAGMA journal_mode = WAL`` on a brand-new file is not covered by the busy timeout, and a store opened
    at the same moment can fail with "database is locked" (a known limit of SQLiteStore.open)."""
    db = pg_server.new_database()
    barrier = threading.Barrier(3)
    stores: list[SQLStoreBase] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            stores.append(open_store(db, data_dir))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors and len(stores) == 3
        assert {s.count() for s in stores} == {len(CATALOGUE)}
        assert {s.stats()["last_load"]["kept"] for s in stores} == {0}  # type: ignore[index]
    finally:
        for s in stores:
            s.close()


def test_a_dropped_postgres_connection_is_reopened(pg_server: PgServer, data_dir: Path) -> None:
    url = pg_server.new_database()
    with open_store(url, data_dir) as store:
        pid = store._query("SELECT pg_backend_pid()")[0][0]
        PostgresBackend(pg_server).query(url, f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(StoreUnavailable, match="unavailable"):
            store.count()  # the statement that met the dropped connection fails, as a 503
        assert store.count() == len(CATALOGUE)  # the next one reconnects
        store.add(RICH)
        assert store.get(RICH.id).name == RICH.name



def _open_and_report(db: str, data_dir: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        open_store(Path(db), Path(data_dir)).close()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported by the test
        results.put(repr(exc))


def test_sqlite_stores_opened_at_once_on_a_new_file(tmp_path: Path, data_dir: Path) -> None:
    """Worker processes starting together on a database file that does not exist yet: SQLite does not
    busy-wait for the WAL switch, which failed with "database is locked" about once in six rounds of four
    processes before ``_wal`` retried it. Now nobody fails and the catalogue is there once."""
    ctx = multiprocessing.get_context("fork")  # a fork is fast; the children only open a store and exit
    failures = []
    for i in range(16):  # the race is narrow: several rounds, each on a new file
        db = tmp_path / str(i) / "twinmatch.db"
        barrier, results = ctx.Barrier(4), ctx.Queue()
        procs = [ctx.Process(target=_open_and_report, args=(str(db), str(data_dir), barrier, results))
                 for _ in range(4)]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        failures += [o for o in outcomes if o != "ok"]
        with open_store(db, data_dir) as store:
            assert store.count() == len(CATALOGUE)
    assert not failures, failures
