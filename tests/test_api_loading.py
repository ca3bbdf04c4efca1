"""Start-up: background loading and readiness, load failures, injected objects, settings."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from support.api import A, assert_error, make_settings
from support.net import wait_until

from matcher.encoding import HashingEncoder
from matcher.paths import REPO_ROOT
from matcher.ranking.loading import load_matcher
from matcher.store.sqlite import SQLiteStore
from service.app import create_app
from service.settings import Settings


class GatedEncoder(HashingEncoder):
    """Blocks in ``encode`` until released: holds the loader in the 'building the matcher' stage."""

    def __init__(self) -> None:
        super().__init__(dim=128)
        self.gate = threading.Event()

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        assert self.gate.wait(10), "the test never released the encoder"
        return super().encode(texts, progress=progress)


def wait_ready(client: TestClient) -> dict[str, object]:
    """The body of ``/ready`` once it answers 200."""
    def ready() -> dict[str, object] | None:
        r = client.get("/ready")
        return dict(r.json()) if r.status_code == 200 else None
    return wait_until(ready, what="/ready")


def test_background_load_health_first_then_ready(tmp_path: Path, ranker_file: Path) -> None:
    encoder = GatedEncoder()
    settings = make_settings(tmp_path, ranker_file).model_copy(update={"background_load": True})
    app = create_app(settings, encoder=encoder)
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        wait_until(lambda: app.state.resources.store is not None, interval=0.01, what="the store opened")
        err = assert_error(client.get("/ready"), 503, "not_ready")
        assert "building the matcher" in str(err["message"])
        assert_error(client.get(f"/authorities/{A}/matches"), 503, "not_ready")
        assert client.get(f"/authorities/{A}").status_code == 200  # the store is open already
        encoder.gate.set()
        body = wait_ready(client)
        assert body["authorities"] == 10
        assert client.get(f"/authorities/{A}/matches").json()["matches"][0]["id"] == "GN-100"


def test_missing_ranker_is_reported_by_ready(tmp_path: Path, ranker_file: Path) -> None:
    settings = make_settings(tmp_path, tmp_path / "absent.joblib").model_copy(update={"background_load": True})
    app = create_app(settings, encoder=HashingEncoder(dim=128))
    with TestClient(app) as client:
        wait_until(lambda: app.state.resources.error is not None, interval=0.01, what="the load failed")
        err = assert_error(client.get("/ready"), 503, "not_ready")
        assert "ranker artifact not found" in str(err["message"])
        assert client.get("/health").status_code == 200
        assert "failed" in str(assert_error(client.get(f"/authorities/{A}/matches"), 503)["message"])


def test_missing_ranker_fails_a_foreground_start(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, tmp_path / "absent.joblib"), encoder=HashingEncoder(dim=128))
    with pytest.raises(RuntimeError, match="ranker artifact not found"), TestClient(app):
        pass


def test_injected_store_and_matcher_are_used_as_they_are(tmp_path: Path, ranker_file: Path) -> None:
    settings = make_settings(tmp_path, ranker_file)
    with SQLiteStore.open(settings.db, settings.data_dir) as store:
        matcher, _ = load_matcher(store, encoder=HashingEncoder(dim=128), ranker_path=ranker_file)
        app = create_app(settings.model_copy(update={"ranker": tmp_path / "never-read.joblib"}),
                         store=store, matcher=matcher)
        with TestClient(app) as client:
            assert client.get("/ready").json()["texts"] == 5
            assert client.get(f"/authorities/{A}/matches").json()["matches"][0]["id"] == "GN-100"
        assert store.count() == 10  # an injected store is not closed by the app
    with pytest.raises(ValueError):
        create_app(settings, matcher=matcher)


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TWINMATCH_DB", str(tmp_path / "x.db"))
    monkeypatch.setenv("TWINMATCH_RANKER", "models/other.joblib")
    monkeypatch.setenv("TWINMATCH_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("TWINMATCH_CORS_ORIGINS", '["https://example.org"]')
    s = Settings()
    assert s.db == tmp_path / "x.db"
    assert s.ranker == REPO_ROOT / "models" / "other.joblib"  # relative paths: from the repository root
    assert s.data_dir == REPO_ROOT / "data" and s.model == "usem3"
    assert s.max_body_bytes == 2048 and s.cors_origins == ["https://example.org"]


def test_cors_is_off_by_default_and_on_when_configured(tmp_path: Path, ranker_file: Path) -> None:
    settings = make_settings(tmp_path, ranker_file)
    origin = {"Origin": "https://example.org"}
    with TestClient(create_app(settings, encoder=HashingEncoder(dim=128))) as client:
        assert "access-control-allow-origin" not in client.get("/health", headers=origin).headers
    on = settings.model_copy(update={"cors_origins": ["https://example.org"]})
    with TestClient(create_app(on, encoder=HashingEncoder(dim=128))) as client:
        assert client.get("/health", headers=origin).headers["access-control-allow-origin"] == "https://example.org"


def test_small_body_limit_from_settings(tmp_path: Path, ranker_file: Path) -> None:
    settings = make_settings(tmp_path, ranker_file, max_body_bytes=100)
    with TestClient(create_app(settings, encoder=HashingEncoder(dim=128))) as client:
        r = client.post("/match", json={"profile": {"kind": "commune", "country": "FR", "description": "x" * 100}})
        assert_error(r, 413, "payload_too_large")
        assert client.post("/match", json={"profile": {"kind": "commune", "country": "FR"}}).status_code == 200
