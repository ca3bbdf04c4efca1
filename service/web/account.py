"""Signed-in pages: sign in with an owner (or staff) key, edit one's profile and see the shortlist change,
express interest in a match (a message relayed by the platform), the inbox.

Profile edits go through the service the API's ``PATCH /authorities/{id}`` calls
(``service.services.authorities.update``): the same checks, the same write-through to the matcher, the
same rules on who may edit what."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from matcher.domain import Profile
from matcher.errors import Forbidden, NotFound
from matcher.store.audit import ApiKey
from service.auth import actor_of
from service.deps import get_countries
from service.schemas.authorities import AuthorityUpdate
from service.services import authorities
from service.services.authorities import visible_profile
from service.services.funding import glances
from service.web.context import SESSION_COOKIE, FormPage, Page, PageDep, validated
from service.web.pages import matcher_of

router = APIRouter()

ShortField = Annotated[str, Form(max_length=200)]
LongField = Annotated[str, Form(max_length=5000)]


def signed_in(page: Page) -> ApiKey:
    if page.key is None:
        raise Forbidden(page.t("signin.bad"))
    return page.key


@router.get("/connexion", response_class=HTMLResponse)
def signin_form(page: PageDep) -> Response:
    return page.render("signin.html", error=None)


@router.post("/connexion", response_class=HTMLResponse)
def signin(page: FormPage, key: Annotated[str, Form(max_length=200)]) -> Response:
    page.limit("auth_failure", count=False)
    found = page.store.key_for_secret(key.strip())
    if found is None:
        page.limit("auth_failure")
        return page.render("signin.html", status_code=401, error=page.t("signin.bad"))
    page.start_session(found)
    return page.redirect("/rencontres" if found.role == "organiser" else "/mon-profil")


@router.post("/deconnexion")
def signout(page: FormPage) -> Response:
    token = page.request.cookies.get(SESSION_COOKIE, "")
    if token:
        page.store.delete_session(token)
    response = page.redirect("/")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/mon-profil", response_class=HTMLResponse)
def my_profile(page: PageDep, saved: bool = False) -> Response:
    if page.key is None:
        return page.redirect("/connexion")
    if page.owner_of is None:  # a staff key: its space is the staff's
        return page.redirect("/equipe")
    p = visible_profile(page.store, page.owner_of, page.key)
    found = matcher_of(page).recommend(p, k=10)
    return page.render("profile.html", p=p, matches=found, saved=saved,
                       glances=glances(page.res, p, [(m.id, m.country) for m in found]))


@router.post("/mon-profil", response_class=HTMLResponse)
async def save_profile(page: FormPage, description: LongField = "", expertise_text: LongField = "",
                       needs_text: LongField = "", expertise_themes: Annotated[list[str], Form()] = [],  # noqa: B006
                       needs_themes: Annotated[list[str], Form()] = [],  # noqa: B006
                       partnership_types: Annotated[list[str], Form()] = [],  # noqa: B006
                       preferred_sizes: Annotated[list[str], Form()] = [],  # noqa: B006
                       preferred_regions: Annotated[list[str], Form()] = [],  # noqa: B006
                       preferred_countries: Annotated[str, Form(max_length=300)] = "") -> Response:
    from starlette.concurrency import run_in_threadpool

    key = signed_in(page)
    if page.owner_of is None:
        raise Forbidden(page.t("staff.only"))
    page.limit("write")
    body = validated(AuthorityUpdate, {
        "description": description, "expertise": {"themes": expertise_themes, "text": expertise_text},
        "needs": {"themes": needs_themes, "text": needs_text}, "partnership_types": partnership_types,
        "preferred_sizes": preferred_sizes, "preferred_regions": preferred_regions,
        "preferred_countries": [c.strip().upper() for c in preferred_countries.replace(";", ",").split(",")
                                if c.strip()]})
    countries = await get_countries(page.res, page.store)
    await run_in_threadpool(authorities.update, page.owner_of, body, page.res, page.store, matcher_of(page),
                            countries, key)
    return page.redirect("/mon-profil?saved=1")


@router.get("/collectivites/{authority_id}/interet/{partner_id}", response_class=HTMLResponse)
def interest_form(page: PageDep, authority_id: str, partner_id: str) -> Response:
    me, other = _pair(page, authority_id, partner_id)
    return page.render("interest.html", me=me, other=other)


def _pair(page: Page, authority_id: str, partner_id: str) -> tuple[Profile, Profile]:
    if page.owner_of != authority_id:
        raise Forbidden(page.t("signin.bad"))
    me = visible_profile(page.store, authority_id, page.key)
    _check_sender(page, me)
    other = page.store.get(partner_id)
    if not other.is_verified:
        raise NotFound(page.t("error.not_found"), field="partner_id")
    return me, other


def _check_sender(page: Page, me: Profile) -> None:
    """Only a verified authority writes to others: a pending registration (anyone may make one) or a
    rejected one would otherwise message every town hall in the catalogue."""
    if not me.is_verified:
        raise Forbidden(page.t("interest.unverified"), field="authority_id")


@router.post("/collectivites/{authority_id}/interet/{partner_id}", response_class=HTMLResponse)
def send_interest(page: FormPage, authority_id: str, partner_id: str,
                  message: Annotated[str, Form(max_length=2000)]) -> Response:
    me, other = _pair(page, authority_id, partner_id)
    key = signed_in(page)
    page.limit("claim")  # a message to another authority: as rare as a claim, and as open to abuse
    page.store.add_interest(me.id, other.id, message, actor=actor_of(key))
    return page.redirect(f"/messages?sent={quote(other.id)}")


@router.get("/messages", response_class=HTMLResponse)
def inbox(page: PageDep, sent: str = "") -> Response:
    if page.key is None:
        return page.redirect("/connexion")
    own = page.owner_of
    items = page.store.interests(authority_id=own) if own is not None or page.staff else []
    ids = {i.sender_id for i in items} | {i.recipient_id for i in items}
    names = {p.id: p.display_name(page.lang) for p in page.store.get_many(ids)}
    # "Message relayed to …" only after a message of this signed-in authority to that one (the redirect of
    # a send): a hand-written ?sent= names nobody, and never a profile one could not see otherwise.
    sent_to = next((names.get(i.recipient_id, "") for i in items
                    if own is not None and i.sender_id == own and i.recipient_id == sent), "")
    return page.render("inbox.html", items=items, names=names, own=own, sent_to=sent_to)


@router.post("/messages/{interest_id}/reponse", response_class=HTMLResponse)
def reply(page: FormPage, interest_id: int, message: Annotated[str, Form(max_length=2000)]) -> Response:
    key = signed_in(page)
    original = page.store.interest(interest_id)
    if page.owner_of not in (original.sender_id, original.recipient_id):
        raise Forbidden(page.t("signin.bad"))
    other = original.sender_id if page.owner_of == original.recipient_id else original.recipient_id
    _check_sender(page, visible_profile(page.store, str(page.owner_of), page.key))
    page.limit("claim")
    page.store.add_interest(str(page.owner_of), other, message, actor=actor_of(key), reply_to=interest_id)
    return page.redirect(f"/messages?sent={quote(other)}")
