"""Rate limits and malformed credentials, through the real app with the default limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support.api import CLAIM, A, assert_error, fake, make_settings

from matcher.encoding import HashingEncoder
from service.app import create_app
from service.settings import Settings


@pytest.fixture()
def strict(tmp_path: Path, ranker_file: Path) -> Iterator[TestClient]:
    defaults = {f: Settings.model_fields[f].default for f in Settings.model_fields if f.startswith("rate_")}
    app = create_app(make_settings(tmp_path, ranker_file, **defaults), encoder=HashingEncoder(dim=128))
    with TestClient(app) as client:
        yield client


def test_wrong_keys_are_rate_limited_with_retry_after(strict: TestClient) -> None:
    statuses = [strict.get("/authorities", headers={"X-API-Key": f"tm_{i:012x}_wrong"}).status_code for i in range(300)]
    assert statuses[:20] == [401] * 20 and statuses.count(429) >= 1 and set(statuses) == {401, 429}
    r = strict.get("/authorities", headers={"X-API-Key": "tm_000000000000_wrong"})
    err = assert_error(r, 429, "too_many_requests")
    assert int(r.headers["Retry-After"]) >= 1 and "retry" in str(err["message"])
    # Anonymous reading is not what failed: it still works from that address.
    assert strict.get("/authorities").status_code == 200


def test_registrations_and_claims_are_rate_limited(strict: TestClient) -> None:
    codes = [strict.post("/authorities", json=fake(i)).status_code for i in range(12)]
    assert codes[:10] == [201] * 10 and codes[10:] == [429, 429]
    claims = [strict.post(f"/authorities/{A}/claims", json=CLAIM).status_code for _ in range(6)]
    assert claims[0] == 202 and claims[1:5] == [409] * 4 and claims[5] == 429  # 5 per hour, answered or not


def test_staff_entries_count_as_writes_not_registrations(strict: TestClient) -> None:
    """Staff entering catalogue entries are not self-registrations: the write limit (120/minute) applies."""
    _, staff = strict.app.state.resources.store.create_key("staff", None, "Alice (staff)")  # type: ignore[attr-defined]
    codes = [strict.post("/authorities", json=fake(i, name=f"Saisie {i}"), headers={"Authorization": f"Bearer {staff}"}
                         ).status_code for i in range(12)]
    assert codes == [201] * 12
    assert strict.post("/authorities", json=fake(99)).status_code == 201  # anonymous: its own budget


@pytest.mark.parametrize("headers", [
    {"Authorization": "Token abc"}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"},
    {"Authorization": "Bearer   "}, {"Authorization": ""}, {"X-API-Key": ""}, {"X-API-Key": "  "},
])
def test_a_malformed_or_empty_credential_is_401_not_anonymous(strict: TestClient, headers: dict[str, str]) -> None:
    r = strict.get("/authorities", headers=headers)
    assert_error(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_oversized_headers_are_431_in_the_error_shape(strict: TestClient) -> None:
    r = strict.get("/health", headers={"X-Padding": "x" * 20_000})
    err = assert_error(r, 431, "request_header_fields_too_large")
    assert "16384" in str(err["message"])
    assert strict.get("/health", headers={"X-Padding": "x" * 1000}).status_code == 200
