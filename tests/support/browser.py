"""Shared set-up for the browser tests (no tests here): the real app on a loopback port, driven by a real
headless Chromium through Selenium.

Its fixtures are registered for every test by ``tests/conftest.py``; mark the tests
``pytest.mark.browser`` (the ``browser`` fixtures refuse unmarked tests, so ``-m "not browser"`` always
deselects every test that needs Chromium).

Why it is built this way:

* The browser is Debian's (``/usr/bin/chromium`` + ``/usr/bin/chromedriver``, installed by ``make
  test``): nothing downloads a browser or a driver. Selenium is given the driver's path, so Selenium
  Manager is never run, and ``SE_OFFLINE`` keeps it offline should anything call it anyway.
* This machine (and CI) has no network but the package registries, and the web app must work offline.
  Chromium's own background traffic is switched off by flags, every host name but 127.0.0.1 resolves to
  nothing (``--host-resolver-rules``), and a *network guard* reads Chromium's performance log after each
  test: any request the page even tried to send elsewhere than the app's host:port fails the test, so a
  page that quietly depends on a CDN fails here instead of showing blank in production.
* Without Chromium the browser tests are skipped (with the reason), unless ``TWINMATCH_REQUIRE_BROWSER``
  is set (``make test`` sets it): then a missing browser fails them, so CI cannot go green by skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

# Before selenium is imported: Selenium Manager (its driver/browser downloader) must never go online.
os.environ.setdefault("SE_OFFLINE", "true")
os.environ.setdefault("SE_AVOID_STATS", "true")

import pytest
from fastapi import FastAPI
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from matcher.encoding import HashingEncoder
from matcher.ranking.artifact import save_ranker
from matcher.store.protocol import ProfileStore
from service.app import create_app
from service.http_protocols import HTTP_PROTOCOL
from support.api import A, B, make_settings
from support.net import serve_in_thread
from support.rankers import synthetic_ranker

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_ENV = "TWINMATCH_REQUIRE_BROWSER"

DESKTOP = (1280, 900)
PHONE = (390, 844)
PHONE_USER_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Chrome/150.0.0.0 Mobile Safari/537.36")

#: Chromium's flags. The --disable-* networking ones stop its own background traffic (component updates,
#: sync, safe-browsing lists…), whose refused connections would otherwise slow it down; the resolver
#: rule makes every host but 127.0.0.1 unresolvable, so no request can leave even if a page tries.
#: --disable-dev-shm-usage: Docker's default /dev/shm (64 MB) is too small for Chromium.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)

#: URL schemes that never touch the network, ignored by the guard: inline data, and the browser's own pages
#: (Chromium starts on chrome://new-tab-page, whose resources are chrome:// URLs).
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome", "chrome-untrusted", "devtools"})

PAGE_LOAD_TIMEOUT = 20.0
SERVER_START_TIMEOUT = 60.0


# --------------------------------------------------------------------------------------------------- app

@dataclass
class LiveApp:
    """The app served by uvicorn on a loopback port (``support.net.serve_in_thread``), with keys made in its
    store."""

    base_url: str
    app: FastAPI
    store: ProfileStore
    staff_key: str
    owner_keys: dict[str, str]  # authority id (support.api.A, B) -> its owner key

    def url(self, path: str = "/") -> str:
        return self.base_url + path


@pytest.fixture(scope="module")
def live_app() -> Iterator[LiveApp]:
    """One server per test module (starting one takes about a second): tests of a module share its
    database, so a test that writes must not rely on what another test of the module wrote or left. The
    app is built as ``support.api.make_settings`` builds it, served for real: a browser needs a socket,
    which TestClient does not open. When the module is done, uvicorn shuts down (running the app's
    lifespan exit, which closes the store), then the files go."""
    tmp = Path(tempfile.mkdtemp(prefix="twinmatch-browser-"))
    try:
        save_ranker(synthetic_ranker(), tmp / "ranker.joblib")
        app = create_app(make_settings(tmp, tmp / "ranker.joblib"), encoder=HashingEncoder(dim=128))
        with serve_in_thread(app, timeout=SERVER_START_TIMEOUT, http=HTTP_PROTOCOL) as port:
            store: ProfileStore = app.state.resources.store
            _, staff = store.create_key("staff", None, "Alice (staff)")
            _, owner_a = store.create_key("owner", A, "Eauville")
            _, owner_b = store.create_key("owner", B, "Registreville")
            yield LiveApp(f"http://127.0.0.1:{port}", app, store, staff, {A: owner_a, B: owner_b})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------------ guard

def _origin(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme)
    return (parts.hostname or "", parts.port or default)


def requested_urls(driver: webdriver.Chrome) -> list[str]:
    """Every URL the browser's pages asked for since the last call (Chromium's performance log: it is
    drained by each read, so each request is seen once)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
        elif message.get("method") == "Network.webSocketCreated":
            urls.append(message["params"]["url"])
    return urls


def foreign_urls(urls: list[str], base_url: str) -> list[str]:
    """The URLs that are not the app's: another host, or another port of this one. ``data:``, ``blob:`` and
    ``about:`` URLs never touch the network and are not counted."""
    allowed = _origin(base_url)
    return [u for u in urls if urlsplit(u).scheme not in LOCAL_SCHEMES and _origin(u) != allowed]


def _stray_message(foreign: list[str], base_url: str) -> str:
    return (f"the page tried to reach {len(foreign)} URL(s) outside {base_url} "
            f"(everything must be served by the app): " + ", ".join(sorted(set(foreign))))


def assert_only_local_requests(driver: webdriver.Chrome, base_url: str) -> None:
    """Fail when a page tried to reach anything but the app (the log read since the last call)."""
    foreign = foreign_urls(requested_urls(driver), base_url)
    if foreign:
        raise AssertionError(_stray_message(foreign, base_url))


_GUARDED = pytest.StashKey[list[tuple[webdriver.Chrome, str]]]()
_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """The guard runs right after the test body, so a stray request fails the test itself (reported as a
    failure, not as a teardown error). A test that already failed keeps its own failure."""
    result = yield
    for driver, base_url in item.stash.get(_GUARDED, []):
        foreign = foreign_urls(requested_urls(driver), base_url)
        if foreign:  # the URLs say it all; a traceback into this hook would not
            pytest.fail(_stray_message(foreign, base_url), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keeps the call phase's report, so the browser fixture can screenshot a failed test's page."""
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


# ---------------------------------------------------------------------------------------------- browser

@pytest.fixture(scope="session")
def chromium_available() -> None:
    """Skip (or, with TWINMATCH_REQUIRE_BROWSER set, fail) when Debian's Chromium is not installed.
    Session-scoped so that it runs before ``live_app`` starts a server for nothing."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if not missing:
        return
    reason = (f"no browser: {' and '.join(missing)} missing "
              "(apt-get install chromium chromium-driver, or `make test`, which installs them)")
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{reason}; {REQUIRE_ENV} is set, so this is a failure", pytrace=False)
    pytest.skip(reason)


def make_driver(profile_dir: Path, size: tuple[int, int] = DESKTOP,
                user_agent: str | None = None) -> webdriver.Chrome:
    """A headless Chromium on a fresh profile (no cache, cookies or storage carried between tests), with
    the performance log on for the network guard. ``user_agent`` turns on phone emulation at ``size``
    (viewport, touch, device pixel ratio), which a window size alone does not give."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    if user_agent is not None:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": size[0], "height": size[1], "pixelRatio": 3.0, "touch": True},
            "userAgent": user_agent})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        driver.implicitly_wait(0)  # waits are explicit (wait_for): an implicit wait hides slow pages
        driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
        driver.get("about:blank")  # off the start page, whose requests are then dropped from the log:
        requested_urls(driver)     # what the guard sees afterwards is the test's pages only
    except BaseException:
        driver.quit()
        raise
    return driver


def _browser(request: pytest.FixtureRequest, live_app: LiveApp, tmp_path_factory: pytest.TempPathFactory,
             size: tuple[int, int], user_agent: str | None) -> Iterator[webdriver.Chrome]:
    if request.node.get_closest_marker("browser") is None:
        pytest.fail("a test that drives Chromium must be marked pytest.mark.browser", pytrace=False)
    profile = Path(tempfile.mkdtemp(prefix="twinmatch-chromium-"))
    try:
        driver = make_driver(profile, size, user_agent)
        try:
            request.node.stash.setdefault(_GUARDED, []).append((driver, live_app.base_url))
            yield driver
            report = request.node.stash.get(_CALL_REPORT, None)
            if report is not None and report.failed:  # pytest's temporary folders keep the last 3 runs
                try:
                    shot = screenshot(driver, tmp_path_factory.mktemp("browser-failure") / "page.png")
                    print(f"screenshot of the failed test's page: {shot} ({driver.current_url})")
                except WebDriverException as exc:
                    print(f"no screenshot of the failed test's page: {exc.msg}")
            assert_only_local_requests(driver, live_app.base_url)  # whatever came after the test body
        finally:
            driver.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def browser(request: pytest.FixtureRequest, chromium_available: None, tmp_path_factory: pytest.TempPathFactory,
            live_app: LiveApp) -> Iterator[webdriver.Chrome]:
    """Chromium at a desktop size (1280×900), quit after the test; its requests are checked by the guard."""
    yield from _browser(request, live_app, tmp_path_factory, DESKTOP, None)


@pytest.fixture()
def browser_phone(request: pytest.FixtureRequest, chromium_available: None, tmp_path_factory: pytest.TempPathFactory,
                  live_app: LiveApp) -> Iterator[webdriver.Chrome]:
    """Chromium emulating a phone (390×844 viewport, touch, a mobile user agent), guarded the same way."""
    yield from _browser(request, live_app, tmp_path_factory, PHONE, PHONE_USER_AGENT)


# ---------------------------------------------------------------------------------------------- helpers

def wait_for(driver: webdriver.Chrome, css: str, timeout: float = 10) -> WebElement:
    """The first element matching ``css`` once it is visible (not merely in the DOM: a page whose script
    failed often has its elements but shows nothing)."""
    condition: Any = ec.visibility_of_element_located((By.CSS_SELECTOR, css))
    element: WebElement = WebDriverWait(driver, timeout).until(
        condition, message=f"no visible {css!r} after {timeout} s on {driver.current_url}")
    return element


def wait_for_count(driver: webdriver.Chrome, css: str, at_least: int, timeout: float = 10) -> list[WebElement]:
    """The elements matching ``css`` once there are at least ``at_least`` of them."""
    def enough(d: Any) -> list[WebElement] | Literal[False]:
        found: list[WebElement] = d.find_elements(By.CSS_SELECTOR, css)
        return found if len(found) >= at_least else False
    found: list[WebElement] = WebDriverWait(driver, timeout).until(
        enough, message=f"fewer than {at_least} {css!r} after {timeout} s on {driver.current_url}")
    return found


def screenshot(driver: webdriver.Chrome, path: Path | str) -> Path:
    """Saves a PNG of the viewport at ``path`` (its folder created) and returns the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not driver.save_screenshot(str(out)):
        raise RuntimeError(f"Chromium could not take a screenshot to {out}")
    return out


def console_errors(driver: webdriver.Chrome) -> list[str]:
    """The page's console messages at SEVERE level since the last call (drained like the network log)."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]



def shot(driver: webdriver.Chrome, name: str) -> None:
    """A screenshot named ``name`` into the folder ``$SCREENSHOTS`` when it is set (docs/screenshots/)."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        screenshot(driver, Path(folder) / f"{name}.png")


def sign_in(driver: webdriver.Chrome, live_app: LiveApp, secret: str) -> None:
    driver.get(live_app.url("/connexion"))
    wait_for(driver, "#key").send_keys(secret)
    driver.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/connexion" not in d.current_url)


def sign_out(driver: webdriver.Chrome) -> None:
    driver.find_element(By.CSS_SELECTOR, "form[action='/deconnexion'] button").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "a[href='/connexion']"))
