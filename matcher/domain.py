"""The typed domain model: frozen dataclasses shared by every part of the core.

Pydantic lives only at the HTTP edge (``service.schemas``); the core passes these around.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Literal, get_args

#: The continents of the catalogue (GeoNames' codes: Africa, Antarctica, Asia, Europe, North America, Oceania,
#: South America): the one vocabulary of the filters, the arrays, the CLI and the API.
Continent = Literal["AF", "AN", "AS", "EU", "NA", "OC", "SA"]
CONTINENTS: tuple[str, ...] = get_args(Continent)


class Kind(str, Enum):
    """What an authority is called. French kinds first; ``region`` and ``department`` name French
    régions and départements and foreign regions and departments alike (the country tells them apart);
    the foreign kinds follow. ``docs``: data/DATA_CARD.md, "Kinds and levels"."""

    COMMUNE = "commune"
    INTERCOMMUNALITY = "intercommunality"
    DEPARTMENT = "department"
    REGION = "region"
    MUNICIPALITY = "municipality"
    PROVINCE = "province"
    STATE = "state"
    DISTRICT = "district"
    COUNTY = "county"
    GOVERNORATE = "governorate"
    PREFECTURE = "prefecture"

    @classmethod
    def _missing_(cls, value: object) -> Kind | None:
        # "foreign_region" was the kind of a foreign region before foreign units had their own kinds;
        # stored profiles and files that still say it are read as "region".
        return cls.REGION if value == "foreign_region" else None


FRENCH_KINDS = frozenset({Kind.COMMUNE, Kind.INTERCOMMUNALITY, Kind.DEPARTMENT, Kind.REGION})


class Level(str, Enum):
    """Where an authority sits in its country's local government: a first-level unit (French région,
    a foreign region/state/province...), a second-level unit (département, province, district,
    county...), an intercommunal body, or a town (commune, municipality)."""

    ADMIN1 = "admin1"
    ADMIN2 = "admin2"
    INTERCOMMUNAL = "intercommunal"
    TOWN = "town"


#: The level a profile has when none is stated (profiles registered by users, event participants):
#: the usual level of that kind. Catalogue units carry their level from the source (a Colombian
#: ``department`` is admin-1, a Senegalese one admin-2).
DEFAULT_LEVEL: dict[Kind, Level] = {
    Kind.COMMUNE: Level.TOWN, Kind.MUNICIPALITY: Level.TOWN, Kind.INTERCOMMUNALITY: Level.INTERCOMMUNAL,
    Kind.DEPARTMENT: Level.ADMIN2, Kind.PROVINCE: Level.ADMIN2, Kind.DISTRICT: Level.ADMIN2,
    Kind.COUNTY: Level.ADMIN2, Kind.PREFECTURE: Level.ADMIN2,
    Kind.REGION: Level.ADMIN1, Kind.STATE: Level.ADMIN1, Kind.GOVERNORATE: Level.ADMIN1,
}
LEVELS = tuple(Level)
#: A profile's status (``Profile.status``).
VERIFIED, PENDING, REJECTED = "verified", "pending", "rejected"
STATUSES = (VERIFIED, PENDING, REJECTED)


class PartnershipType(str, Enum):
    TWINNING = "twinning"
    DEVELOPMENT = "development_cooperation"
    TECHNICAL = "technical_exchange"
    ECONOMIC = "economic_promotion"
    CULTURE_YOUTH = "culture_youth_exchange"


class SizeBand(str, Enum):
    """A population band a profile may say it seeks in partners (``Profile.preferred_sizes``)."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    VERY_LARGE = "very_large"


#: Each size band's population range, [low, high): a village or small town, a town, a city, a metropolis or a
#: province/region. Round figures a town hall can tick without a table.
SIZE_BOUNDS: dict[str, tuple[int, int | None]] = {
    "small": (0, 5_000), "medium": (5_000, 50_000), "large": (50_000, 500_000), "very_large": (500_000, None)}


def size_band(population: int | None) -> str:
    """The band of a population ("" when it is unknown: missing is missing, never a guess)."""
    if not population or population <= 0:
        return ""
    for band, (low, high) in SIZE_BOUNDS.items():
        if population >= low and (high is None or population < high):
            return band
    return ""  # unreachable: the bands cover every positive population


@dataclass(frozen=True, slots=True)
class TextSource:
    """Where a text of a profile comes from, when it was not written by the authority itself: a public page
    describing one of its cooperations (``data/cooperation/``)."""

    url: str
    title: str = ""
    year: int | None = None  # the year the page states for the cooperation (None: not stated)
    partner: str = ""  # catalogue id of the partner the page is about


@dataclass(frozen=True, slots=True)
class Facet:
    """What an authority is good at, or what it seeks: theme codes plus free text in any language, and
    where that text comes from when a public page told it (``sources``; empty: the authority wrote it)."""

    themes: tuple[str, ...] = ()
    text: str = ""
    sources: tuple[TextSource, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.themes and not self.text.strip()


@dataclass(frozen=True, slots=True)
class Contact:
    """Private contact details. Never part of a public response."""

    name: str = ""
    email: str = ""
    phone: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.email or self.phone)


@dataclass(frozen=True, slots=True)
class Profile:
    """One local authority, French or foreign, as the matcher sees it."""

    id: str
    name: str
    kind: Kind
    country: str  # ISO 3166-1 alpha-2, upper case
    level: Level | None = None  # None: the kind's DEFAULT_LEVEL (see ``level_of``)
    name_fr: str = ""  # the French name where a source gives one that differs (Alger, Bavière)
    admin1_code: str = ""  # French région code, or GeoNames admin-1 code abroad
    admin1_name: str = ""
    admin2_code: str = ""  # French département code (communes, EPCI); empty abroad
    admin2_name: str = ""
    population: int | None = None
    lat: float | None = None
    lon: float | None = None
    languages: tuple[str, ...] = ()  # ISO 639-1 codes
    description: str = ""
    expertise: Facet = field(default_factory=Facet)
    needs: Facet = field(default_factory=Facet)
    partnership_types: tuple[str, ...] = ()
    preferred_sizes: tuple[str, ...] = ()  # SizeBand values: the partner sizes it seeks
    preferred_countries: tuple[str, ...] = ()  # ISO alpha-2
    preferred_regions: tuple[str, ...] = ()  # continent codes (AF, EU, AS, NA, SA, OC, AN) or admin names
    known_partners: tuple[str, ...] = ()  # catalogue ids
    contact: Contact = field(default_factory=Contact)
    alt_names: tuple[str, ...] = ()
    parent_ids: tuple[str, ...] = ()  # e.g. a commune's EPCI, département and région ids
    source: str = ""
    updated_at: str = ""  # ISO 8601 UTC
    #: ``verified`` (the catalogue, staff-created or staff-approved), ``pending`` (self-registered, seen
    #: only by its owner and staff until verified) or ``rejected``. Only verified profiles are matched.
    status: str = "verified"

    @property
    def is_french(self) -> bool:
        return self.country == "FR"

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def has_text(self) -> bool:
        return bool(self.description.strip() or self.expertise.text.strip() or self.needs.text.strip())

    @property
    def is_verified(self) -> bool:
        return self.status == VERIFIED

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {self.status!r}")
        # One spelling per meaning: a level equal to the kind's usual one is not stored (None), so a
        # profile read back from any file or row equals the one built.
        if self.level is not None and DEFAULT_LEVEL.get(self.kind) is self.level:
            object.__setattr__(self, "level", None)

    @property
    def level_of(self) -> Level:
        return self.level if self.level is not None else DEFAULT_LEVEL[self.kind]

    def display_name(self, lang: str = "en") -> str:
        return self.name_fr if lang == "fr" and self.name_fr else self.name

    def with_changes(self, **changes: Any) -> Profile:
        return replace(self, **changes)

    def public(self) -> Profile:
        """The same profile with private contact details removed."""
        return replace(self, contact=Contact())


@dataclass(frozen=True, slots=True)
class Theme:
    code: str
    sdgs: tuple[int, ...]
    labels: dict[str, str]  # language code -> label
    keywords: tuple[str, ...] = ()  # multilingual cue words, used to tag free text

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True, slots=True)
class Link:
    """A known partnership between two catalogue authorities (undirected)."""

    a: str
    b: str
    kind: str = "twinning"
    source: str = ""


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason for a match's place: the feature, its value, its contribution to the score, and text."""

    code: str
    value: float
    contribution: float
    text_fr: str
    text_en: str
    #: What the sentence claims, as data (``matcher.explain.reasons.claims``): ("fact", <what>) first, then the
    #: figures the text states, so a checker can verify them against the catalogue without parsing prose.
    facts: tuple[tuple[str, str | float | int | bool], ...] = field(default=(), compare=False)

    def text(self, lang: str = "en") -> str:
        return self.text_fr if lang == "fr" else self.text_en


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked candidate partner."""

    id: str
    name: str
    country: str
    kind: str
    lat: float | None
    lon: float | None
    score: float
    rank: int
    reasons: tuple[Reason, ...] = ()
    population: int | None = None
    level: str = ""  # admin1, admin2, intercommunal, town
    name_fr: str = ""  # the French name where a source gives one that differs

    def display_name(self, lang: str = "en") -> str:
        return self.name_fr if lang == "fr" and self.name_fr else self.name


@dataclass(frozen=True, slots=True)
class Filters:
    """Constraints on the candidates of one match query. Empty means no constraint."""

    countries: tuple[str, ...] = ()
    continents: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    min_population: int | None = None
    max_population: int | None = None
    themes: tuple[str, ...] = ()
    francophone_only: bool = False
    exclude: tuple[str, ...] = ()
    include_existing: bool = False
    #: International matching excludes the query's own country by default.
    include_same_country: bool = False
