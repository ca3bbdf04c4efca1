"""The server-rendered pages read through TestClient: HTML checked (``check_html``), pages fetched and checked
(``page``), the CSRF token, signing in, an organiser's fair upload."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import html5lib

from service.web.context import CSRF_COOKIE
from support.api import Api

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Checker(HTMLParser):
    """Balanced tags, unique ids, every form control labelled or named by ARIA, one <h1>, <html lang>."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.labels: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None]]] = []
        self.h1 = 0
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "h1":
            self.h1 += 1
        if (i := a.get("id")) is not None:
            if i in self.ids:
                self.errors.append(f"duplicate id {i}")
            self.ids.add(i)
        if tag == "label" and a.get("for"):
            self.labels.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append((tag, a))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def check_html(text: str, lang: str) -> None:
    """Valid HTML: no parse error by the WHATWG parsing algorithm (html5lib, strict), plus the checks of
    ``_Checker``."""
    assert text.lstrip().lower().startswith("<!doctype html>")
    try:
        html5lib.HTMLParser(strict=True).parse(text)
    except html5lib.html5parser.ParseError as exc:
        raise AssertionError(f"HTML parse error: {exc}") from None
    c = _Checker()
    c.feed(text)
    c.close()
    assert not c.errors, c.errors[:5]
    assert not c.stack, f"unclosed: {c.stack}"
    assert c.lang == lang and c.h1 == 1
    for tag, a in c.controls:
        labelled = a.get("id") in c.labels or a.get("aria-label") or a.get("aria-labelledby")
        if tag == "input" and a.get("type") == "checkbox":
            continue  # inside their <label>
        assert labelled, f"unlabelled {tag} {a}"
    assert "{{" not in text and "{%" not in text


def page(api: Api, url: str, lang: str = "fr", status: int = 200, **kw: Any) -> str:
    """The HTML of ``url`` in ``lang`` (``kw``: more query parameters), its status and HTML checked."""
    r = api.client.get(url, params={"lang": lang, **kw})
    assert r.status_code == status, (url, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html")
    check_html(r.text, lang)
    return r.text


def csrf(api: Api) -> str:
    """The CSRF token of the client's session (a page fetched first when it has none)."""
    if CSRF_COOKIE not in api.client.cookies:
        api.client.get("/")
    return str(api.client.cookies[CSRF_COOKIE])


def sign_in(api: Api, who: str) -> None:
    """Signs in with the key of ``who`` (``Api.headers``: "owner_a", "owner_b", "staff")."""
    secret = api.headers(who).get("Authorization", "").removeprefix("Bearer ") or api.headers(who)["X-API-Key"]
    r = api.client.post("/connexion", data={"key": secret, "csrf": csrf(api)}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]


def sign_in_with_key(api: Api, secret: str) -> None:
    """Signs in afresh (the cookies dropped) with an organiser's ``secret``: the fairs page opens."""
    api.client.cookies.clear()
    r = api.client.post("/connexion", data={"key": secret, "csrf": csrf(api)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/rencontres"


def post_fair(api: Api, data: bytes, filename: str, name: str = "", lang: str = "fr", media: str = "text/csv") -> object:
    """Uploads a participant file as the fairs page's form does (with its CSRF token), following redirects."""
    return api.client.post(f"/rencontres?lang={lang}", data={"csrf": csrf(api), "name": name},
                           files={"file": (filename, data, media)}, headers={"Accept": "text/html"},
                           follow_redirects=True)
