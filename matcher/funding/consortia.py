"""French co-applicants for a foreign partner (pure: profiles and links in, a proposal out).

Who already works with the partner, its region or its country (twinnings and documented cooperation
cases alike) is a candidate; the group favours the closest links, complementary levels of French local
government and authorities near the proposed lead, each with its reasons. ``overlaps`` lists, for staff,
the foreign territories several French authorities work with side by side.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from matcher.domain import Level, Link, Profile
from matcher.explain.wording import en_country, fr_the_country
from matcher.geo import haversine_km

TIER_PARTNER, TIER_REGION, TIER_COUNTRY = 3, 2, 1
LEVEL_FR = {"admin1": "région", "admin2": "département", "intercommunal": "intercommunalité", "town": "commune"}
LEVEL_EN = {"admin1": "région", "admin2": "département", "intercommunal": "intercommunal body", "town": "commune"}


@dataclass(frozen=True)
class Reason:
    code: str
    text_fr: str
    text_en: str


@dataclass(frozen=True)
class Member:
    profile: Profile
    role: str  # lead, member, complement (a level the group lacks: no known link yet)
    tier: int  # 3 the partner itself, 2 its region, 1 its country, 0 none (complement)
    reasons: tuple[Reason, ...]
    km_to_lead: float | None


@dataclass(frozen=True)
class Proposal:
    partner: Profile
    members: tuple[Member, ...]
    candidates: int  # French authorities found working with the partner, its region or its country


@dataclass(frozen=True)
class Overlap:
    """A foreign territory (an admin-1 unit) several French authorities work with, without a joint project
    recorded in the catalogue."""

    territory: Profile
    french: tuple[Profile, ...]
    foreign: tuple[Profile, ...]


def km(a: Profile, b: Profile) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    return float(haversine_km(a.lat, a.lon, b.lat, b.lon))


def admin1_of(p: Profile, profiles: Mapping[str, Profile]) -> Profile | None:
    """The admin-1 unit a foreign profile belongs to (itself for an admin-1 unit)."""
    if p.level_of is Level.ADMIN1:
        return p
    for pid in reversed(p.parent_ids):
        q = profiles.get(pid)
        if q is not None and q.level_of is Level.ADMIN1:
            return q
    return None


def _tier(x: Profile, partner: Profile, region: Profile | None, profiles: Mapping[str, Profile]) -> int:
    if x.id == partner.id:
        return TIER_PARTNER
    if region is not None:
        r = admin1_of(x, profiles)
        if r is not None and r.id == region.id:
            return TIER_REGION
    return TIER_COUNTRY if x.country == partner.country else 0


def _link_reason(kind: str, x: Profile, tier: int, region: Profile | None, partner_name: str) -> Reason:
    verb_fr = "Jumelée avec" if kind == "twinning" else "Coopère avec"
    verb_en = "Twinned with" if kind == "twinning" else "Cooperates with"
    notes_fr: list[str] = []
    notes_en: list[str] = []
    if tier == TIER_REGION and region is not None and region.id != x.id:
        notes_fr.append(f"même région que {partner_name}")
        notes_en.append(f"same region as {partner_name}")
    elif tier == TIER_COUNTRY:
        notes_fr.append(fr_the_country(x.country))
        notes_en.append(en_country(x.country))
    if kind == "cooperation":
        notes_fr.append("cas de coopération documenté")
        notes_en.append("documented cooperation case")
    code = {TIER_PARTNER: "partner", TIER_REGION: "region", TIER_COUNTRY: "country"}[tier] + f"_{kind}"
    return Reason(code, f"{verb_fr} {x.name_fr or x.name}" + (f" ({' ; '.join(notes_fr)})" if notes_fr else "") + ".",
                  f"{verb_en} {x.name}" + (f" ({'; '.join(notes_en)})" if notes_en else "") + ".")


def _french_foreign(links: Sequence[Link], profiles: Mapping[str, Profile]
                    ) -> Iterator[tuple[Link, Profile, Profile]]:
    """Each link between a French authority and a foreign one, as (link, French side, foreign side)."""
    for link in links:
        a, b = profiles.get(link.a), profiles.get(link.b)
        if a is None or b is None:
            continue
        french, foreign = (a, b) if a.country == "FR" else (b, a)
        if french.country == "FR" and foreign.country != "FR":
            yield link, french, foreign


def _candidates(partner: Profile, links: Sequence[Link], profiles: Mapping[str, Profile]
                ) -> dict[str, tuple[int, list[Reason]]]:
    region = admin1_of(partner, profiles)
    found: dict[str, tuple[int, list[Reason]]] = {}
    for link, french, foreign in _french_foreign(links, profiles):
        tier = _tier(foreign, partner, region, profiles)
        if tier == 0:
            continue
        best, reasons = found.get(french.id, (0, []))
        reason = _link_reason(link.kind, foreign, tier, region, partner.name)
        if reason not in reasons:
            reasons.append(reason)
        found[french.id] = (max(best, tier), reasons)
    return found


def _theme_reason(p: Profile, themes: Sequence[str], labels: Mapping[str, tuple[str, str]]) -> Reason | None:
    common = [t for t in themes if t in p.expertise.themes]
    if not common:
        return None
    return Reason("expertise", "Expertise déclarée : " + ", ".join(labels[t][0] for t in common) + ".",
                  "Stated expertise: " + ", ".join(labels[t][1] for t in common) + ".")


def propose(partner: Profile, links: Sequence[Link], profiles: Mapping[str, Profile], themes: Sequence[str],
            labels: Mapping[str, tuple[str, str]], k: int = 5) -> Proposal:
    """Up to ``k`` French co-applicants for ``partner``; ``profiles`` holds every link end and the French
    authorities' parents (département, région) by id."""
    found = _candidates(partner, links, profiles)
    scored = []
    for fid, (tier, reasons) in found.items():
        p = profiles[fid]
        theme = _theme_reason(p, themes, labels)
        score = tier * 10 + min(len(reasons), 5) + (5 if theme else 0)
        scored.append((score, p.population or 0, fid, tier, tuple(reasons) + ((theme,) if theme else ())))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    if not scored:
        return Proposal(partner, (), 0)
    lead = profiles[scored[0][2]]
    members = [Member(lead, "lead", scored[0][3], scored[0][4], None)]
    levels = {lead.level_of}
    complements = _complements(lead, profiles, levels={p.level_of for p in (profiles[s[2]] for s in scored[:k])})
    room = k - (1 if complements and k >= 4 else 0)
    rest = list(scored[1:])
    while rest and len(members) < room:
        def value(s: tuple[int, int, str, int, tuple[Reason, ...]]) -> float:
            p = profiles[s[2]]
            d = km(lead, p)
            return s[0] + (3 if p.level_of not in levels else 0) - (d / 200 if d is not None else 3)
        best = max(rest, key=lambda s: (value(s), s[1], s[2]))
        rest.remove(best)
        p = profiles[best[2]]
        d = km(lead, p)
        why = best[4]
        if d is not None:
            why += (Reason("distance", f"À {round(d):d} km de {lead.name}.", f"{round(d):d} km from {lead.name}."),)
        if p.level_of not in levels:
            lv = p.level_of.value
            why += (Reason("level", f"Échelon complémentaire : {LEVEL_FR[lv]}.",
                               f"Complementary level: {LEVEL_EN[lv]}."),)
        levels.add(p.level_of)
        members.append(Member(p, "member", best[3], why, d))
    for q in complements:
        if len(members) >= k or q.level_of in levels:
            continue
        lv = q.level_of.value
        members.append(Member(q, "complement", 0, (
            Reason("parent", f"{LEVEL_FR[lv].capitalize()} dont relève {lead.name} ; aucun lien connu avec ce "
                             "partenaire : échelon complémentaire à solliciter.",
                   f"The {LEVEL_EN[lv]} {lead.name} belongs to; no known link with this partner: a complementary "
                   "level to approach."),), km(lead, q)))
        levels.add(q.level_of)
    return Proposal(partner, tuple(members), len(found))


def _complements(lead: Profile, profiles: Mapping[str, Profile], *, levels: set[Level]) -> list[Profile]:
    """The lead's intercommunality, département and région (in that order) at a level the likely group
    lacks."""
    order = {Level.INTERCOMMUNAL: 0, Level.ADMIN2: 1, Level.ADMIN1: 2}
    parents = [q for q in (profiles.get(pid) for pid in lead.parent_ids) if q is not None and q.level_of in order]
    return sorted((q for q in parents if q.level_of not in levels), key=lambda q: order[q.level_of])


def overlaps(links: Sequence[Link], profiles: Mapping[str, Profile], *, min_french: int = 2) -> list[Overlap]:
    """Foreign admin-1 territories with at least ``min_french`` distinct French authorities linked to it
    or to a unit in it; most French authorities first."""
    by_territory: dict[str, tuple[set[str], set[str]]] = {}
    for link, french, foreign in _french_foreign(links, profiles):
        territory = admin1_of(foreign, profiles)
        if territory is None:
            continue
        fr_ids, foreign_ids = by_territory.setdefault(territory.id, (set(), set()))
        fr_ids.add(french.id)
        foreign_ids.add(foreign.id)
    out = [Overlap(profiles[t], tuple(sorted((profiles[f] for f in fr), key=lambda p: p.name)),
                   tuple(sorted((profiles[x] for x in fo), key=lambda p: p.name)))
           for t, (fr, fo) in by_territory.items() if len(fr) >= min_french]
    return sorted(out, key=lambda o: (-len(o.french), o.territory.name))
