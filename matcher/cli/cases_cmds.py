"""``twinmatch cases``: the real cooperation cases the text model learns from, as the catalogue sees them."""

from __future__ import annotations

import json
from pathlib import Path

import click

from matcher.cli.common import COOPERATION_CASES, COOPERATION_FILES, open_store, store_options


@click.group()
def cases() -> None:
    """The real cooperation cases (data/cooperation/)."""


@cases.command("resolve")
@click.option("--cases", "cases_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=COOPERATION_CASES, show_default=True, help="The cases file.")
@click.option("--json", "as_json", is_flag=True)
@store_options
def resolve(cases_path: Path, as_json: bool, db: Path | None, data_dir: Path) -> None:
    """How many of the cases' foreign partners are catalogue entries (units for regions, provinces…,
    towns for municipalities), by kind, with every partner that is not and why."""
    from matcher.catalogue.resolve import Resolver
    from matcher.learning.cooperation import read_cases, resolution_report

    store = open_store(db, data_dir)
    catalogue = {p.id: p for p in store.all_profiles(verified_only=True)}
    report = resolution_report(read_cases(cases_path), Resolver(list(catalogue.values()), store.countries()),
                               catalogue)
    if as_json:
        click.echo(json.dumps(report, indent=1, ensure_ascii=False))
        return
    click.echo(f"foreign partners resolved: {report['partners_resolved']:,} of {report['partners']:,} "
               f"({report['partners_resolved_share']:.1%}); cases: {report['cases_resolved']:,} of "
               f"{report['cases']:,} ({report['cases_resolved_share']:.1%})")
    click.echo(f"{'kind':<14}{'partners':>10}{'resolved':>10}")
    for kind, row in report["by_kind"].items():
        click.echo(f"{kind:<14}{row['partners']:>10}{row['resolved']:>10}")
    click.echo("resolved to levels: " + ", ".join(f"{k} {v}" for k, v in sorted(report["resolved_levels"].items())))
    click.echo("not resolved:")
    for u in report["unresolved"]:
        click.echo(f"  line {u['line']}: {u['name']} ({u['country']}, {u['kind']}): {u['reason']}")


@cases.command("index")
@click.option("--cases", "case_paths", type=click.Path(path_type=Path, exists=True, dir_okay=False), multiple=True,
              default=COOPERATION_FILES, show_default=True, help="The case files (repeat for several).")
@store_options
def index(case_paths: tuple[Path, ...], db: Path | None, data_dir: Path) -> None:
    """Write data/cooperation/case_pairs.csv: each case row resolved on both sides to catalogue ids. The
    catalogue load reads it with the case files: their texts go on the profiles (with their sources), their
    pairs become links of kind ``cooperation``."""
    from matcher.catalogue.case_pairs import INDEX_FILE, case_pairs, write_index
    from matcher.catalogue.resolve import Resolver
    from matcher.learning.cooperation import build_case_set, read_case_files

    store = open_store(db, data_dir)
    catalogue = {p.id: p for p in store.all_profiles(verified_only=True)}
    cases = read_case_files(list(case_paths))
    case_set = build_case_set(cases, catalogue, Resolver(list(catalogue.values()), store.countries()),
                              countries=tuple(store.countries()))
    pairs = case_pairs(case_set, catalogue)
    out = case_paths[0].parent / INDEX_FILE
    n = write_index(out, pairs)
    click.echo(f"{out}: {n:,} of {len(cases):,} case rows resolved on both sides, {len(pairs):,} pairs, "
               f"{len({p.french_id for p in pairs}):,} French authorities, {len({p.foreign_id for p in pairs}):,} partners")
