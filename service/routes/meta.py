"""Liveness, readiness and the theme taxonomy."""

from __future__ import annotations

import time

from fastapi import APIRouter

from matcher.themes import LANGUAGES, THEMES
from service.deps import ResourcesDep
from service.errors import NotReady
from service.schemas.matching import HealthOut, ReadyOut, ThemeOut, ThemesOut

router = APIRouter(tags=["meta"])


@router.get("/health", response_model=HealthOut, summary="Liveness: the process answers")
async def health(res: ResourcesDep) -> HealthOut:
    # The probes are ``async``: on the event loop, never in a thread pool where ranking could hold them up.
    return HealthOut(status="ok", uptime_seconds=round(time.monotonic() - res.started, 3))


@router.get("/ready", response_model=ReadyOut, summary="Readiness: model, ranker and catalogue loaded, database "
            "reachable, in step with the other processes' writes",
            responses={503: {"description": "Still loading, loading failed, the database cannot be reached "
                                            "(`database_unavailable`), or the writes of other processes could not "
                                            "be applied for several seconds (the message says which)."}})
async def ready(res: ResourcesDep) -> ReadyOut:
    matcher = res.matcher
    if matcher is None or res.store is None:
        if res.error:
            raise NotReady(f"loading failed: {res.error}")
        raise NotReady(f"loading: {res.stage}")
    # StoreUnavailable (503) while the database is down or restarting; in the probes' own threads.
    await res.admission.probe(res.store.ping)
    follow = res.follower.status() if res.follower is not None else None
    if follow is not None and not follow.in_step:
        raise NotReady(f"not in step with the database's change log: {follow.error}")
    state = matcher.state  # the live state: counts include profiles written since start
    encoder = matcher.encoder
    return ReadyOut(
        ready=True, model=encoder.model_id if encoder is not None else None, ranker=str(res.settings.ranker),
        authorities=int(state.arrays.n), links=len(state.links), texts=int((state.arrays.text_row >= 0).sum()),
        load_seconds=round(res.report.seconds, 3) if res.report is not None else None,
        change_seq=follow.seq if follow is not None else None, changes_applied=follow.applied if follow else 0,
    )


@router.get("/themes", response_model=ThemesOut, summary="The theme taxonomy, labels in six languages, SDGs")
def themes() -> ThemesOut:
    return ThemesOut(languages=list(LANGUAGES), themes=[
        ThemeOut(code=t.code, sdgs=list(t.sdgs), labels=dict(t.labels)) for t in THEMES])
