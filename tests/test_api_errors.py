"""One error shape for everything, and odd inputs that must never reach the catch-all 500."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support.api import A, Api, assert_error

from service.deps import get_matcher


def test_bad_json_is_400(api: Api) -> None:
    for raw in (b"{", b"{'profile': 1}", b"\xff\xfe", b"[1, 2", b"nul"):
        r = api.client.post("/match", content=raw, headers={"Content-Type": "application/json"})
        assert_error(r, 400, "invalid_json", None)


@pytest.mark.parametrize("raw", [b"[]", b"1", b'"text"', b"null", b"{}"])
def test_json_that_is_not_an_object_is_422(api: Api, raw: bytes) -> None:
    r = api.client.post("/match", content=raw, headers={"Content-Type": "application/json"})
    assert_error(r, 422, "invalid_input")


def test_missing_content_type_is_not_parsed(api: Api) -> None:
    r = api.client.post("/match", content=b'{"profile": {"kind": "commune", "country": "FR"}}')
    assert 400 <= r.status_code < 500
    assert_error(r, r.status_code)


def test_body_over_the_limit_is_413_from_content_length(api: Api) -> None:
    big = b'{"profile": {"kind": "commune", "country": "FR", "description": "' + b"x" * (1024 * 1024) + b'"}}'
    r = api.client.post("/match", content=big, headers={"Content-Type": "application/json"})
    assert_error(r, 413, "payload_too_large", None)


def test_streamed_body_over_the_limit_is_413(api: Api) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield b'{"profile": {"kind": "commune", "country": "FR", "description": "'
        for _ in range(40):
            yield b"y" * 32768
        yield b'"}}'

    r = api.client.post("/match", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert_error(r, 413, "payload_too_large", None)


def test_streamed_body_under_the_limit_passes(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"profile": {"kind": "commune", '
        yield b'"country": "FR"}, "k": 2}'

    r = api.client.post("/match", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text


def test_bad_content_length_is_400(api: Api) -> None:
    r = api.client.post("/match", content=b"{}", headers={"Content-Type": "application/json",
                                                          "Content-Length": "lots"})
    assert_error(r, 400, "bad_request")


def test_unknown_route_and_method_use_the_same_shape(api: Api) -> None:
    assert_error(api.client.get("/nowhere"), 404, "not_found")
    assert_error(api.client.put(f"/authorities/{A}", json={}), 405, "method_not_allowed")


def test_unexpected_errors_are_logged_500_in_the_same_shape(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        state = object()

        def recommend(self, *a: object, **k: object) -> None:
            raise RuntimeError("secret internal detail")

    api.app.dependency_overrides[get_matcher] = lambda: Broken()
    client = TestClient(api.app, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="twinmatch.service"):
        r = client.get(f"/authorities/{A}/matches")
    err = assert_error(r, 500, "internal_error", None)
    assert "secret" not in str(err)
    assert any("unhandled error" in rec.message for rec in caplog.records)
    api.app.dependency_overrides.clear()
    assert api.client.get(f"/authorities/{A}/matches").status_code == 200


ODD_GETS = [
    "/authorities?q=" + "%F0%9F%8C%8D" * 30, "/authorities?q=%00", "/authorities?q=%ED%A0%80", "/authorities?q=%FF",
    "/authorities?q=" + "a" * 101, "/authorities?limit=-1", "/authorities?limit=1e9", "/authorities?country=%C3%A9%C3%A9",
    "/authorities?kind=", "/authorities?cursor=%%%", "/authorities?cursor=" + "A" * 300, "/authorities?cursor=djE6LTU6eA",
    "/authorities/%00", "/authorities/" + "x" * 65, "/authorities/%F0%9F%8C%8D", "/authorities/..%2F..%2Fetc",
    f"/authorities/{A}/matches?k=", f"/authorities/{A}/matches?k=-0", f"/authorities/{A}/matches?k=99999999999999999999",
    f"/authorities/{A}/matches?themes=,,,", f"/authorities/{A}/matches?themes=%00",
    f"/authorities/{A}/matches?country=" + ",".join(["FR"] * 150), f"/authorities/{A}/matches?max_population=1e99",
    f"/authorities/{A}/matches?diversity=1e308", f"/authorities/{A}/matches?lang=",
    "/themes?lang=xx", "/health?x=%00",
]


@pytest.mark.parametrize("url", ODD_GETS)
def test_odd_gets_never_500(api: Api, url: str) -> None:
    r = api.client.get(url)
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert_error(r, r.status_code)


ODD_BODIES = [
    {"profile": {"kind": "commune", "country": "FR", "lat": "NaN", "lon": 1}},
    {"profile": {"kind": "commune", "country": "FR", "population": 10**40}},
    {"profile": {"kind": "commune", "country": "FR", "expertise": {"themes": ["water"] * 50}}},
    {"profile": {"kind": "commune", "country": "FR", "expertise": {"themes": [None]}}},
    {"profile": {"kind": "commune", "country": "FR", "expertise": ["water"]}},
    {"profile": {"kind": ["commune"], "country": "FR"}},
    {"profile": {"kind": "commune", "country": 33}},
    {"profile": {"kind": "commune", "country": "FR", "languages": ["fr"] * 11}},
    {"profile": {"kind": "commune", "country": "FR", "preferred_regions": ["x" * 300]}},
    {"profile": {"kind": "commune", "country": "FR", "known_partners": ["../etc"]}},
    {"profile": {"kind": "commune", "country": "FR", "description": "💧" * 3999}},
    {"profile": {"kind": "commune", "country": "FR"}, "k": None},
    {"profile": {"kind": "commune", "country": "FR"}, "filters": None},
    {"profile": {"kind": "commune", "country": "FR"}, "filters": {"exclude": ["x"] * 501}},
    {"profile": {"kind": "commune", "country": "FR"}, "diversity": 1e400},
]


@pytest.mark.parametrize("body", ODD_BODIES)
def test_odd_bodies_never_500(api: Api, body: dict[str, object]) -> None:
    import json

    raw = json.dumps(body).replace("Infinity", "1e400")
    r = api.client.post("/match", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert_error(r, r.status_code)


@pytest.mark.parametrize("raw", [b'{"profile": {"kind": "commune", "country": "FR", "lat": NaN, "lon": 1}}',
                                 b'{"profile": {"kind": "commune", "country": "FR", "lat": Infinity, "lon": 1}}',
                                 b'{"profile": {"kind": "commune", "country": "FR"}, "diversity": NaN}'])
def test_non_finite_numbers_are_rejected(api: Api, raw: bytes) -> None:
    r = api.client.post("/match", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 422), r.text
    assert_error(r, r.status_code)


def test_patch_odd_bodies(api: Api) -> None:
    body: Any
    for body in ([], {"needs": None}, {"needs": {"themes": None}}, {"partnership_types": "twinning"},
                 {"description": 5}, {"contact": {"phone": "call me"}}):
        r = api.client.patch(f"/authorities/{A}", headers=api.owner_a, json=body)
        assert_error(r, 422, "invalid_input")
