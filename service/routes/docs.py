"""The API documentation pages, offline: Swagger UI at ``/docs`` and ReDoc at ``/redoc`` with every asset
served by the app itself (``/static/vendor/``, vendored from pinned npm packages: see
``service/static/vendor/VENDOR.md``). FastAPI's own pages load them from a CDN, which is blank here.

No inline script or style (the CSP of ``service.edge``): the pages are written here, their start-up code is
``/static/js/swagger-init.js`` and ``/static/css/redoc.css``. Their CSP adds ``data:`` images (Swagger UI's
icons); the OAuth2 redirect page (FastAPI's) keeps its one inline script, allowed by its hash."""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

from service.edge import csp_with

router = APIRouter(include_in_schema=False)

VENDOR = "/static/vendor"
TITLE = "twinmatch — API"

SWAGGER_HTML = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(TITLE)}</title>
<link rel="stylesheet" href="{VENDOR}/swagger-ui/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{VENDOR}/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/swagger-init.js"></script>
</body>
</html>
"""

REDOC_HTML = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(TITLE)}</title>
<link rel="stylesheet" href="/static/css/redoc.css">
<link rel="icon" href="/static/favicon.svg">
</head>
<body>
<noscript>ReDoc requires JavaScript to show the documentation; /openapi.json is the specification itself.</noscript>
<redoc spec-url="/openapi.json"></redoc>
<script src="{VENDOR}/redoc/redoc.standalone.js"></script>
</body>
</html>
"""


def _script_hashes(html: str) -> list[str]:
    """``sha256-...`` of each inline script of ``html`` (what a CSP hash source names)."""
    return ["sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            for body in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)]


_REDIRECT = bytes(get_swagger_ui_oauth2_redirect_html().body).decode()
_REDIRECT_CSP = csp_with(script_hashes=tuple(_script_hashes(_REDIRECT)))
#: Swagger UI's icons are data: images.
_DOCS_CSP = csp_with(data_images=True)
#: The vendored ReDoc (styled-components) inserts two <style> elements: one empty, whose rules it then adds
#: through the CSSOM (which a CSP does not govern), and one fixed stylesheet. Allowed by their hashes; a
#: new ReDoc version with other styles shows as CSP errors in tests/test_browser_smoke.py.
REDOC_STYLE_HASHES = ("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",  # the empty <style>
                      "sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc=")
_REDOC_CSP = csp_with(style_hashes=REDOC_STYLE_HASHES, data_images=True, blob_workers=True)


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return HTMLResponse(SWAGGER_HTML, headers={"Content-Security-Policy": _DOCS_CSP})


@router.get("/docs/oauth2-redirect")
def swagger_ui_redirect() -> HTMLResponse:
    return HTMLResponse(_REDIRECT, headers={"Content-Security-Policy": _REDIRECT_CSP})


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return HTMLResponse(REDOC_HTML, headers={"Content-Security-Policy": _REDOC_CSP})
