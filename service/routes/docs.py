"""The API documentation pages, offline: Swagger UI at ``/docs`` and ReDoc at ``/redoc`` with every asset
served by the app itself (``/static/vendor/``, vendored from pinned npm packages: see
``service/static/vendor/VENDOR.md``). FastAPI's own pages load them from a CDN, which is blank here."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

VENDOR = "/static/vendor"
TITLE = "twinmatch"


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{TITLE} — API",
                               swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
                               swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
                               swagger_favicon_url="/static/favicon.svg",
                               oauth2_redirect_url="/docs/oauth2-redirect",
                               # No "validate online" badge sending the spec's URL to validator.swagger.io
                               # (BaseLayout shows none anyway: this keeps it so if the layout changes).
                               swagger_ui_parameters={"validatorUrl": None})


@router.get("/docs/oauth2-redirect")
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title=f"{TITLE} — API", redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js",
                          redoc_favicon_url="/static/favicon.svg", with_google_fonts=False)
