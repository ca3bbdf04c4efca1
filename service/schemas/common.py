"""What the request and response models share: bounds, field types (texts, countries, themes, numbers
taken strictly) and their validators.

Request models forbid unknown fields (a typo is a 422 naming it, not a silent no-op) and take numbers
strictly (``"population": true`` is an error, not 1). Every text is checked for valid Unicode (a lone
surrogate could not be stored) and NUL characters, and is length-bounded. Theme values go through
``parse_theme`` (one code or label in six languages per item). Private contact details exist only in
``ContactIn`` and ``AuthorityStaff``: a public response model has no field that could carry them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

from matcher.domain import CONTINENTS
from matcher.errors import InvalidInput
from matcher.themes import parse_theme, theme_codes

#: The largest page position a ``cursor`` may name (pages past the end are empty).
MAX_POSITION = 1_000_000
CONTINENT_CODES = CONTINENTS
MAX_TEXT = 4000


def _valid_text(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text is not valid Unicode (lone surrogate)") from None
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    return value


def unique_values(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _themes(values: list[str]) -> list[str]:
    try:
        return list(dict.fromkeys(parse_theme(v) for v in values))
    except InvalidInput as exc:  # a ValueError keeps the field's location in the 422
        raise ValueError(exc.message) from None


#: Marks a country code whose allowed values are the catalogue's countries: ``service.openapi`` turns it
#: into a reference to the ``CountryCode`` enum when the spec is built (the routes check membership).
CATALOGUE_COUNTRY = {"x-twinmatch-enum": "countries"}


def _whole(value: object) -> object:
    """JSON Schema's ``integer`` is a value, not a notation: ``12000.0`` is one (``true`` and ``"12"`` are not)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


#: What ``_valid_text`` checks, said in the spec: no NUL (a regex escape, so the document stays plain JSON;
#: schemathesis reads ``\\x00`` but not ``\\u0000``). Lone surrogates are not Unicode text to begin with.
TEXT_PATTERN = {"pattern": "^[^\\x00]*$"}
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                 AfterValidator(_valid_text), Field(json_schema_extra=TEXT_PATTERN)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(_valid_text),
                      Field(json_schema_extra=TEXT_PATTERN)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT),
                     AfterValidator(_valid_text), Field(json_schema_extra=TEXT_PATTERN)]
#: An e-mail address's shape; control characters spelled out, as regex engines disagree on ``\\s`` (U+0085).
EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$"


def whole_number(ge: int, le: int) -> Any:
    """A strict integer in [ge, le] that also takes an integral float (``100.0``), the schema saying so."""
    return Annotated[int, Strict(), Field(ge=ge, le=le), BeforeValidator(_whole)]
CountryCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$"),
                        Field(json_schema_extra=CATALOGUE_COUNTRY)]
LangCode = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[A-Za-z]{2}$")]
AuthorityId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                               pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
Population = Annotated[int, Strict(), Field(ge=0, le=2_000_000_000), BeforeValidator(_whole)]
Latitude = Annotated[float, Strict(), Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Strict(), Field(ge=-180, le=180, allow_inf_nan=False)]
#: Theme codes, each once, in the spec; the server also takes a label in fr/en/es/pt/ar/de, in any case and
#: without accents, and normalises it to its code (``matcher.themes.parse_theme``).
THEME_ENUM: dict[str, Any] = {"enum": list(theme_codes()), "description": "A theme code (GET /themes); a label "
                              "in fr, en, es, pt, ar or de is taken too, in any case"}
ThemeValue = Annotated[str, StringConstraints(max_length=100), Field(json_schema_extra=THEME_ENUM)]
ThemeList = Annotated[list[ThemeValue], Field(max_length=20), AfterValidator(_themes)]

FORBID_EXTRA = ConfigDict(extra="forbid")
