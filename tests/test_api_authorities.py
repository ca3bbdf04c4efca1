"""Catalogue search, profiles, registration, edits and deletion, through the real app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.api import NEW, A, Api, B, assert_error, bearer

#: The tests that need only ``api`` run on SQLite and on PostgreSQL (``support.api.pytest_generate_tests``).
API_BACKENDS = ("sqlite", "postgres")


def top_ids(api: Api, authority_id: str, **params: Any) -> list[str]:
    r = api.client.get(f"/authorities/{authority_id}/matches", params={"k": 10, **params})
    assert r.status_code == 200, r.text
    return [m["id"] for m in r.json()["matches"]]


# ---- search -------------------------------------------------------------------------------------
@pytest.mark.parametrize("q", ["eauville", "ÉAUVILLE", "Eau", "  eauville  "])
def test_search_is_accent_and_case_insensitive(api: Api, q: str) -> None:
    items = api.client.get("/authorities", params={"q": q}).json()["items"]
    assert [i["id"] for i in items] == [A]
    assert items[0]["has_profile"] is True
    assert "contact" not in items[0]


def test_search_filters_and_pages_with_a_cursor(api: Api) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"country": "fr", "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.client.get("/authorities", params=params).json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == [f"FR-COM-0000{i}" for i in range(1, 6)] and len(set(seen)) == 5
    de = api.client.get("/authorities", params={"kind": "municipality", "country": "DE"}).json()["items"]
    assert {i["id"] for i in de} == {"GN-300", "GN-301"}


@pytest.mark.parametrize("cursor, status", [(0, 200), (4, 200), (5, 200), (10**6, 200), (-1, 422),
                                            (10**6 + 1, 422), ("x", 422), ("1.5", 422)])
def test_a_cursor_is_a_position(api: Api, cursor: object, status: int) -> None:
    """Any position is a page (empty past the end), so a cursor can never be stale; what is not one is a 422."""
    everything = [i["id"] for i in api.client.get("/authorities", params={"country": "FR", "limit": 100}).json()["items"]]
    r = api.client.get("/authorities", params={"country": "FR", "limit": 2, "cursor": cursor})
    if status == 422:
        assert_error(r, 422, "invalid_input", "cursor")
        return
    assert r.status_code == 200
    body = r.json()
    position = int(cursor)  # type: ignore[call-overload]
    assert [i["id"] for i in body["items"]] == everything[position:position + 2]
    assert body["next_cursor"] == (position + 2 if position + 2 < len(everything) else None)


# ---- read ---------------------------------------------------------------------------------------
def test_public_profile_has_no_contact_but_staff_sees_it(api: Api) -> None:
    r = api.client.patch(f"/authorities/{A}", headers=api.staff,
                         json={"contact": {"name": "Marie Curie", "email": "marie@eauville.fr", "phone": "+33 4 00"}})
    assert r.status_code == 200
    public = api.client.get(f"/authorities/{A}")
    assert public.status_code == 200 and "contact" not in public.json()
    assert "marie" not in public.text.lower() and "+33 4 00" not in public.text
    assert public.json()["expertise"]["themes"] == ["water_sanitation"]
    staff = api.client.get(f"/authorities/{A}", headers=api.staff).json()
    assert staff["contact"] == {"name": "Marie Curie", "email": "marie@eauville.fr", "phone": "+33 4 00"}


def test_unknown_id_is_404(api: Api) -> None:
    assert_error(api.client.get("/authorities/NOPE-1"), 404, "not_found", "id")
    assert_error(api.client.get("/authorities/NOPE-1/matches"), 404, "not_found", "id")


# ---- create -------------------------------------------------------------------------------------
def test_registration_is_pending_until_staff_verify_it_then_matchable(api: Api) -> None:
    before = top_ids(api, B)
    r = api.client.post("/authorities", json=NEW)
    assert r.status_code == 201, r.text
    body = r.json()
    new_id = body["authority"]["id"]
    assert new_id.startswith("U-") and len(new_id) == 10
    assert body["authority"]["needs"]["themes"] == ["civil_registry"]  # a French label, parsed
    assert body["authority"]["source"] == "user" and body["authority"]["updated_at"]
    assert "contact" not in body["authority"]  # the registrant is not staff
    assert api.store.get(new_id).contact.email == "ana@nova.br"  # ...but it is stored
    assert body["authority"]["status"] == "pending"
    key = bearer(body["owner_key"]["secret"])
    # Pending: in nobody's matches or search, not even readable by others; its owner and staff see it.
    assert new_id not in top_ids(api, B)
    assert new_id not in [i["id"] for i in api.client.get("/authorities", params={"q": "nova"}).json()["items"]]
    assert_error(api.client.get(f"/authorities/{new_id}"), 404, "not_found", "id")
    assert_error(api.client.get(f"/authorities/{new_id}/matches"), 404, "not_found", "id")
    assert api.client.get(f"/authorities/{new_id}", headers=key).json()["status"] == "pending"
    assert api.client.get(f"/authorities/{new_id}/matches", headers=key).status_code == 200
    assert [i["id"] for i in api.client.get("/authorities", params={"q": "nova"}, headers=key).json()["items"]] \
        == [new_id]
    queue = api.client.get("/verifications", headers=api.staff).json()
    assert [p["id"] for p in queue["items"]] == [new_id] and queue["pending"] == 1
    v = api.client.post(f"/verifications/{new_id}", headers=api.staff, json={"decision": "approve", "note": "ok"})
    assert v.status_code == 200 and v.json()["status"] == "verified"
    assert_error(api.client.post(f"/verifications/{new_id}", headers=api.staff, json={"decision": "reject"}),
                 409, "conflict")
    # Visible to the next match query, without restart: Registreville needs youth exchanges and offers
    # civil registry work, exactly what Nova offers and needs.
    after = top_ids(api, B)
    assert new_id not in before and after.index(new_id) <= 1
    trail = api.client.get("/audit", headers=api.staff, params={"authority_id": new_id}).json()["items"]
    assert [(e["action"], e["subject_name"], e["note"]) for e in trail] == [
        ("profile.verified", "Nova", "ok"), ("profile.registered", "Nova", "")]  # newest first
    assert trail[1]["actor"] == body["owner_key"]["id"]  # registered by whoever holds the key it returned
    # The owner key returned once edits this profile, and only this one.
    assert body["owner_key"]["authority_id"] == new_id
    assert api.client.patch(f"/authorities/{new_id}", headers=key, json={"description": "x"}).status_code == 200
    assert_error(api.client.patch(f"/authorities/{A}", headers=key, json={"description": "x"}), 403, "forbidden")


def test_staff_may_choose_the_id_and_sees_contact(api: Api) -> None:
    r = api.client.post("/authorities", headers=api.staff, json={**NEW, "id": "BR-NOVA-1"})
    assert r.status_code == 201, r.text
    assert r.json()["authority"]["id"] == "BR-NOVA-1"
    assert r.json()["authority"]["contact"]["email"] == "ana@nova.br"
    assert_error(api.client.post("/authorities", headers=api.staff, json={**NEW, "id": "BR-NOVA-1"}), 409, "conflict")


def test_only_staff_chooses_ids(api: Api) -> None:
    assert_error(api.client.post("/authorities", json={**NEW, "id": "MINE-1"}), 403, "forbidden", "id")
    assert_error(api.client.post("/authorities", headers=api.owner_a, json={**NEW, "id": "MINE-1"}), 403)


@pytest.mark.parametrize("change, field", [
    ({"kind": "village"}, "kind"),
    ({"country": "XX"}, "country"),
    ({"country": "BRA"}, "country"),
    ({"kind": "commune"}, None),  # a French kind abroad: a model-level error
    ({"lat": 91.0}, "lat"),
    ({"lon": -180.5}, "lon"),
    ({"lat": None, "lon": 10.0}, None),
    ({"population": -1}, "population"),
    ({"population": "many"}, "population"),
    ({"population": True}, "population"),
    ({"population": 1.5}, "population"),
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"description": "x" * 4001}, "description"),
    ({"needs": {"themes": ["quantum teleportation"]}}, "needs.themes"),
    ({"needs": {"themes": "water"}}, "needs.themes"),
    ({"needs": {"text": "x", "extra": 1}}, "needs.extra"),
    ({"partnership_types": ["friendship"]}, "partnership_types.0"),
    ({"preferred_countries": ["ZZ"]}, "preferred_countries"),
    ({"languages": ["french"]}, "languages.0"),
    ({"contact": {"email": "not an email"}}, "contact.email"),
    ({"known_partners": ["NOPE-1"]}, "known_partners"),
    ({"unknown_field": 1}, "unknown_field"),
    ({"name": "Nova\x00"}, "name"),
    ({"name": "Nova\ud800"}, "name"),
])
def test_invalid_registrations_are_422_naming_the_field(api: Api, change: dict[str, Any], field: str | None) -> None:
    # json.dumps escapes non-ASCII, so a lone surrogate reaches the server as "\ud800", as a client may send it.
    r = api.client.post("/authorities", content=json.dumps({**NEW, **change}),
                        headers={"Content-Type": "application/json"})
    err = assert_error(r, 422, None, "*")
    assert err["field"] == field, err
    assert api.client.get("/authorities", params={"q": "nova"}).json()["items"] == []


def test_unicode_names_round_trip(api: Api) -> None:
    name = "Šibenik – Ζάκυνθος 東京 الرباط 🌍"
    r = api.client.post("/authorities", json={**NEW, "name": name, "country": "MA"})
    assert r.status_code == 201, r.text
    owner = bearer(r.json()["owner_key"]["secret"])
    got = api.client.get(f"/authorities/{r.json()['authority']['id']}", headers=owner).json()
    assert got["name"] == name
    hits = api.client.get("/authorities", params={"q": "sibenik"}, headers=owner).json()["items"]
    assert hits[0]["name"] == name


def test_registration_can_be_closed(tmp_path: object, ranker_file: object) -> None:
    from fastapi.testclient import TestClient
    from support.api import make_settings

    from matcher.encoding import HashingEncoder
    from service.app import create_app

    app = create_app(make_settings(tmp_path, ranker_file, open_registration=False),  # type: ignore[arg-type]
                     encoder=HashingEncoder(dim=128))
    with TestClient(app) as client:
        assert_error(client.post("/authorities", json=NEW), 401, "unauthorized")
        _, staff = app.state.resources.store.create_key("staff", None)
        assert client.post("/authorities", headers=bearer(staff), json=NEW).status_code == 201


# ---- update and delete --------------------------------------------------------------------------
def test_patch_needs_makes_the_obvious_partner_first(api: Api) -> None:
    assert top_ids(api, A)[0] == "GN-100"
    # Eauville now needs exactly what Cidade (BR) offers and offers what Cidade needs.
    r = api.client.patch(f"/authorities/{A}", headers=api.owner_a, json={
        "needs": {"themes": ["digital"], "text": "Governo digital e serviços públicos online"},
        "expertise": {"themes": ["culture_heritage"], "text": "Património cultural e museus"}})
    assert r.status_code == 200, r.text
    assert r.json()["needs"]["text"] == "Governo digital e serviços públicos online"
    assert r.json()["description"] == "Commune rurale du Cantal"  # fields not sent are kept
    assert top_ids(api, A)[0] == "GN-400"
    stored = api.store.get(A)
    assert stored.needs.themes == ("digital",) and stored.updated_at


def test_empty_patch_changes_nothing(api: Api) -> None:
    before = api.store.get(A)
    r = api.client.patch(f"/authorities/{A}", headers=api.owner_a, json={})
    assert r.status_code == 200 and api.store.get(A) == before


def test_patch_cannot_change_identity_fields(api: Api) -> None:
    for change in ({"name": "Other"}, {"country": "DE"}, {"id": "X"}, {"lat": 1.0}):
        r = api.client.patch(f"/authorities/{A}", headers=api.owner_a, json=change)
        assert_error(r, 422, "invalid_input", next(iter(change)))


def test_delete_removes_the_authority_from_search_and_matches(api: Api) -> None:
    assert "GN-100" in top_ids(api, A)
    r = api.client.delete("/authorities/GN-100", headers=api.staff)
    assert r.status_code == 204 and r.content == b""
    assert_error(api.client.get("/authorities/GN-100"), 404)
    assert "GN-100" not in top_ids(api, A)
    assert api.client.get("/ready").json()["authorities"] == 9
    assert_error(api.client.delete("/authorities/GN-100", headers=api.staff), 404, "not_found")


def test_deleting_an_authority_revokes_its_owner_key(api: Api) -> None:
    assert api.client.delete(f"/authorities/{A}", headers=api.staff).status_code == 204
    assert_error(api.client.get("/authorities/GN-100", headers=api.owner_a), 401, "unauthorized")
