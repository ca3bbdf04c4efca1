"""The fixtures every test can use: a small encoder, a synthetic ranker, a match state over the tiny world; and,
through ``pytest_plugins``, the toolkit's fixtures (``support.api``: ``api``, ``ranker_file``; ``support.browser``:
``live_app``, ``browser``, ``browser_phone``; ``support.pg``: ``pg_server``). Helpers live in ``support``: a test
file imports them from there, never from here."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))
pytest.register_assert_rewrite("support")  # the helpers' asserts say what failed, like the tests'

from profiles_fixture import COUNTRIES, LINKS, PROFILES
from support.rankers import synthetic_ranker

from matcher.encoding import HashingEncoder
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.engine import MatchState
from matcher.ranking.ranker import PairRanker
from matcher.ranking.text_corpus import profile_texts

pytest_plugins = ["support.api", "support.browser", "support.pg"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: an ``api`` test not run on PostgreSQL (it reads the SQLite "
                                       "file itself; see support.api)")


@pytest.fixture(scope="session")
def encoder() -> HashingEncoder:
    return HashingEncoder(dim=128)


@pytest.fixture(scope="session")
def ranker() -> PairRanker:
    return synthetic_ranker()


@pytest.fixture()
def state(encoder: HashingEncoder, ranker: PairRanker) -> MatchState:
    texts = profile_texts(PROFILES)
    keys = sorted(texts)
    vecs = encoder.encode([texts[k] for k in keys])
    arrays = CatalogueArrays.build(PROFILES, {c.code: c for c in COUNTRIES},
                                   {k: vecs[i] for i, k in enumerate(keys)}, dim=encoder.dim)
    return MatchState.build(arrays, LINKS, ranker, {c.code: c for c in COUNTRIES})
