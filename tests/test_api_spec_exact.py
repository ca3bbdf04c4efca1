"""The spec is exact and readable by generators (issue 25, point 6): each enum value once (the server
normalises case), clean operation ids, the documented 422s of what no schema can say (with examples that
are the server's real answers), the overload and rate-limit answers with their Retry-After, the upload's
body, the schedule's start bounded as the spec says; the events' catalogue view built at start-up."""

from __future__ import annotations

import re
from typing import Any

import pytest
from support.api import CSV_FILE, A, Api, assert_error, upload
from support.net import wait_until

from matcher.themes import theme_codes
from service.routes.events import MISSING_COLUMNS


@pytest.fixture()
def spec(api: Api) -> dict[str, Any]:
    return dict(api.client.get("/openapi.json").json())


def enums(node: Any) -> Any:
    if isinstance(node, dict):
        if "enum" in node:
            yield node["enum"]
        for v in node.values():
            yield from enums(v)
    elif isinstance(node, list):
        for v in node:
            yield from enums(v)


def test_every_enum_lists_each_value_once_whatever_its_case(spec: dict[str, Any]) -> None:
    found = list(enums(spec))
    assert found
    for values in found:
        folded = [v.casefold() if isinstance(v, str) else v for v in values]
        assert len(folded) == len(set(folded)), values
    countries = spec["components"]["schemas"]["CountryCode"]["enum"]
    assert countries == sorted(countries) and all(re.fullmatch("[A-Z]{2}", c) for c in countries) and "FR" in countries
    themes = spec["paths"]["/authorities/{authority_id}/matches"]["get"]["parameters"]
    assert next(p for p in themes if p["name"] == "themes")["schema"]["items"]["enum"] == list(theme_codes())


def test_lower_case_codes_and_theme_labels_are_still_taken(api: Api) -> None:
    """Normalised on input, not listed in the spec: ``sn`` is SN, a French label is its code."""
    upper = api.client.get(f"/authorities/{A}/matches", params={"country": "SN", "themes": "water_sanitation"})
    lower = api.client.get(f"/authorities/{A}/matches", params={"country": "sn", "themes": "Eau et assainissement"})
    assert upper.status_code == lower.status_code == 200
    assert [m["id"] for m in upper.json()["matches"]] == [m["id"] for m in lower.json()["matches"]]


def test_operations_carry_clean_ids(spec: dict[str, Any]) -> None:
    ids = {f"{m.upper()} {p}": op["operationId"] for p, ops in spec["paths"].items() for m, op in ops.items()}
    assert ids["GET /authorities"] == "search_authorities"
    assert ids["GET /authorities/{authority_id}/matches"] == "authority_matches"
    assert ids["POST /match"] == "adhoc_match" and ids["POST /events"] == "create_event"
    assert len(set(ids.values())) == len(ids)
    assert all(re.fullmatch("[a-z][a-z_]*", i) for i in ids.values()), ids


def test_what_no_schema_can_say_is_documented_with_its_422_and_a_true_example(api: Api,
                                                                            spec: dict[str, Any]) -> None:
    create = spec["paths"]["/authorities"]["post"]["responses"]["422"]
    examples = create["content"]["application/json"]["examples"]
    assert {"coordinates", "known_partner", "country"} <= set(examples)
    r = api.client.post("/authorities", json={"name": "Nouvelleville", "kind": "municipality", "country": "SN",
                                              "known_partners": ["000"]}, headers=api.staff)
    assert assert_error(r, 422, "invalid_input", "known_partners")["message"] == \
        examples["known_partner"]["value"]["error"]["message"]
    event = spec["paths"]["/events"]["post"]["responses"]["422"]
    assert event["content"]["application/json"]["example"] == MISSING_COLUMNS
    r = upload(api, b"a,b\n1,2\n")
    assert r.status_code == 422 and r.json() == MISSING_COLUMNS  # the documented example is the real answer


def test_busy_and_rate_limited_answers_document_retry_after(spec: dict[str, Any]) -> None:
    match = spec["paths"]["/match"]["post"]
    assert match["security"][0] == {}  # anonymous allowed; a key lifts the anonymous rate limit
    for status in ("429", "503"):
        assert match["responses"][status]["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert "Retry-After" in spec["paths"]["/authorities/{authority_id}/matches"]["get"]["responses"]["503"]["headers"]
    assert "503" not in spec["paths"]["/health"]["get"]["responses"]


def test_the_upload_is_one_multipart_body_and_a_raw_file_is_read_by_its_content(api: Api,
                                                                               spec: dict[str, Any]) -> None:
    body = spec["paths"]["/events"]["post"]["requestBody"]
    assert list(body["content"]) == ["multipart/form-data"]
    assert body["content"]["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
    r = api.client.post("/events", content=CSV_FILE, headers={**api.staff, "Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    assert r.json()["participants"] == upload(api, CSV_FILE).json()["participants"]


@pytest.mark.parametrize("start, status", [
    ("1000-01-01T09:00", 200), ("9998-12-31T23:00", 200), ("0999-12-31T09:00", 422), ("9999-01-01T09:00", 422)])
def test_the_schedules_start_is_bounded_as_the_spec_says(api: Api, spec: dict[str, Any], start: str,
                                                         status: int) -> None:
    params = spec["paths"]["/events/{event_id}/schedule"]["get"]["parameters"]
    pattern = next(p for p in params if p["name"] == "start")["schema"]["pattern"]
    assert bool(re.match(pattern, start)) == (status == 200)
    event_id = upload(api, CSV_FILE).json()["id"]
    query = {"rounds": 20, "slot_minutes": 600, "break_minutes": 600, "start": start}
    for path in ("schedule", "participants/eau/schedule.ics"):
        r = api.client.get(f"/events/{event_id}/{path}", params=query, headers=api.staff)
        assert r.status_code == status, r.text


def test_the_events_catalogue_view_is_built_at_start_up(api: Api) -> None:
    """Built in the background once the matcher is ready: the first upload does not build it."""
    view = api.app.state.resources.catalogue_view
    # Nothing here asks for it: only the warm-up builds.
    builds = wait_until(lambda: view.builds, timeout=60, interval=0.01, what="the catalogue view built at start-up")
    assert builds == 1
    assert upload(api, CSV_FILE).status_code == 201
    assert view.builds == builds
