"""What every page needs: the language, the signed-in key (a session cookie), CSRF protection, and the
rendering of a template with all of it.

- **Sessions**: ``POST /connexion`` with an API key creates a session in the store (``matcher.store.web``);
  the browser holds only a random token (cookie ``twinmatch_session``: HttpOnly, SameSite=Lax, Secure over
  HTTPS). The key is re-checked on every request (a revoked key ends its sessions).
- **CSRF**: double-submit token. Every page sets a random ``twinmatch_csrf`` cookie (SameSite=Strict) if
  absent and puts the same value in a hidden field of its forms; every POST must carry both, equal
  (compared in constant time). A cross-site form can neither read the cookie nor make the browser send it.
- **Errors**: a page's ``MatcherError`` is rendered as an HTML page by the service's one error handler
  (``service.errors``), which sees ``request.state.html`` set by ``page_request``.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError

from matcher.domain import SIZE_BOUNDS
from matcher.errors import Forbidden, InvalidInput, MatcherError
from matcher.store.audit import ApiKey
from matcher.store.protocol import ProfileStore
from matcher.store.web import SESSION_DAYS
from matcher.themes import THEMES
from service.deps import Resources
from service.errors import NotReady, validation_message
from service.lang import Lang
from service.ratelimit import client_address
from service.web.i18n import (
    LANG_COOKIE,
    continent_label,
    inhabitants,
    kind_label,
    kind_labels,
    level_label,
    long_date,
    request_lang,
    score_meaning,
    score_points,
    size_label,
    translator,
)
from service.web.paths import TEMPLATES_DIR

R = TypeVar("R", bound=Response)
M = TypeVar("M", bound=BaseModel)
SESSION_COOKIE = "twinmatch_session"
CSRF_COOKIE = "twinmatch_csrf"
CSRF_FIELD = "csrf"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals.update(kind_label=kind_label, kind_labels=kind_labels, level_label=level_label, inhabitants=inhabitants,
                             continent_label=continent_label, themes=THEMES, score_points=score_points,
                             score_meaning=score_meaning, long_date=long_date, size_label=size_label,
                             size_bands=tuple(SIZE_BOUNDS))


class CsrfFailed(MatcherError):
    status = 403
    code = "csrf_failed"


@dataclass
class Page:
    """One page request: who, in which language, and the store/matcher behind it."""

    request: Request
    res: Resources
    lang: Lang
    key: ApiKey | None
    csrf: str
    new_csrf: bool
    session: str | None = None  # a session started by this request: its cookie is set by ``finish``

    @property
    def store(self) -> ProfileStore:
        if self.res.store is None:
            raise NotReady(translator(self.lang)("loading"))
        return self.res.store

    @property
    def staff(self) -> bool:
        return self.key is not None and self.key.role == "staff"

    @property
    def owner_of(self) -> str | None:
        return self.key.authority_id if self.key is not None and self.key.role == "owner" else None

    def t(self, key: str, **fields: object) -> str:
        return translator(self.lang)(key, **fields)

    def country_name(self, code: str) -> str:
        c = self.res.countries.get(code)
        if c is None:
            return code
        return (c.name_fr or c.name) if self.lang == "fr" else c.name

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        response = templates.TemplateResponse(self.request, template, {
            "page": self, "t": self.t, "lang": self.lang, "key": self.key, "csrf": self.csrf,
            "csrf_field": CSRF_FIELD, "country_name": self.country_name,
            "colon": "\u00a0:" if self.lang == "fr" else ":",  # French puts a (non-breaking) space before
            **context}, status_code=status_code)
        return self.finish(response)

    def redirect(self, url: str) -> RedirectResponse:
        return self.finish(RedirectResponse(url, status_code=303))

    def start_session(self, key: ApiKey) -> None:
        """Sign ``key`` in: a session in the store, its cookie on this response, the page drawn signed in."""
        self.session = self.store.create_session(key)
        self.key = key

    def finish(self, response: R) -> R:
        secure = self.request.url.scheme == "https"
        if self.session is not None:
            response.set_cookie(SESSION_COOKIE, self.session, httponly=True, samesite="lax",
                                max_age=SESSION_DAYS * 86400, secure=secure)
        if self.new_csrf:
            response.set_cookie(CSRF_COOKIE, self.csrf, httponly=True, samesite="strict", secure=secure)
        if self.request.query_params.get("lang") == self.lang:
            response.set_cookie(LANG_COOKIE, self.lang, max_age=365 * 86400, samesite="lax", secure=secure)
        return response

    def limit(self, rule: str, *, count: bool = True) -> None:
        """The API's rate limits (``service.ratelimit``) for a form: per client address and signed-in key;
        ``count=False`` only checks (failed sign-ins are counted after the failure, like wrong API keys)."""
        who = [client_address(self.request), *([f"key:{self.key.id}"] if self.key is not None else [])]
        (self.res.limits.hit if count else self.res.limits.check)(rule, *who)

    def require_events(self) -> ApiKey:
        """A staff or organiser key (partnership fairs)."""
        if self.key is None or self.key.role not in ("staff", "organiser"):
            raise Forbidden(self.t("events.only"))
        return self.key

    def require_staff(self) -> ApiKey:
        if self.key is None or self.key.role != "staff":
            raise Forbidden(self.t("staff.only"))
        return self.key


def validated(model: type[M], data: dict[str, Any]) -> M:
    """``model`` from a form's fields; a ValidationError becomes the usual 422 with the field named."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        field = ".".join(str(x) for x in errors[0]["loc"]) if errors else None
        raise InvalidInput(validation_message(errors), field=field) from None


def _resources(request: Request) -> Resources:
    res: Resources = request.app.state.resources
    return res


def page_request(request: Request) -> Page:
    """The page context of a GET (or the start of a POST's: see ``checked_form``)."""
    request.state.html = True
    res = _resources(request)
    lang = request_lang(request)
    key = None
    token = request.cookies.get(SESSION_COOKIE, "")
    if token and res.store is not None:
        key = res.store.session_key(token)
    csrf = request.cookies.get(CSRF_COOKIE, "")
    new = not (16 <= len(csrf) <= 100)
    if new:
        csrf = secrets.token_urlsafe(24)
    return Page(request, res, lang, key, csrf, new)


PageDep = Annotated[Page, Depends(page_request)]


def checked_page(page: PageDep, csrf: Annotated[str, Form(max_length=100)] = "") -> Page:
    """A POST's page context, after the CSRF check (the form field must equal the cookie)."""
    cookie = page.request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not csrf or not hmac.compare_digest(cookie.encode(), csrf.encode()):
        raise CsrfFailed(page.t("csrf"))
    return page


FormPage = Annotated[Page, Depends(checked_page)]
