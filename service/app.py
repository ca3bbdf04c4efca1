"""``create_app``: the FastAPI application, with its dependencies built once per app (never at import).

Loading (open the SQLite store — creating it from ``data/`` on first run —, load the embedding model
and the ranker, build the in-memory matcher) takes seconds on the real catalogue. By default it runs in
a background thread started by the lifespan, so ``/health`` answers at once and ``/ready`` turns 200
when matching is possible; until then endpoints that need the store or the matcher answer 503
``not_ready``. ``Settings.background_load=False`` loads before serving (what tests use), and objects
passed to ``create_app`` (``store``, ``matcher``, ``encoder``) are used as they are.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from traceback import format_exception

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from matcher.encoding import CachedEncoder, Encoder
from matcher.errors import MatcherError
from matcher.paths import scrub
from matcher.ranking.engine import Matcher
from matcher.ranking.loading import LoadReport
from matcher.store.protocol import ProfileStore
from service import upload_parsing, web
from service.deps import Resources
from service.edge import TwinmatchApp
from service.errors import BodyLimitMiddleware, HeaderLimitMiddleware, install_error_handlers
from service.openapi import install_openapi
from service.routes import authorities, docs, events, funding, matches, meta, suggestions, trust
from service.settings import Settings
from service.web import STATIC_DIR
from service.web.errors import html_error

log = logging.getLogger("twinmatch.service")

DESCRIPTION = """Partner matching for decentralised cooperation between French and foreign local authorities.

Public data needs no key. Editing a profile needs its owner key (returned once by `POST /authorities`)
or a staff key (`twinmatch keys create --role staff`), sent as `Authorization: Bearer <key>` or
`X-API-Key: <key>`. Every error has the shape `{"error": {"code", "message", "field"}}`.
Explanations are in English or French: `?lang=fr` or `Accept-Language: fr`.
"""

TAGS = [
    {"name": "meta", "description": "Liveness, readiness, the theme taxonomy."},
    {"name": "authorities", "description": "The catalogue: search, profiles, registration and edits."},
    {"name": "matches", "description": "Ranked, explained partner candidates."},
    {"name": "staff", "description": "Catalogue-wide suggestions and the decision audit trail (staff keys)."},
    {"name": "events", "description": "Partnership fairs: upload participants, rank everyone, plan 1:1 meetings "
                                      "(staff keys)."},
    {"name": "funding", "description": "Funding calls and schemes for a partnership (status, eligibility, "
                                       "co-financing, what is missing, sources) and French co-applicants."},
]


def _version() -> str:
    try:
        return version("twinmatch")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0"


def operation_id(route: APIRoute) -> str:
    """An operation's id in the spec: its function's name (``search_authorities``, ``authority_matches``), not
    FastAPI's default that appends the path and method (what generated clients name their functions after)."""
    return route.name


def install_matcher(res: Resources, encoder: Encoder | None) -> LoadReport:
    """Build the matcher over ``res.store`` with ``encoder`` and install it (at start-up, and again when
    another process reloaded the catalogue)."""
    from matcher.ranking.loading import load_matcher

    assert res.store is not None
    matcher, report = load_matcher(res.store, encoder=encoder, ranker_path=res.settings.ranker,
                                   query_cache=res.settings.adhoc_embedding_cache)
    res.countries = res.store.countries()
    res.report, res.encoder = report, encoder
    res.matcher_ready(matcher)
    return report


def load_resources(res: Resources, encoder: Encoder | None) -> None:
    """Open the store and build the matcher into ``res``; on failure record why in ``res.error``.

    ``res.stage`` and ``res.error`` are read by clients (``/ready``, every 503 while not ready): they say
    which step, never a database URL or a driver's message; the server log has the (redacted) detail."""
    s = res.settings
    stage = "starting"
    try:
        if res.store is None:
            from matcher.paths import redact_db
            from matcher.store.backends import open_store

            res.stage = stage = "opening the database"
            log.info("opening the database %s", redact_db(s.db))
            res.store = res.owned_store = open_store(s.db, s.data_dir)
            if s.shared_rate_limits:
                res.limits.share_through(res.store)
        res.countries = res.store.countries()
        if encoder is None:
            from matcher.encoding import SentenceTransformerEncoder

            res.stage = stage = f"loading the embedding model {s.model}"
            encoder = SentenceTransformerEncoder(s.model)
        res.stage = stage = "building the matcher"
        since = res.store.last_change()  # read before loading: what commits during the load is replayed
        res.start_catalogue_view()  # built while the matcher loads, so that the first upload is not slow
        report = install_matcher(res, encoder)
        follow_changes(res, since)
        res.stage = "ready"
        log.info("ready: %d authorities, %d texts (%d encoded), %d links in %.1f s", report.profiles,
                 report.texts, report.encoded, report.links, report.seconds)
    except Exception as exc:  # noqa: BLE001 - logged below, traceback included (scrubbed)
        # A traceback quotes messages too: the whole text goes through scrub (no password in the log).
        detail = (exc.detail or exc.message) if isinstance(exc, MatcherError) else "".join(format_exception(exc))
        if isinstance(exc, MatcherError) and stage != "opening the database":  # a model or ranker file
            res.error = scrub(exc.message, s.db)
        else:  # the database's URL, host, socket or the driver's words are for the log only
            res.error = f"{stage} failed (the server log says why)"
        res.stage = "failed"
        log.error("loading failed while %s: %s", stage, scrub(detail, s.db))


def follow_changes(res: Resources, since: int) -> None:
    """Start applying the writes other processes commit to the store (``matcher.store.replication``)."""
    from matcher.store.replication import ChangeFollower, Replica

    store = res.store
    assert store is not None

    def rebuild() -> None:
        with res.write_lock:  # no local write may land between the read of the catalogue and the swap
            report = install_matcher(res, res.encoder)
        log.info("catalogue reloaded by another process: %d authorities", report.profiles)

    def event_deleted(event_id: str) -> None:
        if res.events is not None:
            res.events.forget(event_id)

    replica = Replica(store, lambda: res.matcher, res.write_lock, rebuild, event_deleted)
    res.follower = ChangeFollower(store, replica, since=since)
    res.follower.start()


def create_app(settings: Settings | None = None, *, store: ProfileStore | None = None,
               matcher: Matcher | None = None, encoder: Encoder | None = None) -> FastAPI:
    """The application. Pass ``store``/``matcher``/``encoder`` to use ready objects (tests), else they are
    built from ``settings`` when the app starts (see the module docstring)."""
    settings = settings or Settings()
    if matcher is not None and store is None:
        raise ValueError("a matcher needs its store: pass store= too")
    res = Resources(settings=settings, store=store)
    if store is not None and settings.shared_rate_limits:
        res.limits.share_through(store)
    if matcher is not None:
        res.encoder = encoder or (matcher.encoder.inner if isinstance(matcher.encoder, CachedEncoder)
                                  else matcher.encoder)
        res.matcher_ready(matcher)
        res.stage = "ready"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loader: threading.Thread | None = None
        if res.matcher is not None and res.store is not None and res.follower is None:
            follow_changes(res, res.store.last_change())  # a ready matcher passed in: follow from now
        if res.matcher is None and res.error is None:
            if settings.background_load:
                loader = threading.Thread(target=load_resources, args=(res, encoder), name="twinmatch-load",
                                          daemon=True)
                loader.start()
            else:
                load_resources(res, encoder)
                if res.error:
                    raise RuntimeError(f"twinmatch failed to load: {res.error}")
        yield
        upload_parsing.shutdown()
        if res.follower is not None:
            res.follower.stop()
            res.follower = None
        if res.warmer is not None:
            res.warmer.stop()
            res.warmer = None
        if loader is not None and loader.is_alive():
            return  # still loading: the daemon thread dies with the process; closing under it would race
        if res.owned_store is not None:
            res.owned_store.close()

    app = TwinmatchApp(title="twinmatch", version=_version(), description=DESCRIPTION, openapi_tags=TAGS,
                  lifespan=lifespan, docs_url=None, redoc_url=None,  # offline docs: service.routes.docs
                  generate_unique_id_function=operation_id)
    app.state.resources = res
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeaderLimitMiddleware, max_bytes=settings.max_header_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type", "Accept-Language"])
    for module in (meta, authorities, matches, suggestions, trust, events, funding, docs):
        app.include_router(module.router)
    app.include_router(web.router)  # the web app's pages (service.web), not in the API spec
    app.state.html_error = html_error  # their errors as pages (service.errors)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    def catalogue_countries() -> Collection[str]:
        if not res.countries and res.store is not None:  # a test's injected store: read on first use
            res.countries = res.store.countries()
        return res.countries

    install_openapi(app, catalogue_countries)
    return app
