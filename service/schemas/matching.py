"""Response and request models of matching, staff tools and meta endpoints (profile models live in
``service.schemas``). Same rules: unknown fields forbidden, numbers strict, texts bounded."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from matcher.domain import Continent, Kind, Level, Reason
from matcher.geo import FRENCH_SPEAKING_DEFINITION
from service.lang import Lang
from service.schemas.authorities import PROFILE_EXAMPLE, AdHocProfile
from service.schemas.common import (
    FORBID_EXTRA,
    AuthorityId,
    CountryCode,
    LongText,
    Population,
    ThemeList,
    whole_number,
)

# ---- matches ------------------------------------------------------------------------------------
MATCH_SCORE_DOC = ("The match score people read, 0-100: `score` on a log scale, 25 points per factor of ten "
                   "(0: 1 chance in 10,000 or less; 50: 1 in 100; 75: 1 in 10; 100: certain). Never increases "
                   "down a list.")
ONE_IN_DOC = ("About 1 pair in this many with this match score was a real partnership, on held-out real "
              "partnerships (two significant figures).")


def finite(x: float | None) -> float | None:
    """JSON has no NaN nor infinity: such a value is missing."""
    return None if x is None or not math.isfinite(x) else x


class ReasonOut(BaseModel):
    code: str = Field(description="The feature behind the reason (e.g. text_dense, names_mentioned, "
                                  "log_distance, direct).")
    value: float | None
    contribution: float = Field(description="Its share of the ranker's score (log-odds).")
    text: str = Field(description="The reason in the chosen language.")
    text_fr: str
    text_en: str

    @classmethod
    def of(cls, r: Reason, lang: str) -> ReasonOut:
        return cls(code=r.code, value=finite(r.value), contribution=finite(r.contribution) or 0.0,
                   text=r.text(lang), text_fr=r.text_fr, text_en=r.text_en)


class MatchOut(BaseModel):
    id: str
    name: str = Field(description="The name in the response's language: with lang=fr, the French name where "
                                  "a source gives one (Alger, Londres, Bavière); `name_local` is the catalogue's.")
    name_local: str
    country: str
    kind: str
    level: Level = Field(description="admin1 (regions, states...), admin2 (provinces, districts...), "
                                     "intercommunal, or town")
    lat: float | None
    lon: float | None
    population: int | None
    score: float = Field(description="The calibrated probability that this pair is a real partnership "
                                     "(Platt scaling on held-out real partnerships), the same on every path "
                                     "(matches, events, suggestions); the value that orders the list (the "
                                     "first ten include their size correction), so it never increases down "
                                     "a list.")
    match_score: int = Field(ge=0, le=100, description=MATCH_SCORE_DOC)
    one_in: int = Field(ge=1, description=ONE_IN_DOC)
    rank: int
    reasons: list[ReasonOut]


class QueryRef(BaseModel):
    id: str | None
    name: str
    country: str
    kind: str


class MatchesOut(BaseModel):
    query: QueryRef
    lang: Lang
    matches: list[MatchOut]
    notice: str | None = Field(default=None, description="With an empty list, why (in the response's language): "
                                                         "e.g. min_population above max_population.")


class MatchFilters(BaseModel):
    """Constraints on the candidates. Empty means no constraint."""

    model_config = FORBID_EXTRA
    countries: list[CountryCode] = Field(default_factory=list, max_length=100)
    continents: list[Continent] = Field(default_factory=list, max_length=7)
    kinds: list[Kind] = Field(default_factory=list, max_length=len(Kind))
    levels: list[Level] = Field(default_factory=list, max_length=len(Level))
    min_population: Population | None = None
    max_population: Population | None = None
    themes: ThemeList = Field(default_factory=list)
    francophone_only: Annotated[bool, Strict()] = Field(default=False,
                                                        description=FRENCH_SPEAKING_DEFINITION["en"])
    include_existing: Annotated[bool, Strict()] = Field(default=False,
                                                       description="Keep known partners as candidates.")
    exclude: list[AuthorityId] = Field(default_factory=list, max_length=500)


class MatchRequest(BaseModel):
    """An ad-hoc profile (not stored) and the options of the query."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "profile": PROFILE_EXAMPLE, "k": 5, "filters": {"continents": ["AF"], "francophone_only": True},
        "diversity": 0.3}]})
    profile: AdHocProfile
    k: whole_number(1, 100) = 10  # type: ignore[valid-type]
    filters: MatchFilters = Field(default_factory=lambda: MatchFilters())
    diversity: Annotated[float, Strict(), Field(ge=0, le=10, allow_inf_nan=False)] = 0.0


# ---- suggestions and decisions ------------------------------------------------------------------
class PairSide(BaseModel):
    id: str
    name: str
    kind: str
    country: str
    admin1_name: str
    population: int | None


class SuggestionOut(BaseModel):
    french: PairSide
    partner: PairSide
    score: float = Field(description="Reciprocal score: geometric mean of both directions' probabilities.")
    match_score: int = Field(ge=0, le=100, description=MATCH_SCORE_DOC + " Here of the reciprocal score.")
    score_french_to_partner: float
    score_partner_to_french: float
    last_decision: str | None = Field(description="Latest staff decision on this pair, if any.")
    reasons: list[ReasonOut] = Field(description="Why the partner fits the French authority.")


class SuggestionPage(BaseModel):
    items: list[SuggestionOut]
    next_cursor: int | None
    complete: bool = Field(description="False while sources are still being scored: later calls extend "
                                       "the list (pages may then shift).")
    refreshing: bool = Field(default=False, description="True while the list is recomputed after profile "
                                                        "writes: these pairs are the last complete list.")
    sources_considered: int
    sources_total: int


Status = Literal["proposed", "contacted", "accepted", "rejected"]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "french_id": "FR-COM-00001", "partner_id": "GN-100", "status": "contacted",
        "note": "Premier échange avec le service des relations internationales"}]})
    french_id: AuthorityId
    partner_id: AuthorityId
    status: Status
    note: LongText = ""


class DecisionOut(BaseModel):
    id: int
    french_id: str
    partner_id: str
    status: str
    note: str
    actor: str = Field(description="Id of the API key that recorded the decision.")
    actor_label: str
    created_at: str


class DecisionPage(BaseModel):
    items: list[DecisionOut]
    next_cursor: int | None


# ---- meta ---------------------------------------------------------------------------------------
class HealthOut(BaseModel):
    status: Literal["ok"]
    uptime_seconds: float


class ReadyOut(BaseModel):
    ready: Literal[True]
    model: str | None
    ranker: str
    authorities: int
    links: int
    texts: int = Field(description="Authorities with at least one text (description, expertise or needs).")
    load_seconds: float | None
    change_seq: int | None = Field(
        description="The last entry of the database's change log this process has applied (replicas in step "
                    "show the same number once idle); null when it does not follow the log.")
    changes_applied: int = Field(description="Writes committed by other processes (replicas, the CLI) applied "
                                             "since start.")


class ThemeOut(BaseModel):
    code: str
    sdgs: list[int]
    labels: dict[str, str]


class ThemesOut(BaseModel):
    languages: list[str]
    themes: list[ThemeOut]
