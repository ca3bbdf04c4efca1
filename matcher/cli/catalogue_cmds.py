"""``twinmatch catalogue``: look at the catalogue (stats, one authority, name search)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import click

from matcher.domain import Kind, Profile
from matcher.paths import DATA_DIR, DEFAULT_DB
from matcher.store.backends import open_store
from matcher.store.base import SQLStoreBase
from matcher.store.codec import profile_to_dict

F = TypeVar("F", bound=Callable[..., Any])


def _store_options(fn: F) -> F:
    fn = click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), default=DATA_DIR,
                      show_default=True, help="Directory of the processed catalogue files.")(fn)
    from matcher.cli.common import DB_TARGET

    fn = click.option("--db", type=DB_TARGET, default=DEFAULT_DB,
                      envvar="TWINMATCH_DB", show_default=True,
                      help="SQLite database file or postgresql:// URL (env TWINMATCH_DB); created and loaded "
                           "on first use.")(fn)
    return fn


def _open(db: Path | str, data_dir: Path) -> SQLStoreBase:
    return open_store(db, data_dir, progress=sys.stderr.isatty())


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1))


def _public(p: Profile) -> dict[str, Any]:
    """The public fields of a profile (no contact details), in the order of ``Profile``'s fields."""
    d = profile_to_dict(p.public())
    return {f.name: d[f.name] for f in fields(Profile) if f.name in d}


def _num(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


@click.group()
def catalogue() -> None:
    """Inspect the catalogue of local authorities."""


@catalogue.command()
@_store_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--top", default=15, show_default=True, type=click.IntRange(1), help="Countries to list.")
def stats(db: Path, data_dir: Path, as_json: bool, top: int) -> None:
    """Counts by kind and country, coordinate coverage, links and link-resolution figures."""
    with _open(db, data_dir) as store:
        st: dict[str, Any] = dict(store.stats())
    if as_json:
        _echo_json(st)
        return
    click.echo(f"Authorities: {_num(st['profiles'])}  (created or edited by users: {_num(st['user_profiles'])})")
    click.echo("By kind:")
    for kind, n in st["by_kind"].items():
        click.echo(f"  {kind:<18} {n:>9,}")
    by_country: dict[str, int] = st["by_country"]
    click.echo(f"By country ({len(by_country)} countries, top {min(top, len(by_country))}):")
    for code, n in list(by_country.items())[:top]:
        click.echo(f"  {code:<4} {n:>9,}")
    for label, key in (("all", "all"), ("French", "french")):
        c = st["coordinates"][key]
        pct = 100 * c["with_coordinates"] / c["total"] if c["total"] else 0.0
        click.echo(f"Coordinates ({label}): {c['with_coordinates']:,} / {c['total']:,} ({pct:.2f}%)")
    click.echo(f"Links: {_num(st['links'])}")
    report = st.get("link_resolution")
    if isinstance(report, dict):
        overall = report.get("overall", report)
        click.echo("Link resolution (link_report.json):")
        for k, v in overall.items():
            if isinstance(v, dict):  # one level of nesting, scalars only (e.g. resolved/ambiguous/unresolved)
                v = ", ".join(f"{sk} {sv:,}" for sk, sv in v.items() if isinstance(sv, int | float))
            click.echo(f"  {k:<28} {v:,}" if isinstance(v, int) else f"  {k:<28} {v}")
    else:
        click.echo("Link resolution: no link_report.json in the data directory")


@catalogue.command()
@_store_options
@click.argument("authority_id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def show(db: Path, data_dir: Path, authority_id: str, as_json: bool) -> None:
    """Public fields of one authority (contact details are never shown)."""
    with _open(db, data_dir) as store:
        p = store.get(authority_id)  # NotFound -> exit 2 with the id named
        parents = {q.id: q.name for q in store.get_many(p.parent_ids)}
        linked = [x.b if x.a == p.id else x.a for x in store.links() if p.id in (x.a, x.b)]
        partners = store.get_many(linked)
    if as_json:
        data = _public(p)
        data["links"] = [{"id": q.id, "name": q.name, "country": q.country} for q in partners]
        _echo_json(data)
        return
    click.echo(f"{p.name}  [{p.id}]")
    rows: list[tuple[str, str]] = [
        ("kind", p.kind.value), ("country", p.country),
        ("admin1", " ".join(x for x in (p.admin1_name, f"({p.admin1_code})" if p.admin1_code else "") if x)),
        ("admin2", " ".join(x for x in (p.admin2_name, f"({p.admin2_code})" if p.admin2_code else "") if x)),
        ("population", _num(p.population)),
        ("coordinates", f"{p.lat:.5f}, {p.lon:.5f}" if p.lat is not None and p.lon is not None else ""),
        ("languages", ", ".join(p.languages)), ("alt names", ", ".join(p.alt_names)),
        ("parents", ", ".join(f"{parents.get(i, '?')} ({i})" for i in p.parent_ids)),
        ("description", p.description), ("expertise", _facet(p.expertise.themes, p.expertise.text)),
        ("needs", _facet(p.needs.themes, p.needs.text)), ("partnerships", ", ".join(p.partnership_types)),
        ("pref. sizes", ", ".join(p.preferred_sizes)),
        ("pref. countries", ", ".join(p.preferred_countries)), ("pref. regions", ", ".join(p.preferred_regions)),
        ("known partners", ", ".join(p.known_partners)),
        ("links", ", ".join(f"{q.name} ({q.country}, {q.id})" for q in partners)),
        ("source", p.source), ("updated", p.updated_at),
    ]
    for label, value in rows:
        if value:
            click.echo(f"  {label:<16} {value}")


def _facet(themes: tuple[str, ...], text: str) -> str:
    return " — ".join(x for x in (", ".join(themes), text.strip()) if x)


@catalogue.command()
@_store_options
@click.argument("text", default="")
@click.option("--country", help="ISO alpha-2 country code.")
@click.option("--kind", type=click.Choice([k.value for k in Kind]), help="Kind of authority.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100))
@click.option("--cursor", type=click.IntRange(0), help="Next-page cursor printed by a previous search.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def search(db: Path, data_dir: Path, text: str, country: str | None, kind: str | None, limit: int,
           cursor: int | None, as_json: bool) -> None:
    """Find authorities by name (accents, case and punctuation ignored; alternative names too)."""
    with _open(db, data_dir) as store:
        page, next_cursor = store.search(text, country=country, kind=kind, limit=limit, cursor=cursor)
    if as_json:
        _echo_json({"results": [_public(p) for p in page], "next_cursor": next_cursor})
        return
    if not page:
        click.echo("No match.")
    id_width = max((len(p.id) for p in page), default=0)
    name_width = min(40, max((len(p.name) for p in page), default=0))
    for p in page:
        where = p.admin2_name or p.admin1_name
        click.echo(f"{p.id:<{id_width}}  {p.name:<{name_width}}  {p.kind.value:<16} {p.country:<3} "
                   f"{_num(p.population):>11}  {where}")
    if next_cursor:
        click.echo(f"More results: --cursor {next_cursor}", err=True)
