"""Staff suggestions (reciprocal, bounded, cached), decisions and the audit trail."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from support.api import A, Api, B, assert_error, bearer, make_settings

from matcher.encoding import HashingEncoder
from service.app import create_app

#: The tests that need only ``api`` run on SQLite and on PostgreSQL (``support.api.pytest_generate_tests``).
API_BACKENDS = ("sqlite", "postgres")


def suggestions(api: Api, **params: Any) -> dict[str, Any]:
    r = api.client.get("/suggestions", headers=api.staff, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def pairs(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["french"]["id"], i["partner"]["id"]) for i in body["items"]]


def test_suggestions_are_reciprocal_and_ranked(api: Api) -> None:
    body = suggestions(api, limit=50)
    assert body["complete"] is True and body["sources_considered"] == body["sources_total"] > 0
    items = body["items"]
    assert items and all(i["french"]["country"] == "FR" and i["partner"]["country"] != "FR" for i in items)
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    for i in items:  # geometric mean of both directions (rounding aside)
        assert math.isclose(i["score"], math.sqrt(i["score_french_to_partner"] * i["score_partner_to_french"]),
                            rel_tol=1e-3, abs_tol=1e-6)
    # Registreville ↔ Kankan: civil registry one way, youth exchanges the other.
    assert (B, "GN-200") in pairs(body)
    # Known partnerships are never suggested.
    assert not {("FR-COM-00004", "GN-300"), ("FR-COM-00005", "GN-300"), ("FR-COM-00004", "GN-301")} & set(pairs(body))
    # Sources: French authorities with a profile text or known partners (Lyonville has neither).
    assert "FR-COM-00003" not in {f for f, _ in pairs(body)}


def test_reasons_follow_the_language(api: Api) -> None:
    item = next(i for i in suggestions(api, lang="fr", limit=50)["items"] if i["partner"]["id"] == "GN-200")
    assert item["reasons"] and all(r["text"] == r["text_fr"] for r in item["reasons"])


def test_filters_and_min_score(api: Api) -> None:
    assert {p for _, p in pairs(suggestions(api, country="gn", limit=50))} == {"GN-200"}
    regional = suggestions(api, french_region="84", limit=50)
    assert {f for f, _ in pairs(regional)} <= {"FR-COM-00003", "FR-COM-00004", "FR-COM-00005"}
    assert pairs(regional) == pairs(suggestions(api, french_region="auvergne-rhone-alpes", limit=50))
    assert pairs(suggestions(api, french_region="Bretagne", limit=50)) == []  # a région the tiny world lacks
    assert_error(api.client.get("/suggestions", headers=api.staff, params={"french_region": "Région 84"}),
                 422, "invalid_input", "french_region")
    high = suggestions(api, min_score=0.5, limit=50)["items"]
    assert high and all(i["score"] >= 0.5 for i in high)
    themed = pairs(suggestions(api, theme="État civil", limit=50))
    assert themed[0] == (B, "GN-200")


def test_paging_with_a_cursor(api: Api) -> None:
    full = pairs(suggestions(api, limit=50))
    seen: list[tuple[str, str]] = []
    cursor = None
    while True:
        body = suggestions(api, limit=3, **({"cursor": cursor} if cursor else {}))
        seen += pairs(body)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == full
    assert suggestions(api, limit=3, cursor=len(full))["items"] == []  # past the end: an empty page
    assert_error(api.client.get("/suggestions", headers=api.staff, params={"cursor": -1}), 422, "invalid_input",
                 "cursor")


def test_an_exhausted_budget_extends_the_list_call_by_call(tmp_path: Path, ranker_file: Path) -> None:
    settings = make_settings(tmp_path, ranker_file, suggestion_budget_seconds=1e-6)
    with TestClient(create_app(settings, encoder=HashingEncoder(dim=128))) as client:
        _, secret = client.app.state.resources.store.create_key("staff", None)  # type: ignore[attr-defined]
        seen = []
        for _ in range(10):
            body = client.get("/suggestions", headers=bearer(secret), params={"limit": 50}).json()
            seen.append(body["sources_considered"])
            if body["complete"]:
                break
        total = body["sources_total"]
        assert seen == list(range(1, total + 1)) and total > 1  # one source per call, never stuck
        final = pairs(body)
    assert set(final) == set(pairs(suggestions_full(tmp_path, ranker_file)))


def suggestions_full(tmp_path: Path, ranker_file: Path) -> dict[str, Any]:
    settings = make_settings(tmp_path / "full", ranker_file)
    with TestClient(create_app(settings, encoder=HashingEncoder(dim=128))) as client:
        _, secret = client.app.state.resources.store.create_key("staff", None)  # type: ignore[attr-defined]
        body: dict[str, Any] = client.get("/suggestions", headers=bearer(secret), params={"limit": 50}).json()
        assert body["complete"]
        return body


def test_bad_parameters(api: Api) -> None:
    for params, field in (({"french_region": "Atlantis"}, "french_region"), ({"theme": "nope"}, "theme"),
                          ({"theme": "water,health"}, "theme"), ({"min_score": 2}, "min_score"),
                          ({"limit": 0}, "limit"), ({"limit": 51}, "limit"), ({"country": "FRA"}, "country")):
        assert_error(api.client.get("/suggestions", headers=api.staff, params=params), 422, "invalid_input", field)


def test_decisions_filter_and_annotate_suggestions(api: Api) -> None:
    assert (B, "GN-200") in pairs(suggestions(api, limit=50))
    r = api.client.post("/suggestions/decisions", headers=api.staff,
                        json={"french_id": B, "partner_id": "GN-200", "status": "contacted", "note": "Premier appel"})
    assert r.status_code == 201, r.text
    item = next(i for i in suggestions(api, limit=50)["items"] if i["partner"]["id"] == "GN-200")
    assert item["last_decision"] == "contacted"
    api.client.post("/suggestions/decisions", headers=api.staff,
                    json={"french_id": B, "partner_id": "GN-200", "status": "rejected"})
    assert (B, "GN-200") not in pairs(suggestions(api, limit=50))
    assert (B, "GN-200") in pairs(suggestions(api, limit=50, include_decided="true"))


def test_a_write_refreshes_the_suggestions(api: Api) -> None:
    def forward(body: dict[str, Any]) -> dict[str, float]:
        return {i["partner"]["id"]: i["score_french_to_partner"] for i in body["items"] if i["french"]["id"] == A}

    before = forward(suggestions(api, limit=50))
    assert max(before, key=before.__getitem__) == "GN-100"
    api.client.patch(f"/authorities/{A}", headers=api.owner_a, json={
        "needs": {"themes": ["digital"], "text": "Governo digital e serviços públicos online"},
        "expertise": {"themes": ["culture_heritage"], "text": "Património cultural e museus"}})
    after = forward(suggestions(api, limit=50))  # the cached list was dropped and recomputed
    assert max(after, key=after.__getitem__) == "GN-400" and after["GN-400"] > before["GN-400"]


def test_audit_trail_is_paged_newest_first(api: Api) -> None:
    for status in ("proposed", "contacted", "accepted", "rejected", "proposed"):
        r = api.client.post("/suggestions/decisions", headers=api.staff,
                            json={"french_id": A, "partner_id": "GN-100", "status": status, "note": f"n-{status}"})
        assert r.status_code == 201
    first = api.client.get("/decisions", headers=api.staff, params={"limit": 2}).json()
    assert [d["status"] for d in first["items"]] == ["proposed", "rejected"]
    assert first["items"][0]["actor_label"] == "Alice (staff)" and first["items"][0]["created_at"].endswith("Z")
    rest = api.client.get("/decisions", headers=api.staff, params={"limit": 10, "cursor": first["next_cursor"]}).json()
    assert [d["status"] for d in rest["items"]] == ["accepted", "contacted", "proposed"]
    assert rest["next_cursor"] is None


def test_the_decision_log_filters_by_status_authority_and_days(api: Api) -> None:
    for fid, pid, status in ((A, "GN-100", "contacted"), (B, "GN-200", "contacted"), (B, "GN-200", "accepted")):
        api.client.post("/suggestions/decisions", headers=api.staff,
                        json={"french_id": fid, "partner_id": pid, "status": status})

    def log(**params: Any) -> list[tuple[str, str, str]]:
        r = api.client.get("/decisions", headers=api.staff, params=params)
        assert r.status_code == 200, r.text
        return [(d["french_id"], d["partner_id"], d["status"]) for d in r.json()["items"]]

    assert log(status="contacted") == [(B, "GN-200", "contacted"), (A, "GN-100", "contacted")]
    assert log(authority="GN-200") == log(authority="kankan-test") == [(B, "GN-200", "accepted"),
                                                                        (B, "GN-200", "contacted")]
    assert log(authority="Nowhere-at-all") == []
    day = log(limit=1) and api.client.get("/decisions", headers=api.staff).json()["items"][0]["created_at"][:10]
    assert len(log(since=day, until=day)) == 3 and log(until="2000-01-01") == []
    assert_error(api.client.get("/decisions", headers=api.staff, params={"status": "maybe"}), 422, "invalid_input",
                 "status")


def test_bad_decisions(api: Api) -> None:
    post = lambda body: api.client.post("/suggestions/decisions", headers=api.staff, json=body)
    ok = {"french_id": A, "partner_id": "GN-100", "status": "proposed"}
    assert_error(post({**ok, "status": "maybe"}), 422, "invalid_input", "status")
    assert_error(post({**ok, "partner_id": "NOPE-1"}), 404, "not_found", "partner_id")
    assert_error(post({**ok, "note": "x" * 4001}), 422, "invalid_input", "note")
    assert_error(post({**ok, "french_id": "GN-200"}), 422, "invalid_input", "french_id")
    assert_error(post({**ok, "partner_id": B}), 422, "invalid_input", "partner_id")
    assert_error(post({**ok, "french_id": "NOPE-2"}), 404, "not_found", "french_id")
    assert_error(post({"french_id": A}), 422, "invalid_input", "partner_id")
    assert_error(api.client.get("/decisions", headers=api.staff, params={"cursor": 0}), 422, "invalid_input", "cursor")


def test_staff_reasons_are_in_the_third_person(api: Api) -> None:
    import re

    items = suggestions(api, limit=50)["items"]
    texts = [r[k] for i in items for r in i["reasons"] for k in ("text_fr", "text_en")]
    assert texts
    second_person = re.compile(r"\b(vous|votre|vos|you|your)\b", re.IGNORECASE)
    assert not [t for t in texts if second_person.search(t)]
