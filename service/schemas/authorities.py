"""The catalogue's models: profile parts, the ad-hoc profile of ``POST /match``, registration and edits,
the public and staff views of an authority, the owner key. Private contact details exist only in
``ContactIn`` and ``AuthorityStaff``: a public response model has no field that could carry them.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from matcher.domain import SIZE_BOUNDS, Contact, Facet, Kind, PartnershipType, Profile, SizeBand
from service.schemas.common import (
    EMAIL_PATTERN,
    FORBID_EXTRA,
    AuthorityId,
    CountryCode,
    LangCode,
    Latitude,
    Longitude,
    LongText,
    Name,
    Population,
    ShortText,
    ThemeList,
    unique_values,
)


# ---- profile parts ------------------------------------------------------------------------------
class FacetIn(BaseModel):
    """Themes (codes or labels in fr/en/es/pt/ar/de) and free text in any language."""

    model_config = FORBID_EXTRA
    themes: ThemeList = Field(default_factory=list)
    text: LongText = ""

    def to_facet(self) -> Facet:
        return Facet(themes=tuple(self.themes), text=self.text)


class SourceOut(BaseModel):
    """A public page a text was taken from (a real cooperation case, ``data/cooperation/``)."""

    url: str
    title: str
    year: int | None = Field(description="The year the page states for the cooperation; null: not stated.")


class FacetOut(BaseModel):
    themes: list[str]
    text: str
    sources: list[SourceOut] = Field(default_factory=list, description=(
        "Where the text comes from when the authority did not write it: public pages describing its "
        "cooperations. Empty: written by the authority."))

    @classmethod
    def of(cls, f: Facet) -> FacetOut:
        return cls(themes=list(f.themes), text=f.text,
                   sources=[SourceOut(url=s.url, title=s.title, year=s.year) for s in f.sources])


class ContactIn(BaseModel):
    model_config = FORBID_EXTRA
    name: ShortText = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254,
                                            pattern=f"^$|{EMAIL_PATTERN}")] = ""
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^$|^[0-9 +().-]{3,}$")] = ""

    def to_contact(self) -> Contact:
        return Contact(name=self.name, email=self.email, phone=self.phone)


class ContactOut(BaseModel):
    name: str
    email: str
    phone: str


class Preferences(BaseModel):
    """The editable part of a profile (what PATCH may change)."""

    model_config = FORBID_EXTRA
    description: LongText = ""
    expertise: FacetIn = Field(default_factory=FacetIn)
    needs: FacetIn = Field(default_factory=FacetIn)
    partnership_types: list[PartnershipType] = Field(default_factory=list, max_length=len(PartnershipType))
    preferred_sizes: list[SizeBand] = Field(
        default_factory=list, max_length=len(SizeBand),
        description="Partner sizes sought, by population: " + "; ".join(
            f"{b} [{low:,}, {'∞' if high is None else f'{high:,}'})" for b, (low, high) in SIZE_BOUNDS.items())
        + ". A candidate whose population is in one gains a preference, as for a preferred country; "
          "one whose population is unknown does not.")
    preferred_countries: list[CountryCode] = Field(default_factory=list, max_length=50)
    preferred_regions: list[ShortText] = Field(default_factory=list, max_length=20,
                                               description="Continent codes (AF, EU...) or region names.")
    languages: list[LangCode] = Field(default_factory=list, max_length=10, description="ISO 639-1 codes.")

    def changes(self) -> dict[str, object]:
        """Profile field values for the fields the client actually sent (PATCH semantics)."""
        out: dict[str, object] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if isinstance(value, FacetIn):
                out[name] = value.to_facet()
            elif isinstance(value, ContactIn):
                out[name] = value.to_contact()
            elif isinstance(value, list):
                out[name] = unique_values(v.value if isinstance(v, Enum) else v for v in value)
            else:
                out[name] = value
        return out


PROFILE_EXAMPLE: dict[str, Any] = {
    "name": "Eauville", "kind": "commune", "country": "FR", "population": 12000, "lat": 45.0, "lon": 2.0,
    "description": "Commune rurale du Cantal",
    "expertise": {"themes": ["water_sanitation"], "text": "Régie municipale de l'eau potable et assainissement"},
    "needs": {"themes": ["Tourisme"], "text": "Développer le tourisme culturel"},
    "partnership_types": ["development_cooperation"], "preferred_regions": ["AF"], "preferred_sizes": ["small"],
    "languages": ["fr"],
}


FRENCH_KINDS = (Kind.COMMUNE, Kind.INTERCOMMUNALITY, Kind.DEPARTMENT, Kind.REGION)
FRENCH_ONLY_KINDS = (Kind.COMMUNE, Kind.INTERCOMMUNALITY)


def _coherence_schema(schema: dict[str, Any]) -> None:
    """What ``AdHocProfile._coherent`` checks, said in the schema (so a client or a generator knows it):
    lat and lon together or neither; French kinds for France only, and only those there."""
    fr = {"enum": ["FR"]}
    schema["allOf"] = [
        {"anyOf": [{"required": ["lat", "lon"], "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}},
                   {"properties": {"lat": {"type": "null"}, "lon": {"type": "null"}}}]},
        {"anyOf": [{"properties": {"country": fr, "kind": {"enum": [k.value for k in FRENCH_KINDS]}}},
                   {"properties": {"country": {"not": fr},
                                   "kind": {"enum": [k.value for k in Kind if k not in FRENCH_ONLY_KINDS]}}}]},
    ]


def _profile_schema(examples: list[dict[str, Any]]) -> Any:
    def extra(schema: dict[str, Any]) -> None:
        schema["examples"] = examples
        _coherence_schema(schema)
    return extra


class AdHocProfile(Preferences):
    """A profile that is matched but not stored (``POST /match``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_profile_schema([PROFILE_EXAMPLE]))
    name: Name = "ad hoc profile"
    kind: Kind
    country: CountryCode
    admin1_code: ShortText = ""
    admin1_name: ShortText = ""
    admin2_code: ShortText = ""
    admin2_name: ShortText = ""
    population: Population | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    known_partners: list[AuthorityId] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _coherent(self) -> AdHocProfile:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        french_only = self.kind in FRENCH_ONLY_KINDS
        if (self.country == "FR" and self.kind not in FRENCH_KINDS) or (self.country != "FR" and french_only):
            raise ValueError(f"kind {self.kind.value!r} does not fit country {self.country!r} "
                             "(in France: commune/intercommunality/department/region; commune and "
                             "intercommunality are French kinds only)")
        return self

    def to_profile(self, profile_id: str, *, source: str) -> Profile:
        return Profile(
            id=profile_id, name=self.name, kind=self.kind, country=self.country, admin1_code=self.admin1_code,
            admin1_name=self.admin1_name, admin2_code=self.admin2_code, admin2_name=self.admin2_name,
            population=self.population, lat=self.lat, lon=self.lon, languages=unique_values(self.languages),
            description=self.description, expertise=self.expertise.to_facet(), needs=self.needs.to_facet(),
            partnership_types=unique_values(t.value for t in self.partnership_types),
            preferred_sizes=unique_values(s.value for s in self.preferred_sizes),
            preferred_countries=unique_values(self.preferred_countries), preferred_regions=unique_values(self.preferred_regions),
            known_partners=unique_values(self.known_partners), source=source,
        )


class AuthorityCreate(AdHocProfile):
    """A new authority (``POST /authorities``). ``id`` only for staff; otherwise the server assigns one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_profile_schema([
        {**PROFILE_EXAMPLE, "name": "Nouvelle-Ville", "contact": {
            "name": "Service des relations internationales", "email": "ri@example.org", "phone": "+33 1 23 45 67 89"}}]))
    name: Name
    id: AuthorityId | None = None
    contact: ContactIn = Field(default_factory=ContactIn)

    def to_profile(self, profile_id: str, *, source: str) -> Profile:
        return super().to_profile(profile_id, source=source).with_changes(contact=self.contact.to_contact())


class AuthorityUpdate(Preferences):
    """Changes to a profile (``PATCH``): only the fields sent are changed; a facet is replaced whole."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "needs": {"themes": ["civil_registry"], "text": "Numérisation des registres d'état civil"},
        "partnership_types": ["technical_exchange"]}]})
    contact: ContactIn = Field(default_factory=ContactIn)


# ---- authority responses ------------------------------------------------------------------------
Status = Literal["verified", "pending", "rejected"]


class AuthoritySummary(BaseModel):
    """One search hit."""

    id: str
    name: str
    name_fr: str = Field(description="The French name where a source gives one that differs (Alger), else empty.")
    kind: str
    level: str = Field(description="admin1, admin2, intercommunal or town")
    country: str
    admin1_name: str
    admin2_name: str
    population: int | None
    lat: float | None
    lon: float | None
    has_profile: bool = Field(description="True when the authority described its expertise or needs.")
    status: Status = Field(description="verified; pending or rejected only in a staff's or the owner's view")

    @classmethod
    def of(cls, p: Profile) -> AuthoritySummary:
        return cls(id=p.id, name=p.name, name_fr=p.name_fr, kind=p.kind.value, level=p.level_of.value,
                   country=p.country, admin1_name=p.admin1_name,
                   admin2_name=p.admin2_name, population=p.population, lat=p.lat, lon=p.lon, has_profile=p.has_text,
                   status=cast(Status, p.status))


class AuthorityPage(BaseModel):
    items: list[AuthoritySummary]
    next_cursor: int | None = Field(description="Pass as `cursor` for the next page (the position of its first "
                                               "item); null on the last page.")


class _AuthorityBase(BaseModel):
    id: str
    name: str
    name_fr: str
    kind: str
    level: str = Field(description="admin1, admin2, intercommunal or town; `parent_ids` are the units above")
    country: str
    admin1_code: str
    admin1_name: str
    admin2_code: str
    admin2_name: str
    population: int | None
    lat: float | None
    lon: float | None
    languages: list[str]
    description: str
    expertise: FacetOut
    needs: FacetOut
    partnership_types: list[str]
    preferred_sizes: list[str]
    preferred_countries: list[str]
    preferred_regions: list[str]
    known_partners: list[str]
    alt_names: list[str]
    parent_ids: list[str]
    source: str
    updated_at: str
    status: Status = Field(description="verified; pending (self-registered, waiting for staff) or rejected, "
                                       "seen by staff and the owner only")

    @classmethod
    def _fields(cls, p: Profile) -> dict[str, object]:
        return {
            "id": p.id, "name": p.name, "name_fr": p.name_fr, "kind": p.kind.value, "level": p.level_of.value,
            "country": p.country, "admin1_code": p.admin1_code,
            "admin1_name": p.admin1_name, "admin2_code": p.admin2_code, "admin2_name": p.admin2_name,
            "population": p.population, "lat": p.lat, "lon": p.lon, "languages": list(p.languages),
            "description": p.description, "expertise": FacetOut.of(p.expertise), "needs": FacetOut.of(p.needs),
            "partnership_types": list(p.partnership_types), "preferred_sizes": list(p.preferred_sizes),
            "preferred_countries": list(p.preferred_countries),
            "preferred_regions": list(p.preferred_regions), "known_partners": list(p.known_partners),
            "alt_names": list(p.alt_names), "parent_ids": list(p.parent_ids), "source": p.source,
            "updated_at": p.updated_at, "status": p.status}


class AuthorityPublic(_AuthorityBase):
    """The public view of a profile: no contact details (not even an empty field)."""

    @classmethod
    def of(cls, p: Profile) -> AuthorityPublic:
        return cls.model_validate(cls._fields(p))


class AuthorityStaff(_AuthorityBase):
    """The staff view: the public view plus private contact details.

    A sibling of ``AuthorityPublic``, not a subclass, so a response typed ``AuthorityPublic`` can never
    be handed a staff object by mistake."""

    contact: ContactOut

    @classmethod
    def of(cls, p: Profile) -> AuthorityStaff:
        c = p.contact
        return cls.model_validate({**cls._fields(p), "contact": ContactOut(name=c.name, email=c.email, phone=c.phone)})


def authority_view(p: Profile, staff: bool) -> AuthorityPublic | AuthorityStaff:
    return AuthorityStaff.of(p) if staff else AuthorityPublic.of(p)


class OwnerKeyOut(BaseModel):
    id: str
    role: Literal["owner"]
    authority_id: str
    secret: str = Field(description="Shown once: keep it, it cannot be recovered.")


class AuthorityCreated(BaseModel):
    authority: AuthorityStaff | AuthorityPublic
    owner_key: OwnerKeyOut = Field(description="A key that may edit this profile (returned once).")
