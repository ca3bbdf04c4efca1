"""``twinmatch event``: rank an event's participants against each other, plan rounds of 1:1 meetings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from matcher.cli.common import make_encoder, model_options, open_store, store_options
from matcher.errors import FileErrors

_START_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M%z"]


def listing(exc: FileErrors, source: str) -> FileErrors:
    """The same errors with a message naming every bad row, one per line (``FileErrors`` keeps the
    first 20 in its message; a person fixing the file needs them all)."""
    full = FileErrors(exc.errors)
    full.message = f"{source}: {len(exc.errors)} bad row(s)\n" + "\n".join(f"  {e.message}" for e in exc.errors)
    full.args = (full.message,)
    return full


def _writer(out: Path, writers: dict[str, Callable[..., bytes]]) -> Callable[..., bytes]:
    suffix = out.suffix.lower()
    if suffix not in writers:
        raise click.BadParameter(f"use one of {', '.join(sorted(writers))}", param_hint="--out")
    return writers[suffix]


def _load(file: Path, db: Path | None, data_dir: Path, model: str, ranker_path: Path) -> tuple[Any, Any]:
    """(validated event, matcher): the file is checked before the model and the catalogue texts load."""
    from matcher.events.event_records import CatalogueView
    from matcher.events.participants import read_participants_file
    from matcher.ranking.loading import load_matcher

    store = open_store(db, data_dir)
    catalogue = CatalogueView.build(store.all_profiles(verified_only=True), store.countries(), store.links())
    try:
        ev = read_participants_file(file, catalogue)
    except FileErrors as exc:
        raise listing(exc, file.name) from None
    matcher, _ = load_matcher(store, encoder=make_encoder(model), ranker_path=ranker_path)
    return ev, matcher


def _common(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--include-same-country", is_flag=True,
                      help="Also pair participants of the same country.")(fn)
    fn = click.option("--include-existing", is_flag=True, help="Also pair authorities already partnered.")(fn)
    fn = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))(fn)
    return store_options(model_options(fn))


@click.group("event")
def event() -> None:
    """Events: rank participants against each other and plan 1:1 meetings.

    FILE is a participant list (.csv, .xlsx or .json): name and country required; optional id, kind,
    population, lat, lon, languages, expertise, needs, description, themes, side, must_meet, avoid,
    max_meetings (lists separated by ';').
    """


@event.command("rank")
@_common
@click.option("--k", "k", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="ranking.csv, .xlsx or .json")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="en", show_default=True)
def rank(file: Path, k: int, out: Path, lang: str, include_existing: bool, include_same_country: bool,
         db: Path | None, data_dir: Path, model: str, ranker_path: Path) -> None:
    """Top-K partners of every participant among the others, with reasons."""
    from matcher.events.batch import rank_event
    from matcher.events.exports import RANKING_WRITERS

    write = _writer(out, RANKING_WRITERS)
    ev, matcher = _load(file, db, data_dir, model, ranker_path)
    ranking = rank_event(ev, state=matcher.state, encoder=matcher.encoder, k=k, include_existing=include_existing,
                         include_same_country=include_same_country)
    out.write_bytes(write(ranking, lang))
    t = ranking.timings
    click.echo(f"{len(ev.participants)} participants ({ranking.catalogue_participants} catalogue authorities), "
               f"{ranking.texts_encoded} texts encoded: embedding {t['embed']:.1f}s, "
               f"ranking {t['score'] + t['reasons'] + t['arrays']:.1f}s -> {out}")


@event.command("schedule")
@_common
@click.option("--rounds", type=click.IntRange(1, 100), required=True, help="Number of meeting rounds.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="schedule.csv or .xlsx")
@click.option("--ics", "ics_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write one .ics calendar per participant into this folder.")
@click.option("--start", type=click.DateTime(_START_FORMATS), default=None, metavar="YYYY-MM-DDTHH:MM",
              help="Start of round 1, e.g. 2026-12-01T09:00 (local time; or with an offset, +0100).")
@click.option("--slot-minutes", type=click.IntRange(1, 600), default=20, show_default=True)
@click.option("--break-minutes", type=click.IntRange(0, 600), default=5, show_default=True)
@click.option("--pause", "pauses", multiple=True, metavar="ROUND:MINUTES",
              help="A longer pause after a round, e.g. 3:60 (repeatable).")
@click.option("--lang", "ics_lang", type=click.Choice(["fr", "en"]), default="en", show_default=True,
              help="Language of the calendars (with each meeting's reasons).")
@click.option("--method", type=click.Choice(["auto", "lsa", "milp", "networkx", "greedy"]), default="auto",
              show_default=True, help="auto: exact matching per round (lsa with two sides, milp otherwise).")
@click.option("--compare-greedy", is_flag=True, help="Also plan with the greedy baseline and print both totals.")
def schedule(file: Path, rounds: int, out: Path, ics_dir: Path | None, start: datetime | None, slot_minutes: int,
             break_minutes: int, pauses: tuple[str, ...], ics_lang: str, method: str, compare_greedy: bool, include_existing: bool,
             include_same_country: bool, db: Path | None, data_dir: Path, model: str, ranker_path: Path) -> None:
    """Plan ROUNDS rounds of 1:1 meetings maximising the reciprocal match scores."""
    from matcher.events.batch import pair_reasons, rank_event
    from matcher.events.exports import SCHEDULE_WRITERS, all_ics, schedule_csv, schedule_xlsx
    from matcher.events.options import Pause, Timing
    from matcher.events.schedule import schedule_event

    _writer(out, SCHEDULE_WRITERS)
    breaks = []
    for p in pauses:
        after, _, minutes = p.partition(":")
        if not (after.isdigit() and minutes.isdigit() and 1 <= int(after) < rounds and int(minutes) <= 600):
            raise click.BadParameter(f"{p!r}: ROUND:MINUTES, a round before the last, at most 600 minutes",
                                     param_hint="--pause")
        breaks.append(Pause(int(after), int(minutes)))
    when = Timing(rounds, start, slot_minutes, break_minutes, tuple(sorted(breaks, key=lambda b: b.after_round)))
    if ics_dir is not None and start is None:
        raise click.UsageError("--ics needs --start (e.g. --start 2026-12-01T09:00)")
    ev, matcher = _load(file, db, data_dir, model, ranker_path)
    ranking = rank_event(ev, state=matcher.state, encoder=matcher.encoder, k=1, include_existing=include_existing,
                         include_same_country=include_same_country, reasons=False)
    plan = schedule_event(ev, ranking, rounds, method=method)
    names = {p.id: p.name for p in ev.participants}
    writer = schedule_csv if out.suffix.lower() == ".csv" else schedule_xlsx
    payload = writer(plan, names, timing=when)
    out.write_bytes(payload)
    counts = list(plan.meeting_counts.values())
    click.echo(f"{len(plan.meetings)} meetings in {rounds} round(s) [{plan.method}, {plan.seconds:.1f}s]: "
               f"total score {plan.total_score:.4f}; meetings per participant {min(counts)}-{max(counts)} -> {out}")
    if compare_greedy:
        greedy = schedule_event(ev, ranking, rounds, method="greedy")
        gain = (plan.total_score / greedy.total_score - 1) * 100 if greedy.total_score > 0 else 0.0
        click.echo(f"greedy baseline: {len(greedy.meetings)} meetings, total score {greedy.total_score:.4f} "
                   f"(planner {gain:+.1f}%)")
    for note in plan.notes:
        click.echo(f"note: {note}", err=True)
    if plan.unmet_must_meet:
        click.echo(f"{len(plan.unmet_must_meet)} must-meet pair(s) could not be placed:", err=True)
        for a, b in plan.unmet_must_meet:
            click.echo(f"  {a} - {b}", err=True)
    if ics_dir is not None and start is not None:
        ics_dir.mkdir(parents=True, exist_ok=True)
        partners: dict[str, list[str]] = {}
        for m in plan.meetings:
            partners.setdefault(m.a, []).append(m.b)
            partners.setdefault(m.b, []).append(m.a)
        reasons = pair_reasons(ev, partners, state=matcher.state, encoder=matcher.encoder)
        files = all_ics(plan, names, start=start, slot_minutes=slot_minutes, break_minutes=break_minutes,
                        pauses=when.pauses, lang=ics_lang, reasons=reasons, event_name=file.stem,
                        event_uid=f"{file.stem}-{start:%Y%m%dT%H%M}")
        for name, data in files.items():
            (ics_dir / name).write_bytes(data)
        click.echo(f"{len(files)} calendars -> {ics_dir}")
