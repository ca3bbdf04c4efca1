"""The records a participant file is read into: ``Participant`` (one row, merged with its catalogue
profile), ``Event`` (the validated list, with its must-meet / avoid pairs), ``CatalogueView`` (what reading a
file needs from the catalogue) and ``ItemError`` (a bad item of a JSON list). ``participants`` builds them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from matcher.catalogue.files import Country
from matcher.catalogue.resolve import Resolver
from matcher.domain import Link, Profile
from matcher.errors import RowError


@dataclass(frozen=True)
class CatalogueView:
    """What reading a participant file needs from the catalogue (empty for a catalogue-free event)."""

    countries: Mapping[str, Country]
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    resolver: Resolver | None = None
    partners: Mapping[str, frozenset[str]] = field(default_factory=dict)  # id -> known partner ids

    @classmethod
    def build(cls, profiles: Iterable[Profile], countries: Mapping[str, Country],
              links: Iterable[Link] = ()) -> CatalogueView:
        by_id = {p.id: p for p in profiles}
        partners: dict[str, set[str]] = {}
        for link in links:
            partners.setdefault(link.a, set()).add(link.b)
            partners.setdefault(link.b, set()).add(link.a)
        return cls(countries=countries, profiles=by_id, resolver=Resolver(by_id.values(), countries),
                   partners={k: frozenset(v) for k, v in partners.items()})


@dataclass(frozen=True)
class Participant:
    id: str  # as in the file, or generated ``row-N``
    line: int  # where the row is (see the module docstring)
    name: str  # as written in the file (display name)
    profile: Profile  # the merged profile; ``profile.id`` is the catalogue id for catalogue authorities
    catalogue_id: str | None = None
    match_reason: str = ""  # "id" or the resolver's reason
    overrides: bool = True  # the file changes fields the scoring reads (the row must be rebuilt)
    side: str | None = None  # case-folded
    must_meet: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    would_like: tuple[str, ...] = ()
    max_meetings: int | None = None
    known_partners: frozenset[str] = frozenset()  # catalogue ids


@dataclass(frozen=True)
class Event:
    participants: tuple[Participant, ...]
    source: str = ""  # "participants.csv", for messages
    index: dict[str, int] = field(default_factory=dict)  # participant id -> position (derived when empty)

    def __post_init__(self) -> None:
        if not self.index:
            object.__setattr__(self, "index", {p.id: i for i, p in enumerate(self.participants)})

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.participants)

    @property
    def has_sides(self) -> bool:
        return any(p.side is not None for p in self.participants)

    def pairs(self, attr: str) -> set[tuple[int, int]]:
        """Unordered pairs (i < j) of positions from ``must_meet`` or ``avoid``, whichever row lists them."""
        out = set()
        for i, p in enumerate(self.participants):
            for other in getattr(p, attr):
                j = self.index[other]
                out.add((min(i, j), max(i, j)))
        return out


class ItemError(RowError):
    """A bad item of a JSON list: numbered from 1, and said so."""

    def __init__(self, item: int, column: str | None, reason: str, key: str = "",
                 params: dict[str, str | int] | None = None) -> None:
        super().__init__(item, column, reason, key, params)
        self.message = f"JSON item {item}" + (f", column {column!r}" if column else "") + f": {reason}"
        self.args = (self.message,)
