"""Health, readiness, themes, OpenAPI: through the real app over the tiny world."""

from __future__ import annotations

from support.api import Api


def test_health(api: Api) -> None:
    r = api.client.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_ready_reports_model_ranker_and_counts(api: Api) -> None:
    body = api.client.get("/ready").json()
    assert body["ready"] is True
    assert body["model"] == "hashing-128"
    assert body["ranker"].endswith("ranker.joblib")
    assert (body["authorities"], body["links"], body["texts"]) == (10, 3, 5)


def test_themes_have_six_languages_and_sdgs(api: Api) -> None:
    body = api.client.get("/themes").json()
    assert body["languages"] == ["fr", "en", "es", "pt", "ar", "de"]
    water = next(t for t in body["themes"] if t["code"] == "water_sanitation")
    assert water["sdgs"] == [6]
    assert set(water["labels"]) == set(body["languages"])
    assert water["labels"]["fr"] == "Eau et assainissement"
    assert len(body["themes"]) >= 20


def test_openapi_has_an_example_for_every_request_body(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    bodies = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if "requestBody" not in op:
                continue
            bodies += 1
            for media, content in op["requestBody"]["content"].items():
                ref = content["schema"].get("$ref", "").rsplit("/", 1)[-1]
                assert content.get("example") or content.get("examples") or schemas.get(ref, {}).get(
                    "examples"), f"{method.upper()} {path} {media}"
    # POST /authorities, PATCH /authorities/{id}, POST /match, POST /suggestions/decisions, POST /events,
    # POST /verifications/{id}, POST /authorities/{id}/claims, POST /claims/{id}, PUT /events/{id}/options
    assert bodies == 9
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_docs_page_is_served(api: Api) -> None:
    r = api.client.get("/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()


def test_example_bodies_are_valid(api: Api) -> None:
    """The documented examples are accepted by the API itself."""
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]
    r = api.client.post("/match", json=schemas["MatchRequest"]["examples"][0])
    assert r.status_code == 200, r.text
    r = api.client.post("/authorities", json=schemas["AuthorityCreate"]["examples"][0])
    assert r.status_code == 201, r.text
    r = api.client.patch("/authorities/FR-COM-00001", headers=api.owner_a,
                         json=schemas["AuthorityUpdate"]["examples"][0])
    assert r.status_code == 200, r.text
    r = api.client.post("/suggestions/decisions", headers=api.staff,
                        json=schemas["DecisionIn"]["examples"][0])
    assert r.status_code == 201, r.text
