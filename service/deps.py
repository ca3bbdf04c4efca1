"""FastAPI dependencies as typed ``Annotated`` aliases (``StoreDep``, ``MatcherDep``, ``StaffKey``...).

They are ``async def`` on purpose: each is a few attribute reads (or one indexed SQLite lookup for a
key), and FastAPI runs a plain ``def`` dependency in the thread pool — a thread hop per dependency per
request, which dominated the cost of a cached match query.

Everything heavy lives in one ``Resources`` object on ``app.state``, built by ``service.app`` (never at
import time). Tests swap any piece with ``app.dependency_overrides[get_store] = ...`` or pass ready
objects to ``create_app(store=..., matcher=..., encoder=...)``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from matcher.catalogue.files import Country
from matcher.domain import Match, Profile
from matcher.encoding import Encoder
from matcher.errors import Unauthorized
from matcher.events.event_records import CatalogueView
from matcher.events.view import LiveCatalogueView
from matcher.ranking.engine import Matcher
from matcher.ranking.loading import LoadReport
from matcher.ranking.suggestions import SuggestionCache, SuggestionWarmer
from matcher.store.audit import ApiKey
from matcher.store.base import SQLStoreBase
from matcher.store.protocol import ProfileStore
from matcher.store.replication import ChangeFollower
from service.admission import Admission
from service.auth import api_key_scheme, authenticate, bearer_scheme, check_events, check_staff, secret_from
from service.cache import StateCache
from service.errors import NotReady
from service.lang import LANGS, Lang
from service.ratelimit import RateLimits, client_address
from service.services.event_registry import EventRegistry
from service.settings import Settings

#: A cached answer of /authorities/{id}/matches: the query authority, its ranked matches, and the
#: response body already rendered per language.
CachedMatches = tuple[Profile, list[Match], dict[str, bytes]]


@dataclass
class Resources:
    """The loaded service state. ``store``/``matcher`` stay None until loading finishes."""

    settings: Settings
    store: ProfileStore | None = None
    matcher: Matcher | None = None
    countries: dict[str, Country] = field(default_factory=dict)
    report: LoadReport | None = None
    stage: str = "starting"  # human-readable loading stage, shown by /ready
    error: str | None = None  # why loading failed, if it did
    started: float = field(default_factory=time.monotonic)
    owned_store: SQLStoreBase | None = None  # the store we opened (closed on shutdown); not an injected one
    #: Profile writes are read-modify-write (get, change, store, re-embed): one at a time keeps them
    #: atomic with respect to each other and to the in-memory matcher. Writes are rare.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    suggestions: SuggestionCache = field(default_factory=SuggestionCache)
    matches: StateCache[CachedMatches] = field(init=False)  # sized from the settings
    #: What reading a participants file needs, built in the background once the matcher is ready (or on first
    #: upload) and rebuilt after writes.
    catalogue_view: LiveCatalogueView | None = None
    #: The encoder the matcher was built with (not wrapped in the embedding cache): a rebuild reuses it.
    encoder: Encoder | None = None
    #: Applies the writes other processes commit (``matcher.store.replication``); started once loaded.
    follower: ChangeFollower | None = None
    #: Uploaded events in memory (``service.services.event_registry``), made on first use.
    events: EventRegistry | None = None
    #: Keeps the unfiltered suggestions computed ahead (``Settings.suggestion_precompute``), once loaded.
    warmer: SuggestionWarmer | None = None
    #: What "today" is for the funding answers (calls open and close by date); a test sets a fixed day.
    today: Callable[[], dt.date] = dt.date.today

    def start_catalogue_view(self) -> LiveCatalogueView:
        """A new events' catalogue view over the store, its first build started in the background
        (``Settings.events_view_precompute``) so that the first upload does not wait for it. Called as soon as
        the store is open (the view is built while the matcher loads), and by ``matcher_ready``."""
        store = self.store
        assert store is not None
        view = self.catalogue_view = LiveCatalogueView(
            lambda: CatalogueView.build(store.all_profiles(verified_only=True), store.countries(), store.links()))
        if self.settings.events_view_precompute:
            view.warm()
        return view

    def matcher_ready(self, matcher: Matcher) -> None:
        """Install ``matcher`` and what follows its writes."""
        # The first matcher keeps the view started when the store opened (writes since then reach it through
        # the listener below: the change follower replays them); a reloaded catalogue gets a new view.
        first = self.matcher is None and self.catalogue_view is not None
        view = self.catalogue_view if first and self.catalogue_view is not None else self.start_catalogue_view()
        matcher.listeners.append(lambda change: view.invalidate())
        matcher.listeners.append(self.matches.on_change)
        self.matcher = matcher
        if self.settings.suggestion_precompute:
            if self.warmer is None:
                self.warmer = SuggestionWarmer(self.suggestions, lambda: self.matcher,
                                               max_sources=self.settings.suggestion_sources,
                                               per_source=self.settings.suggestion_per_source)
                self.warmer.start()
            matcher.listeners.append(self.warmer.poke)
            self.warmer.poke()

    limits: RateLimits = field(init=False)
    #: The ranking work's bound (``service.admission``): every route or page that ranks runs through it.
    admission: Admission = field(init=False)

    def __post_init__(self) -> None:
        self.matches = StateCache(self.settings.match_cache_size)
        self.limits = RateLimits(self.settings)
        self.admission = Admission(self.settings.ranking_concurrency, self.settings.ranking_queue)


async def get_resources(request: Request) -> Resources:
    res: Resources = request.app.state.resources
    return res


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def get_settings(res: ResourcesDep) -> Settings:
    return res.settings


def _not_ready(res: Resources) -> NotReady:
    if res.error:
        return NotReady(f"the service failed to load: {res.error}")
    return NotReady(f"the service is still loading ({res.stage}); retry shortly")


async def get_store(res: ResourcesDep) -> ProfileStore:
    if res.store is None:
        raise _not_ready(res)
    return res.store


async def get_matcher(res: ResourcesDep) -> Matcher:
    if res.matcher is None:
        raise _not_ready(res)
    return res.matcher


async def get_countries(res: ResourcesDep, store: Annotated[ProfileStore, Depends(get_store)]) -> dict[str, Country]:
    if not res.countries:  # filled at load time; read lazily when a test injected a bare store
        res.countries = store.countries()
    return res.countries


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[ProfileStore, Depends(get_store)]
MatcherDep = Annotated[Matcher, Depends(get_matcher)]
CountriesDep = Annotated[dict[str, Country], Depends(get_countries)]


async def optional_key(
    request: Request,
    res: ResourcesDep,
    store: StoreDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    api_key: Annotated[str | None, Security(api_key_scheme)],
) -> ApiKey | None:
    """The caller's key, or None for an anonymous caller (an invalid or malformed key is a 401, not
    anonymous). A client address that sent too many wrong keys gets 429 before its key is even checked."""
    secret = secret_from(bearer, api_key, request.headers)
    if secret is None:
        return None
    who = client_address(request)
    res.limits.check("auth_failure", who)
    try:
        return authenticate(store, secret)
    except Unauthorized:
        res.limits.hit("auth_failure", who)
        raise


OptionalKey = Annotated[ApiKey | None, Depends(optional_key)]


async def staff_key(key: OptionalKey) -> ApiKey:
    return check_staff(key)


StaffKey = Annotated[ApiKey, Depends(staff_key)]


async def events_key(key: OptionalKey) -> ApiKey:
    return check_events(key)


#: A staff or organiser key (partnership fairs).
EventsKey = Annotated[ApiKey, Depends(events_key)]


def limited(rule: str, *, staff: str | None = None) -> Any:
    """A dependency counting one ``rule`` request (``service.ratelimit``) per client address, and per key
    when one is sent: ``dependencies=[limited("registration")]``. ``staff``: the rule a staff key's
    requests count under instead (staff entering catalogue entries are not self-registrations)."""

    async def count(request: Request, res: ResourcesDep, key: OptionalKey) -> None:
        applied = staff if staff is not None and key is not None and key.role == "staff" else rule
        res.limits.hit(applied, client_address(request), *([f"key:{key.id}"] if key is not None else []))

    return Depends(count)


async def get_lang(
    lang: Annotated[Lang | None, Query(description="Language of explanations (default: Accept-Language, "
                                                   "else English).")] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Lang:
    """``lang`` if given, else the preferred of fr/en in ``Accept-Language`` (q-values honoured)."""
    if lang is not None:
        return lang
    best: tuple[float, Lang] = (0.0, "en")
    for i, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in LANGS:
            continue
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        # Earlier entries win ties (RFC 9110 leaves it open; browsers list by preference).
        score = q - i * 1e-6
        if score > best[0]:
            best = (score, "fr" if base == "fr" else "en")
    return best[1]


LangDep = Annotated[Lang, Depends(get_lang)]
