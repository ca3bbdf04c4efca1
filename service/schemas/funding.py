"""Response models of the funding routes (``/funding``, ``/consortia``, ``/funding/overlaps``): one per use,
unknown fields forbidden. ``eligible`` and ``cofinancing_rate`` are ``null`` when the data cannot say."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FundingStatus = Literal["open", "upcoming", "closed", "permanent", "unknown"]
_FORBID = ConfigDict(extra="forbid")


class FundingReason(BaseModel):
    model_config = _FORBID
    rule: str = Field(description="applicant_kind, partner_country, themes, water_basin, place, "
                                  "min_french_applicants or cofinancing")
    ok: bool | None = Field(description="What the rule says: true, false, or null (the data cannot say)")
    text: str = Field(description="The finding in the chosen language")
    text_fr: str
    text_en: str


class FundingItem(BaseModel):
    model_config = _FORBID
    id: str
    programme: str
    funder: str
    kind: Literal["call", "joint_fund", "permanent_scheme", "eu_programme"]
    edition: str | None
    status: FundingStatus = Field(description="Relative to `on`; unknown: the pages read state no date")
    eligible: bool | None = Field(description="true only when every rule says so; null: unknown (a rule's data "
                                              "is missing), never a guess")
    decided_by: str = Field(description="The rule that decided: the first that said no, else the first unknown, "
                                        "else all_rules")
    country_group: Literal["ldc", "oda", "non_oda"] | None
    cofinancing_rate: float | None = Field(description="The cap for the partner's country group (a fraction)")
    min_own_share: float | None
    amount_min_eur: int | None
    amount_max_eur: int | None
    opens: dt.date | None
    closes: dt.date | None
    missing: list[str] = Field(description="What the project still needs, in the chosen language")
    reasons: list[FundingReason]
    requirements: list[str] = Field(description="The call's conditions as the data words them (English)")
    source_url: str
    source_title: str | None
    source_date: dt.date | None


class FundingSide(BaseModel):
    model_config = _FORBID
    id: str
    name: str
    country: str


class FundingPage(BaseModel):
    model_config = _FORBID
    french: FundingSide
    partner: FundingSide
    on: dt.date
    co_applicants: int
    items: list[FundingItem] = Field(description="Every call and scheme, eligible and open first")


class ConsortiumReason(BaseModel):
    model_config = _FORBID
    code: str
    text: str
    text_fr: str
    text_en: str


class ConsortiumItem(BaseModel):
    model_config = _FORBID
    id: str
    name: str
    kind: str
    level: str
    role: Literal["lead", "member", "complement"] = Field(
        description="lead: the proposed lead; member: already works with the partner, its region or country; "
                    "complement: a level the group lacks (no known link yet)")
    km_to_lead: float | None
    reasons: list[ConsortiumReason]


class ConsortiumCall(BaseModel):
    model_config = _FORBID
    id: str
    programme: str
    status: FundingStatus
    eligible: bool | None
    closes: dt.date | None
    missing: list[str]
    source_url: str


class ConsortiumPage(BaseModel):
    model_config = _FORBID
    partner: FundingSide
    candidates: int = Field(description="French authorities found working with the partner, its region or country")
    items: list[ConsortiumItem]
    calls: list[ConsortiumCall] = Field(description="Calls the group meets on the number of French authorities "
                                                    "that its lead alone does not")


class OverlapItem(BaseModel):
    model_config = _FORBID
    territory: FundingSide
    french: list[FundingSide]
    foreign: list[FundingSide]


class OverlapPage(BaseModel):
    model_config = _FORBID
    items: list[OverlapItem]
    total: int
