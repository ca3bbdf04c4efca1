"""The API documentation pages render in a real headless Chromium with no network but the app: Swagger UI
(``/docs``) and ReDoc (``/redoc``) run their vendored scripts from ``/static/vendor/`` and show the
operations of ``/openapi.json``; and the network guard of tests/support/browser.py, which every browser
test relies on to prove that, does fail when a page reaches for another host or port.

A blank docs page is what FastAPI's CDN-loaded defaults give offline, and a test over HTTP alone (the HTML
answers 200, the script answers 200) cannot tell a rendered page from a blank one: only a browser can."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from support.browser import (
    LiveApp,
    assert_only_local_requests,
    console_errors,
    foreign_urls,
    requested_urls,
    screenshot,
    wait_for,
    wait_for_count,
)

pytestmark = pytest.mark.browser

#: Resolves when the image injected into the page has loaded or failed (either way: its request was sent).
INJECT_IMAGE = """
const [src, done] = arguments;
const img = document.createElement("img");
img.onload = () => done("load");
img.onerror = () => done("error");
img.src = src;
document.body.appendChild(img);
"""


def _operations(live_app: LiveApp) -> int:
    spec = httpx.get(live_app.url("/openapi.json")).raise_for_status().json()
    return sum(1 for item in spec["paths"].values() for method in item
               if method in ("get", "put", "post", "delete", "patch"))


def test_swagger_ui_renders_every_operation_offline(browser: webdriver.Chrome, live_app: LiveApp) -> None:
    expected = _operations(live_app)
    assert expected >= 20, expected
    browser.get(live_app.url("/docs"))
    wait_for(browser, ".swagger-ui .opblock")
    blocks = wait_for_count(browser, ".swagger-ui .opblock", at_least=expected)
    assert len(blocks) == expected
    assert "twinmatch" in browser.find_element(By.CSS_SELECTOR, ".swagger-ui .info .title").text
    assert not console_errors(browser)
    served = requested_urls(browser)  # drains the log: the guard has nothing left to check after this
    assert any("/static/vendor/swagger-ui/" in u for u in served) and any("/openapi.json" in u for u in served)
    assert not foreign_urls(served, live_app.base_url)


def test_redoc_renders_every_operation_offline(browser: webdriver.Chrome, live_app: LiveApp) -> None:
    expected = _operations(live_app)
    browser.get(live_app.url("/redoc"))
    assert "twinmatch" in wait_for(browser, ".api-info h1", timeout=20).text
    # An operation's section is "operation/<id>" (inside its tag's "tag/<tag>/operation/<id>" wrapper).
    sections = wait_for_count(browser, "[data-section-id^='operation/']", at_least=expected)
    assert len(sections) == expected
    assert len(browser.find_elements(By.CSS_SELECTOR, "li[data-item-id*='/operation/']")) == expected  # menu
    assert not console_errors(browser)


def test_the_network_guard_fails_a_page_that_reaches_elsewhere(browser: webdriver.Chrome,
                                                                live_app: LiveApp) -> None:
    browser.get(live_app.url("/docs"))
    wait_for(browser, ".swagger-ui .opblock")
    assert_only_local_requests(browser, live_app.base_url)  # the page as served: clean
    browser.set_script_timeout(10)

    # Never on the network, so never reported.
    browser.execute_async_script(INJECT_IMAGE, "data:image/gif;base64,R0lGODlhAQABAAAAACw=")
    assert_only_local_requests(browser, live_app.base_url)

    # Another host: refused by the resolver rule, but it was tried, and that fails the test.
    assert browser.execute_async_script(INJECT_IMAGE, "http://example.org/a.png") == "error"
    with pytest.raises(AssertionError, match=r"http://example\.org/a\.png"):
        assert_only_local_requests(browser, live_app.base_url)

    # The same host on another port is not the app either.
    other = live_app.base_url.rsplit(":", 1)[0] + ":9/x.png"
    browser.execute_async_script(INJECT_IMAGE, other)
    with pytest.raises(AssertionError, match="outside"):
        assert_only_local_requests(browser, live_app.base_url)
    assert_only_local_requests(browser, live_app.base_url)  # each request is reported once


def test_swagger_ui_renders_on_a_phone(browser_phone: webdriver.Chrome, live_app: LiveApp,
                                       tmp_path: Path) -> None:
    browser_phone.get(live_app.url("/docs"))
    wait_for(browser_phone, ".swagger-ui .opblock")
    assert browser_phone.execute_script("return window.innerWidth") == 390
    assert browser_phone.execute_script("return navigator.maxTouchPoints") > 0
    assert "Mobile" in browser_phone.execute_script("return navigator.userAgent")
    shot = screenshot(browser_phone, tmp_path / "docs-phone.png")
    assert shot.read_bytes().startswith(b"\x89PNG")

