"""Trust and safety through the real app: pending registrations, plausibility, claims, the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from support.api import CLAIM, A, Api, B, assert_error, bearer, fake

#: The tests that need only ``api`` run on SQLite and on PostgreSQL (``support.api.pytest_generate_tests``).
API_BACKENDS = ("sqlite", "postgres")


def top_ids(api: Api, authority_id: str, **params: Any) -> list[str]:
    r = api.client.get(f"/authorities/{authority_id}/matches", params={"k": 10, **params})
    assert r.status_code == 200, r.text
    return [m["id"] for m in r.json()["matches"]]


def test_a_flood_of_anonymous_registrations_changes_nobodys_matches(api: Api) -> None:
    before = {x: top_ids(api, x) for x in (A, B, "GN-100")}
    search_before = api.client.get("/authorities", params={"q": "eauville"}).json()["items"]
    created = []
    for i in range(30):
        r = api.client.post("/authorities", json=fake(i))
        assert r.status_code == 201, r.text
        created.append(r.json()["authority"]["id"])
    for x, top in before.items():
        assert top_ids(api, x) == top, x
        assert top_ids(api, x, country="FR", include_existing="true")[:10] == top_ids(api, x, country="FR")[:10]
    assert api.client.get("/authorities", params={"q": "eauville"}).json()["items"] == search_before
    assert not {i["id"] for i in api.client.get("/authorities", params={"q": "fausseville"}).json()["items"]}
    # A fake "Eauville" is refused: the name is taken in France (the town hall claims it instead) ...
    err = assert_error(api.client.post("/authorities", json=fake(99, name="ÉAUVILLE")), 409, "conflict", "name")
    assert f"/authorities/{A}/claims" in str(err["message"])
    # ... and so is a commune larger than France, or one placed in Senegal.
    assert_error(api.client.post("/authorities", json=fake(98, population=90_000_000)), 422, "invalid_input",
                 "population")
    assert_error(api.client.post("/authorities", json=fake(97, lat=14.8, lon=-16.9)), 422, "invalid_input", "lat")
    # Staff see the queue; staff-registered profiles are verified at once.
    queue = api.client.get("/verifications", headers=api.staff, params={"limit": 50}).json()
    assert queue["pending"] == 30 and [p["id"] for p in queue["items"]] == created
    r = api.client.post("/authorities", headers=api.staff, json=fake(50, name="Vraieville"))
    assert r.status_code == 201 and r.json()["authority"]["status"] == "verified"


def test_verification_pages_and_rejection(api: Api) -> None:
    ids = [api.client.post("/authorities", json=fake(i)).json()["authority"]["id"] for i in range(3)]
    first = api.client.get("/verifications", headers=api.staff, params={"limit": 2}).json()
    second = api.client.get("/verifications", headers=api.staff,
                            params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [p["id"] for p in first["items"] + second["items"]] == ids and second["next_cursor"] is None
    r = api.client.post(f"/verifications/{ids[0]}", headers=api.staff, json={"decision": "reject", "note": "fake"})
    assert r.json()["status"] == "rejected"
    assert ids[0] not in [p["id"] for p in api.client.get("/verifications", headers=api.staff).json()["items"]]
    assert_error(api.client.get(f"/authorities/{ids[0]}"), 404)
    # Staff only.
    assert_error(api.client.get("/verifications"), 401)
    assert_error(api.client.get("/verifications", headers=api.owner_a), 403)
    assert_error(api.client.post(f"/verifications/{ids[1]}", headers=api.owner_a, json={"decision": "approve"}), 403)


def test_claim_your_authority_end_to_end(api: Api) -> None:
    r = api.client.post(f"/authorities/{B}/claims", json=CLAIM)
    assert r.status_code == 202, r.text
    receipt = r.json()
    assert receipt == {"id": receipt["id"], "authority_id": B, "status": "pending"}  # no personal data back
    assert "Claire" not in api.client.get(f"/authorities/{B}").text
    assert_error(api.client.post(f"/authorities/{B}/claims", json=CLAIM), 409, "conflict")  # one at a time
    queue = api.client.get("/claims", headers=api.staff).json()["items"]
    assert [(c["authority_name"], c["email"], c["role"]) for c in queue] == [("Registreville", CLAIM["email"], "DGS")]
    decided = api.client.post(f"/claims/{receipt['id']}", headers=api.staff,
                              json={"decision": "approve", "note": "domain checked"}).json()
    assert decided["claim"]["status"] == "approved" and decided["claim"]["decided_by"]
    key = bearer(decided["owner_key"]["secret"])
    assert decided["owner_key"]["authority_id"] == B
    assert api.client.patch(f"/authorities/{B}", headers=key, json={"description": "Mairie"}).status_code == 200
    assert_error(api.client.patch(f"/authorities/{A}", headers=key, json={"description": "x"}), 403)
    assert_error(api.client.post(f"/claims/{receipt['id']}", headers=api.staff, json={"decision": "reject"}), 409)
    trail = api.client.get("/audit", headers=api.staff, params={"action": "claim."}).json()["items"]
    assert [(e["action"], e["subject"], e["subject_name"]) for e in trail] == [
        ("claim.approved", B, "Registreville"), ("claim.created", B, "Registreville")]
    assert all(CLAIM["email"] not in e["note"] for e in trail)


def test_a_rejected_claim_issues_no_key(api: Api) -> None:
    cid = api.client.post(f"/authorities/{A}/claims", json=CLAIM).json()["id"]
    decided = api.client.post(f"/claims/{cid}", headers=api.staff, json={"decision": "reject"}).json()
    assert decided["claim"]["status"] == "rejected" and decided["owner_key"] is None
    assert api.client.post(f"/authorities/{A}/claims", json=CLAIM).status_code == 202  # may ask again


@pytest.mark.parametrize("body, field", [
    ({**CLAIM, "email": "not-an-email"}, "email"), ({**CLAIM, "name": ""}, "name"),
    ({k: v for k, v in CLAIM.items() if k != "role"}, "role"), ({**CLAIM, "extra": 1}, "extra"),
])
def test_bad_claims_name_their_field(api: Api, body: dict[str, Any], field: str) -> None:
    assert_error(api.client.post(f"/authorities/{A}/claims", json=body), 422, "invalid_input", field)


def test_claims_of_unknown_or_pending_authorities_are_404(api: Api) -> None:
    assert_error(api.client.post("/authorities/NOPE-1/claims", json=CLAIM), 404)
    pid = api.client.post("/authorities", json=fake(1)).json()["authority"]["id"]
    assert_error(api.client.post(f"/authorities/{pid}/claims", json=CLAIM), 404)
