"""API keys and roles: the role matrix, key headers, revoked and malformed keys."""

from __future__ import annotations

from typing import Any

import pytest
from support.api import A, Api, B, assert_error, bearer

#: The tests that need only ``api`` run on SQLite and on PostgreSQL (``support.api.pytest_generate_tests``).
API_BACKENDS = ("sqlite", "postgres")

WHO = ("public", "owner_a", "owner_b", "staff")

#: action -> expected status for (public, owner of A, owner of B, staff).
MATRIX = {
    "get_contact": (200, 200, 200, 200),  # everyone reads; only staff gets contact (checked below)
    "patch_a": (401, 200, 403, 200),
    "patch_b": (401, 403, 200, 200),
    "delete": (401, 403, 403, 204),
    "suggestions": (401, 403, 403, 200),
    "decisions": (401, 403, 403, 200),
    "add_decision": (401, 403, 403, 201),
}


def call(api: Api, action: str, headers: dict[str, str]) -> Any:
    c = api.client
    if action == "get_contact":
        return c.get(f"/authorities/{A}", headers=headers)
    if action == "patch_a":
        return c.patch(f"/authorities/{A}", headers=headers, json={"description": "Nouvelle description"})
    if action == "patch_b":
        return c.patch(f"/authorities/{B}", headers=headers, json={"description": "Nouvelle description"})
    if action == "delete":
        return c.delete("/authorities/GN-301", headers=headers)
    if action == "suggestions":
        return c.get("/suggestions", headers=headers)
    if action == "decisions":
        return c.get("/decisions", headers=headers)
    if action == "add_decision":
        return c.post("/suggestions/decisions", headers=headers,
                      json={"french_id": A, "partner_id": "GN-100", "status": "proposed"})
    raise AssertionError(action)


@pytest.mark.parametrize("action, who, expected", [
    (action, who, statuses[i]) for action, statuses in MATRIX.items() for i, who in enumerate(WHO)])
def test_role_matrix(api: Api, action: str, who: str, expected: int) -> None:
    api.client.patch(f"/authorities/{A}", headers=api.staff, json={"contact": {"email": "ri@eauville.fr"}})
    r = call(api, action, api.headers(who))
    if expected >= 400:
        assert_error(r, expected, {401: "unauthorized", 403: "forbidden"}[expected])
        if expected == 401:
            assert r.headers["WWW-Authenticate"] == "Bearer"
    else:
        assert r.status_code == expected, r.text
    if action == "get_contact":
        assert ("contact" in r.json()) == (who == "staff")
        assert ("ri@eauville.fr" in r.text) == (who == "staff")
    if action == "patch_a" and expected == 200:
        assert api.store.get(A).description == "Nouvelle description"
    if action in ("patch_a", "patch_b", "delete") and expected >= 400:
        assert api.store.get(A).description == "Commune rurale du Cantal"
        assert api.store.get(B).description == ""
        assert api.store.exists("GN-301")


def test_both_headers_are_accepted(api: Api) -> None:
    secret = api.staff["Authorization"].removeprefix("Bearer ")
    for headers in ({"X-API-Key": secret}, {"Authorization": f"Bearer {secret}"},
                    {"Authorization": f"Bearer {secret}", "X-API-Key": secret}):
        assert api.client.get("/decisions", headers=headers).status_code == 200


@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer tm_000000000000_" + "x" * 43},  # well-formed, unknown
    {"Authorization": "Bearer nonsense"},
    {"X-API-Key": "x" * 5000},
    {"X-API-Key": "tm_ünïcödé".encode()},  # raw UTF-8 bytes in a header
])
def test_invalid_keys_are_401_even_on_public_endpoints(api: Api, headers: Any) -> None:
    assert_error(api.client.get(f"/authorities/{A}", headers=headers), 401, "unauthorized")
    assert_error(api.client.get("/decisions", headers=headers), 401, "unauthorized")


def test_conflicting_headers_are_401(api: Api) -> None:
    headers = {**api.staff, **api.owner_a}
    assert_error(api.client.get("/decisions", headers=headers), 401, "unauthorized")


def test_revoked_key_is_401(api: Api) -> None:
    secret = api.owner_b["Authorization"].removeprefix("Bearer ")
    key = api.store.key_for_secret(secret)
    assert key is not None
    api.store.revoke_key(key.id)
    r = api.client.patch(f"/authorities/{B}", headers=api.owner_b, json={"description": "x"})
    assert_error(r, 401, "unauthorized")


def test_decisions_record_the_key_id_never_the_secret(api: Api) -> None:
    r = api.client.post("/suggestions/decisions", headers=api.staff,
                        json={"french_id": A, "partner_id": "GN-100", "status": "contacted", "note": "appel"})
    d = r.json()
    secret = api.staff["Authorization"].removeprefix("Bearer ")
    assert d["actor"] and d["actor"] in secret and d["actor"] != secret
    assert d["actor_label"] == "Alice (staff)"
    assert secret not in api.client.get("/decisions", headers=api.staff).text


def test_staff_key_created_over_the_store_works_at_once(api: Api) -> None:
    _, secret = api.store.create_key("staff", None, "Bob")
    assert api.client.get("/decisions", headers=bearer(secret)).status_code == 200
