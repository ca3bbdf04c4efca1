"""``twinmatch funding`` and ``twinmatch consortium``: the funding answers of ``matcher.funding``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from matcher.cli.common import open_store, store_options


def _themes(themes: tuple[str, ...]) -> list[str]:
    from matcher.themes import parse_themes

    return list(parse_themes(themes))


def _day(on: dt.datetime | None) -> dt.date:
    return on.date() if on is not None else dt.date.today()


@click.command("funding")
@click.option("--french", required=True, help="The French authority's catalogue id (FR-COM-35238).")
@click.option("--partner", required=True, help="The foreign partner's catalogue id (GN-2253354).")
@click.option("--theme", "themes", multiple=True, help="A theme code or label; repeat for several.")
@click.option("--on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The date [default: today].")
@click.option("--co-applicants", type=click.IntRange(1, 50), default=1, show_default=True,
              help="French authorities applying together, the first included.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="en", show_default=True)
@click.option("--csv", "as_csv", is_flag=True, help="CSV (comma-separated, UTF-8) on standard output.")
@store_options
def funding(french: str, partner: str, themes: tuple[str, ...], on: dt.datetime | None, co_applicants: int,
            lang: str, as_csv: bool, db: Path | None, data_dir: Path) -> None:
    """Every funding call and scheme for a French authority and a foreign partner: eligible and open first."""
    from matcher.funding.data import load_funding
    from matcher.funding.exports import STATUS, funding_csv
    from matcher.funding.project import funding_for

    store = open_store(db, data_dir, progress=False)
    fr_p, partner_p = store.get(french), store.get(partner)
    items = funding_for(load_funding(), fr_p, partner_p.country, _themes(themes), co_applicants=co_applicants,
                        on=_day(on))
    if as_csv:
        sys.stdout.buffer.write(funding_csv(items, lang))
        return
    yes = {True: "yes", False: "no", None: "?"} if lang == "en" else {True: "oui", False: "non", None: "?"}
    for a in items:
        rate = f"{round(a.cofinancing_rate * 100)} %" if a.cofinancing_rate is not None else "-"
        closes = a.call.closes.isoformat() if a.call.closes else "-"
        click.echo(f"{yes[a.eligible]:<4} {STATUS[lang][a.status]:<20} {rate:>5}  {closes:<10}  {a.call.id}"
                   f"  [{a.decided_by}]")
        for m in a.missing:
            click.echo(f"       - {m.text_fr if lang == 'fr' else m.text_en}")


@click.command("consortium")
@click.option("--partner", required=True, help="The foreign partner's catalogue id (GN-2253354).")
@click.option("--theme", "themes", multiple=True, help="A theme code or label; repeat for several.")
@click.option("-k", "k", type=click.IntRange(1, 20), default=5, show_default=True, help="Group size.")
@click.option("--on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The date [default: today].")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="en", show_default=True)
@store_options
def consortium(partner: str, themes: tuple[str, ...], k: int, on: dt.datetime | None, lang: str, db: Path | None,
               data_dir: Path) -> None:
    """French co-applicants for a foreign partner, a proposed lead, and the calls the group meets that one
    authority alone does not."""
    from matcher.funding.data import load_funding
    from matcher.funding.project import consortium as propose

    store = open_store(db, data_dir, progress=False)
    proposal, calls = propose(store, load_funding(), store.get(partner), _themes(themes), k=k, on=_day(on))
    click.echo(f"{proposal.partner.name} ({proposal.partner.country}): {proposal.candidates} French authorities "
               "work with it, its region or its country")
    for m in proposal.members:
        click.echo(f"{m.role:<10} {m.profile.id:<20} {m.profile.name}")
        for r in m.reasons:
            click.echo(f"           - {r.text_fr if lang == 'fr' else r.text_en}")
    for a in calls:
        click.echo(f"call: {a.call.id} ({a.status})")
