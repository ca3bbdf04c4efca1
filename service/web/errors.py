"""A page's error as a page: what ``service.errors`` renders for requests that went through ``page_request``
(kept out of ``context`` because the fairs page, which needs the context, is one of its answers)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from service.web.context import page_request
from service.web.fairs import upload_page
from service.web.i18n_fairs import size_text


def html_error(request: Request, status: int, code: str, message: str, field: str | None) -> Response:
    """A page's error as a page (``service.errors`` calls this for requests that went through
    ``page_request``): the same status and message, in the page's language frame."""
    page = page_request(request)
    # The form checks' own wording is English and technical (pydantic's): the page says it in its language,
    # the detail stays one click away.
    detail = None
    if code == "payload_too_large":  # the body limit (service.errors.BodyLimitMiddleware): said with the limit
        message = page.t("events.file.too_big", size=size_text(page.res.settings.max_body_bytes, page.lang))
        if request.url.path == "/rencontres" and page.key is not None and page.key.role in ("staff", "organiser"):
            return upload_page(page, status, message)  # the upload form again, the error above it
    if code == "invalid_input" and field and page.lang == "fr":
        message, detail = page.t("form.invalid", field=field), message
    return page.render("error.html", status_code=status, status=status, code=code, message=message, field=field,
                       detail=detail)
