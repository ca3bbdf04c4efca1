"""The app serves every front-end asset itself: the API docs pages (``/docs``, ``/redoc``) reference only
same-origin URLs, each of which answers with the right content type; the vendored files are exactly those
listed, with their sha256, in ``service/static/vendor/VENDOR.md`` (and in ``scripts/vendor_assets.py``,
which re-creates them from npm); the vendored bundles load nothing remote by default; and the map script
is served as JavaScript. (That the pages *render* offline is tests/test_browser_smoke.py's job.)"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from hashlib import sha256
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support.api import make_settings

from matcher.encoding import HashingEncoder
from service.app import create_app
from service.web import STATIC_DIR

VENDOR = STATIC_DIR / "vendor"
VENDOR_MD = VENDOR / "VENDOR.md"
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "vendor_assets.py"

#: extension -> the media type StaticFiles must answer with (JavaScript: either registered name)
MEDIA_TYPES = {".js": ("text/javascript", "application/javascript"), ".css": ("text/css",),
               ".svg": ("image/svg+xml",), ".json": ("application/json",)}

#: Hosts a front-end bundle typically loads fonts or code from.
REMOTE_HOSTS = ("fonts.googleapis.com", "fonts.gstatic.com", "cdn.jsdelivr.net", "unpkg.com",
                "cdnjs.cloudflare.com", "cdn.redoc.ly", "use.typekit.net")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, ranker_file: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path_factory.mktemp("static"), ranker_file)
    with TestClient(create_app(settings, encoder=HashingEncoder(dim=128))) as c:
        yield c


class _Urls(HTMLParser):
    """Every ``src`` / ``href`` attribute of a page, and the text of its inline scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href") and v is not None]
        self._in_code = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._in_code = False

    def handle_data(self, data: str) -> None:
        if self._in_code:
            self.inline.append(data)


def page_urls(html: str) -> list[str]:
    """The URLs a page refers to: attributes, plus ``url: '…'`` (Swagger UI's spec) and CSS ``url(…)``."""
    parser = _Urls()
    parser.feed(html)
    code = "\n".join(parser.inline)
    found = parser.urls + re.findall(r"""\burl\s*:\s*['"]([^'"]+)['"]""", code)
    found += re.findall(r"""url\(\s*['"]?([^'")\s]+)""", code)
    found += re.findall(r"""spec-url=['"]([^'"]+)['"]""", html)  # ReDoc's <redoc spec-url="…">
    return found


def is_remote(url: str) -> bool:
    return url.lower().startswith(("http://", "https://", "//"))


def assert_served(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    media = r.headers["content-type"].split(";")[0].strip()
    expected = MEDIA_TYPES.get(Path(url).suffix, ("application/json",) if url == "/openapi.json" else ())
    assert media in expected, (url, media, expected)


# ---- the docs pages ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("page", "assets"), [
    ("/docs", {"/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css",
               "/static/favicon.svg", "/static/js/swagger-init.js"}),  # its start-up code: the spec's URL
    ("/redoc", {"/static/vendor/redoc/redoc.standalone.js", "/static/favicon.svg", "/openapi.json",
                "/static/css/redoc.css"}),
])
def test_docs_page_refers_only_to_assets_the_app_serves(client: TestClient, page: str,
                                                        assets: set[str]) -> None:
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    urls = page_urls(r.text)
    assert assets <= set(urls), set(urls)  # the parser did see the page's assets
    assert not [u for u in urls if is_remote(u)]
    assert not [host for host in REMOTE_HOSTS if host in r.text]
    for url in sorted(set(urls)):
        assert url.startswith("/"), url
        assert_served(client, url)


def test_swagger_ui_has_no_online_validator(client: TestClient) -> None:
    """The bundle's one default remote URL (validator.swagger.io, sent the spec's URL) is switched off."""
    init = client.get("/static/js/swagger-init.js").text  # the page's start-up code (no inline script: CSP)
    assert "validatorUrl: null" in init
    assert page_urls(f"<script>{init}</script>") == ["/openapi.json"]  # the one URL it names, served
    assert_served(client, "/openapi.json")


def test_docs_pages_are_not_in_the_spec(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/docs", "/redoc", "/docs/oauth2-redirect"} & set(paths)


# ---- the vendored files ----------------------------------------------------------------------------
def vendor_md() -> dict[str, str]:
    """``VENDOR.md``'s table: vendored file (relative to vendor/) -> sha256."""
    listed = {}
    for line in VENDOR_MD.read_text("utf-8").splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"[0-9a-f]{64}", cells[6]):
            listed[cells[3]] = cells[6]  # | package | version | licence | file | from | bytes | sha256 |
    assert listed, "no file rows found in VENDOR.md"
    return listed


def vendor_script_files() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("vendor_assets", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines constants and functions only: fetches nothing
    files: dict[str, str] = module.FILES
    return files


def test_vendor_md_lists_every_vendored_file_with_its_sha256() -> None:
    listed = vendor_md()
    on_disk = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file() and p != VENDOR_MD}
    assert set(listed) == on_disk  # nothing vendored without being listed, nothing listed that is missing
    wrong = [rel for rel, digest in listed.items() if sha256((VENDOR / rel).read_bytes()).hexdigest() != digest]
    assert not wrong, f"files that differ from VENDOR.md: {sorted(wrong)}"
    assert vendor_script_files() == listed  # the script re-creates exactly what VENDOR.md says


def test_every_vendored_package_keeps_its_licence() -> None:
    folders = {rel.split("/")[0] for rel in vendor_md()}
    assert folders == {"swagger-ui", "redoc", "d3-array", "d3-geo", "topojson-client", "world-atlas"}
    assert all((VENDOR / folder / "LICENSE").is_file() for folder in folders)
    assert (VENDOR / "swagger-ui" / "NOTICE").is_file()  # Apache-2.0 §4(d)


@pytest.mark.parametrize("rel", ["swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css",
                                 "redoc/redoc.standalone.js"])
def test_bundles_load_nothing_remote_by_default(rel: str) -> None:
    """No font or CDN host; no element ``src`` given an absolute URL literal (how ReDoc's footer logo came
    from cdn.redoc.ly before scripts/vendor_assets.py patched it out); no CSS ``@import``, and CSS ``url()``
    only inline (``data:``). The remaining absolute URLs in the bundles are JSON Schema ids, namespaces,
    links a user may click and error-message links, none requested on load."""
    text = (VENDOR / rel).read_text("utf-8")
    assert not [host for host in REMOTE_HOSTS if host in text]
    assert not re.findall(r"""\bsrc\s*[:=]\s*["'`](?:https?:)?//""", text)
    assert not re.findall(r"""\bfetch\(\s*["'`](?:https?:)?//""", text)
    assert "@import" not in text
    if rel.endswith(".css"):
        assert all(u.startswith("data:") for u in re.findall(r"""url\(\s*['"]?([^'")\s]+)""", text))


@pytest.mark.parametrize("rel", ["d3-array/d3-array.min.js", "d3-geo/d3-geo.min.js",
                                 "topojson-client/topojson-client.min.js"])
def test_map_libraries_mention_urls_only_in_their_header_comment(rel: str) -> None:
    header, _, code = (VENDOR / rel).read_text("utf-8").partition("\n")
    assert header.startswith("// https://") and "http" not in code


# ---- the map ---------------------------------------------------------------------------------------
def test_map_script_and_its_assets_are_served(client: TestClient) -> None:
    for url in ("/static/js/map.js", "/static/vendor/d3-array/d3-array.min.js",
                "/static/vendor/d3-geo/d3-geo.min.js", "/static/vendor/topojson-client/topojson-client.min.js",
                "/static/vendor/world-atlas/countries-110m.json",
                "/static/vendor/world-atlas/countries-50m.json"):
        assert_served(client, url)
    atlas = client.get("/static/vendor/world-atlas/countries-110m.json").json()
    assert atlas["type"] == "Topology" and "countries" in atlas["objects"]


def test_map_script_reaches_for_nothing_remote() -> None:
    code = (STATIC_DIR / "js" / "map.js").read_text("utf-8")
    urls = re.findall(r"""(?:https?:)?//[\w.-]+\.\w+[^\s'"`]*""", code)
    assert set(urls) == {"http://www.w3.org/2000/svg"}  # the SVG namespace, never requested
    # What it relies on: the vendored globals, and the data-* contract the pages and browser tests use.
    d3_geo = (VENDOR / "d3-geo" / "d3-geo.min.js").read_text("utf-8")
    assert "geoNaturalEarth1" in d3_geo and "geoNaturalEarth1" in code
    for name in ("dataset.points", "dataset.atlas", "dataset.label", "dataset.drawn", "[data-map]"):
        assert name in code, name
