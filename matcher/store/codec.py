"""Pure helpers of the store, either backend (no driver here): the Profile <-> JSON codec, the search
normalisation of names, and API-key secrets and hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import asdict, fields
from typing import Any

from matcher.domain import Contact, Facet, Kind, Level, Profile, TextSource
from matcher.themes import fold

#: Profile fields kept in their own SQL columns; everything else goes to the JSON column.
SCALAR_FIELDS = ("id", "name", "kind", "country", "population", "lat", "lon", "source", "updated_at", "status")
_REQUIRED = ("id", "name", "country")  # plus kind
_OPTIONAL_NUMBERS = ("population", "lat", "lon")
_FACETS = ("expertise", "needs")
_TUPLES = tuple(f.name for f in fields(Profile) if str(f.type).startswith("tuple"))
_STRINGS = tuple(f.name for f in fields(Profile) if f.type == "str" and f.name not in _REQUIRED)
# Every Profile field must be handled by the codec: a new field breaks here, not silently on round-trip.
assert {f.name for f in fields(Profile)} == {
    *_REQUIRED, "kind", "level", *_OPTIONAL_NUMBERS, *_FACETS, *_TUPLES, *_STRINGS, "contact"}


# --- Profile <-> JSON ---------------------------------------------------------------------------

def profile_to_dict(p: Profile) -> dict[str, Any]:
    """Every field of ``p`` as JSON-ready data; fields at their default value are left out."""
    out: dict[str, Any] = {"id": p.id, "name": p.name, "kind": p.kind.value, "country": p.country}
    if p.level is not None:
        out["level"] = p.level.value
    for name in _STRINGS:
        value = getattr(p, name)
        if value:
            out[name] = value
    for name in _OPTIONAL_NUMBERS:
        value = getattr(p, name)
        if value is not None:
            out[name] = value
    for name in _TUPLES:
        value = getattr(p, name)
        if value:
            out[name] = list(value)
    for name in _FACETS:
        facet: Facet = getattr(p, name)
        if facet.themes or facet.text:
            out[name] = {"themes": list(facet.themes), "text": facet.text}
            if facet.sources:
                out[name]["sources"] = [{k: v for k, v in asdict(src).items() if v not in ("", None)}
                                        for src in facet.sources]
    c = p.contact
    if c.name or c.email or c.phone:
        out["contact"] = {"name": c.name, "email": c.email, "phone": c.phone}
    return out


def profile_from_dict(d: dict[str, Any]) -> Profile:
    """Inverse of ``profile_to_dict``: ``profile_from_dict(profile_to_dict(p)) == p``."""
    kw = dict(d)
    kw["kind"] = Kind(kw["kind"])
    if kw.get("level") is not None:
        kw["level"] = Level(kw["level"])
    for name in _TUPLES:
        if name in kw:
            kw[name] = tuple(kw[name])
    for name in _FACETS:
        if name in kw:
            f = kw[name]
            kw[name] = Facet(themes=tuple(f.get("themes", ())), text=f.get("text", ""),
                             sources=tuple(TextSource(**src) for src in f.get("sources", ())))
    if "contact" in kw:
        kw["contact"] = Contact(**kw["contact"])
    for name in ("lat", "lon"):
        if kw.get(name) is not None:
            kw[name] = float(kw[name])
    return Profile(**kw)


def profile_to_json(p: Profile) -> str:
    return json.dumps(profile_to_dict(p), ensure_ascii=False, separators=(",", ":"))


def profile_from_json(text: str) -> Profile:
    return profile_from_dict(json.loads(text))


def split_profile(p: Profile) -> tuple[dict[str, Any], str]:
    """(scalar column values, JSON of the remaining fields) for one row of the profiles table."""
    d = profile_to_dict(p)
    scalars = {k: d.pop(k, None) for k in SCALAR_FIELDS}
    scalars["source"], scalars["updated_at"], scalars["status"] = p.source, p.updated_at, p.status
    return scalars, json.dumps(d, ensure_ascii=False, separators=(",", ":"))


def join_profile(scalars: dict[str, Any], rest: str) -> Profile:
    d = json.loads(rest) if rest else {}
    d.update(scalars)
    for name in _OPTIONAL_NUMBERS:  # NULL columns are absent fields
        if d[name] is None:
            del d[name]
    return profile_from_dict(d)


# --- search keys --------------------------------------------------------------------------------

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def search_key(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form used for name search; common abbreviations
    are expanded so "St-Étienne" and "saint etienne" give the same key."""
    return " ".join(_ABBREVIATIONS.get(w, w) for w in fold(text).split())


def name_keys(name: str, alt_names: tuple[str, ...]) -> tuple[str, str]:
    """(search key of the name, all search keys of the profile as ``|name|alt1|alt2|...|``), so a single
    ``instr`` over the second finds exact, prefix and contained matches."""
    first = search_key(name)
    keys = [first]
    for n in alt_names:
        k = search_key(n)
        if k and k not in keys:
            keys.append(k)
    return first, "|" + "|".join(keys) + "|"


# --- API keys -----------------------------------------------------------------------------------

SECRET_PREFIX = "tm"
_SECRET_RE = re.compile(r"tm_([0-9a-f]{12})_([A-Za-z0-9_-]{32,})")


def new_secret() -> tuple[str, str]:
    """(key id, secret). The secret carries its key id so lookup needs no scan: ``tm_<keyid>_<random>``."""
    key_id = secrets.token_hex(6)
    return key_id, f"{SECRET_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(secret: str) -> str | None:
    m = _SECRET_RE.fullmatch(secret.strip())
    return m.group(1) if m else None


def hash_secret(secret: str, salt: bytes) -> bytes:
    """Salted SHA-256 of a secret.

    Secrets are 256 random bits, so a fast hash is enough (brute force is hopeless without the secret);
    a slow KDF (scrypt) would add tens of milliseconds to every authenticated request.
    """
    return hashlib.sha256(salt + secret.encode("utf-8")).digest()


def secret_matches(secret: str, salt: bytes, stored: bytes) -> bool:
    return hmac.compare_digest(hash_secret(secret, salt), stored)
