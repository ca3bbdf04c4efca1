"""A throw-away PostgreSQL server for the tests (the PostgreSQL side of the store contract suite).

``pg_server`` (session scope) runs ``initdb`` into a temporary directory and ``pg_ctl start`` with the
Unix socket in that directory (no TCP: ``listen_addresses=''``; the port number, picked free, only names
the socket), durability off; ``PgServer.new_database`` gives each test a fresh database. ``initdb``
refuses to run as root: as root the server runs as the ``postgres`` system user (Debian's package creates
it), else as a ``twinmatch-pg`` user created with ``useradd``.

Binaries: ``$TWINMATCH_PG_BINDIR``, else the newest ``/usr/lib/postgresql/<version>/bin``, else ``initdb``
on ``PATH``. None found: the PostgreSQL tests are skipped, unless ``TWINMATCH_REQUIRE_POSTGRES`` is set
(``make test`` sets it), which makes them fail.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.net import free_port

REQUIRE_ENV = "TWINMATCH_REQUIRE_POSTGRES"
_SERVICE_USER = "twinmatch-pg"


def find_bindir() -> Path | None:
    """The directory of ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    def complete(d: Path) -> bool:
        return all((d / name).is_file() and os.access(d / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres"))

    if os.environ.get("TWINMATCH_PG_BINDIR"):
        d = Path(os.environ["TWINMATCH_PG_BINDIR"])
        return d if complete(d) else None
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for d in versions:
        if complete(d):
            return d
    found = shutil.which("initdb")
    if found:
        d = Path(found).resolve().parent
        if complete(d):
            return d
    return None


def _server_user() -> str | None:
    """None when not root (the server runs as the current user), else the user to run it as."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", _SERVICE_USER):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", _SERVICE_USER],
                   check=True, capture_output=True)
    return _SERVICE_USER


class PgServer:
    def __init__(self, bindir: Path, root: Path, *, durable: bool = False) -> None:
        """``durable``: commits survive a crash of the server (fsync, synchronous commit); off by default,
        for speed, which only matters to a test that stops the server."""
        self.bindir, self.root, self.durable = bindir, root, durable
        self.data, self.sock, self.log = root / "data", root / "sock", root / "server.log"
        self.port = free_port()
        self.user = _server_user()
        self._names = itertools.count()

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.is_file() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{log}")

    def start(self) -> None:
        self.sock.mkdir()
        if self.user is not None:
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, self.user)
            shutil.chown(self.sock, self.user)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.resume()

    def resume(self) -> None:
        """Start the initialised server again (after ``stop``)."""
        options = f"-p {self.port} -k {self.sock} -c listen_addresses='' -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log), "-o", options)

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@/{dbname}?host={self.sock}&port={self.port}"

    def new_database(self) -> str:
        """The URL of a new, empty database."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY FILE_COPY')
        return self.url(name)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bindir = find_bindir()
    if bindir is None:
        reason = ("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found in $TWINMATCH_PG_BINDIR, "
                  "/usr/lib/postgresql/*/bin or on PATH; `make postgres` installs them")
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{reason} ({REQUIRE_ENV} is set)")
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="twinmatch-pg-"))
    server = PgServer(bindir, root)
    try:
        server.start()
        yield server
    finally:
        try:
            if (server.data / "postmaster.pid").exists():
                server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
