"""A fair participant's own page, opened from the link its organiser sent (no sign-in): the other
participants it may meet, each with three choices — must meet, would like to meet, no thanks — or none.

The link is ``/rencontres/{event}/souhaits/{token}?p={participant}``, the token an HMAC of the event and
participant ids with the server's secret (``service.services.events.link_token``): it opens this
participant's answers and nothing else (no other participant's answers, no scores, no schedule). A
wrong token, event or participant is one 404. Answers are stored with the event's options and shape the
next plan (``matcher.events.options.planning_pairs``); the organiser sees who answered and when.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from matcher.events.options import WISHES, Answer
from matcher.store.audit import utc_now
from service.services import events as svc
from service.services.event_registry import LoadedEvent
from service.web.context import FormPage, Page, PageDep

router = APIRouter()
TokenPath = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[0-9a-f]+$")]
ParticipantQ = Annotated[str, Query(alias="p", min_length=1, max_length=200)]


def wish_path(event_id: str, participant_id: str, token: str) -> str:
    return f"/rencontres/{event_id}/souhaits/{token}?p={quote(participant_id, safe='')}"


async def _by_link(page: Page, event_id: str, token: str, participant_id: str) -> LoadedEvent:
    reg = await svc.get_registry(page.res, page.store)
    return await svc.participant_by_link(reg, page.res, event_id, participant_id, token)


def _render(page: Page, loaded: LoadedEvent, participant_id: str, token: str, saved: bool = False) -> Response:
    mine = svc.options_of(loaded).answers.get(participant_id)
    me = loaded.event.participants[loaded.event.index[participant_id]]
    return page.render("fair_wishes.html", record=loaded.record, me=me, others=svc.others_for(loaded, participant_id),
                       wishes=dict(mine.wishes) if mine is not None else {}, saved=saved,
                       action=wish_path(loaded.record.id, participant_id, token))


@router.get("/rencontres/{event_id}/souhaits/{token}", response_class=HTMLResponse)
async def wishes_page(page: PageDep, event_id: str, token: TokenPath, participant: ParticipantQ) -> Response:
    loaded = await _by_link(page, event_id, token, participant)
    return _render(page, loaded, participant, token)


@router.post("/rencontres/{event_id}/souhaits/{token}", response_class=HTMLResponse)
async def wishes_save(page: FormPage, event_id: str, token: TokenPath, participant: ParticipantQ,
                      request: Request) -> Response:
    """Fields ``w{n}`` (n: the other's position on the page) with ``must`` / ``like`` / ``no``; anything else
    (or none) is no wish. The participant's earlier answers are replaced."""
    page.limit("write")
    loaded = await _by_link(page, event_id, token, participant)
    form = await request.form()
    others = svc.others_for(loaded, participant)
    wishes = {}
    for n, (pid, _) in enumerate(others):
        value = form.get(f"w{n}")
        if isinstance(value, str) and value in WISHES:
            wishes[pid] = value
    reg = await svc.get_registry(page.res, page.store)
    answer = Answer(wishes, utc_now())
    await svc.update_options(reg, loaded, lambda o: o.with_answer(participant, answer))
    return _render(page, loaded, participant, token, saved=True)
