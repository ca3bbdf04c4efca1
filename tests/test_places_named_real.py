"""A town hall's text that says where it wants partners, on the real catalogue, the real model and the shipped
ranker (slow, real model).

Pont-Aven (FR-COM-29217) writes that it runs its water in-house and seeks "une commune de la région de Kayes,
au Mali". Before ``region_named`` / ``country_named`` its top 10 held one Malian town (Kayes itself, named,
8th): the region is not a candidate for a commune (level gate) and nothing else read where the text said.
Now its top 10 is in Mali and mostly in the Kayes region, through ``/matches`` and ``POST /match``, each
place said once, and the scores shown never increase.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.paths import DATA_DIR, MODELS_DIR
from matcher.store.sqlite import SQLiteStore

pytestmark = [pytest.mark.slow, pytest.mark.real_model]

PONT_AVEN = "FR-COM-29217"
TEXT = ("Notre commune gère en régie son eau potable et son assainissement ; nous cherchons une commune de la "
        "région de Kayes, au Mali, pour partager ce savoir-faire.")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    from matcher.encoding import SentenceTransformerEncoder
    from service.app import create_app
    from service.settings import Settings

    db: Path = tmp_path_factory.mktemp("db") / "twinmatch.db"
    SQLiteStore.open(db, DATA_DIR).close()
    settings = Settings(db=db, data_dir=DATA_DIR, ranker=MODELS_DIR / "ranker.joblib", background_load=False)
    app = create_app(settings, encoder=SentenceTransformerEncoder())
    with TestClient(app) as c:
        _, owner = app.state.resources.store.create_key("owner", PONT_AVEN, "Pont-Aven")
        yield c, owner


def _kayes_region(c: TestClient, matches: list[dict]) -> list[dict]:
    return [m for m in matches if c.get(f"/authorities/{m['id']}").json().get("admin1_name") == "Kayes"]


def _check(c: TestClient, matches: list[dict]) -> None:
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True)
    in_mali = [m for m in matches if m["country"] == "ML"]
    assert len(in_mali) >= 8, [(m["name"], m["country"]) for m in matches]
    assert len(_kayes_region(c, matches)) >= 5, [(m["name"], m["country"]) for m in matches]
    for m in matches:  # the place is said once: the region, or the country, or the candidate's own name
        said = [r for r in m["reasons"] if "que votre texte nomme" in r["text"] or "Votre texte mentionne" in r["text"]]
        assert len(said) <= 1, [r["text"] for r in m["reasons"]]
    named_region = [r["text"] for m in matches for r in m["reasons"] if r["text"].startswith("Dans la région Kayes")]
    assert named_region and all(t == "Dans la région Kayes (Mali), que votre texte nomme" for t in named_region)


def test_a_region_named_in_the_profile_fills_the_list(client: tuple[TestClient, str]) -> None:
    c, owner = client
    r = c.patch(f"/authorities/{PONT_AVEN}", headers={"X-API-Key": owner},
                json={"expertise": {"text": TEXT, "themes": []}})
    assert r.status_code == 200, r.text
    got = c.get(f"/authorities/{PONT_AVEN}/matches", params={"k": 10, "lang": "fr"}).json()["matches"]
    _check(c, got)


def test_the_same_through_an_ad_hoc_match(client: tuple[TestClient, str]) -> None:
    c, _ = client
    p = c.get(f"/authorities/{PONT_AVEN}").json()
    profile = {k: p[k] for k in ("name", "kind", "country", "population", "lat", "lon") if p.get(k) is not None}
    profile["expertise"] = {"text": TEXT, "themes": []}
    r = c.post("/match", json={"profile": profile, "k": 10}, headers={"Accept-Language": "fr"})
    assert r.status_code == 200, r.text
    _check(c, r.json()["matches"])
