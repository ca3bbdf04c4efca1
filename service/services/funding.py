"""The funding files the API and the funding pages answer from (``matcher.funding``), and the short
"Financer ce partenariat" panel shown beside each match of a French authority."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from matcher.domain import Profile
from matcher.funding.data import FUNDING_DIR, FundingData, load_funding
from matcher.funding.project import funding_for
from matcher.funding.rules import Assessment
from service.deps import Resources

#: Calls a panel lists before its link to the full page.
GLANCE_CALLS = 3


def funding_data(res: Resources) -> FundingData:
    """The funding files beside the catalogue (``<data_dir>/funding``), else the repository's."""
    directory = res.settings.data_dir / "funding"
    return load_funding(directory if directory.is_dir() else FUNDING_DIR)


@dataclass(frozen=True)
class Glance:
    """What funds a French authority with one foreign partner, in short: the calls it is eligible for and
    that are open, permanent or upcoming (at most ``GLANCE_CALLS``, best first), and how many calls are
    eligible that way, undecided (some condition not sourced or to check) and assessed in all."""

    themes: tuple[str, ...]
    best: tuple[Assessment, ...]
    eligible: int
    undecided: int
    total: int


def profile_themes(p: Profile) -> tuple[str, ...]:
    """The themes the authority named (expertise, then needs), each once: what its projects would be on."""
    return tuple(dict.fromkeys((*p.expertise.themes, *p.needs.themes)))


def glances(res: Resources, french: Profile, partner_countries: Iterable[tuple[str, str]]) -> dict[str, Glance]:
    """A ``Glance`` per (partner id, country) for a French authority on the service's day (``res.today``);
    empty when it is not French. The calls are assessed once per country: the rules read the partner's
    country, not the partner."""
    if french.country != "FR":
        return {}
    data, themes, on = funding_data(res), profile_themes(french), res.today()
    by_country: dict[str, Glance] = {}
    out = {}
    for partner_id, country in partner_countries:
        if country == "FR":
            continue
        if country not in by_country:
            items = funding_for(data, french, country, themes, on=on)
            live = [a for a in items if a.eligible is True and a.status in ("open", "permanent", "upcoming")]
            by_country[country] = Glance(themes, tuple(live[:GLANCE_CALLS]), len(live),
                                         sum(a.eligible is None and a.status != "closed" for a in items), len(items))
        out[partner_id] = by_country[country]
    return out
