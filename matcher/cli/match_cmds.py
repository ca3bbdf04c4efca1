"""``twinmatch match``: ranked, explained partners for catalogue authorities."""

from __future__ import annotations

import json
from pathlib import Path

import click

from matcher.cli.common import make_encoder, model_options, open_store, store_options
from matcher.domain import CONTINENTS, Filters, Kind, Level, Match
from matcher.errors import NotFound
from matcher.ranking.score_scale import match_score, one_in


def match_to_dict(m: Match, lang: str = "en") -> dict[str, object]:
    return {
        "id": m.id, "name": m.display_name(lang), "name_local": m.name, "country": m.country, "kind": m.kind,
        "level": m.level or "town", "lat": m.lat, "lon": m.lon,
        "population": m.population, "score": m.score, "match_score": int(match_score(m.score)),
        "one_in": int(one_in(int(match_score(m.score)))), "rank": m.rank,
        "reasons": [{"code": r.code, "value": r.value, "contribution": r.contribution, "text": r.text(lang)}
                    for r in m.reasons],
    }


@click.command("match")
@click.argument("ids", nargs=-1, required=True)
@click.option("--k", "k", type=click.IntRange(1, 500), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query, one per line.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="en", show_default=True)
@click.option("--country", "countries", multiple=True, help="Only candidates in this country (repeatable).")
@click.option("--continent", "continents", multiple=True, type=click.Choice(CONTINENTS))
@click.option("--kind", "kinds", multiple=True, type=click.Choice([k.value for k in Kind]),
              help="Only candidates of this kind (repeatable).")
@click.option("--level", "levels", multiple=True, type=click.Choice([lv.value for lv in Level]),
              help="Only candidates of this level: admin1, admin2, intercommunal, town (repeatable).")
@click.option("--francophone", is_flag=True, help="Only French-speaking countries: French official or a working language by law, recognised by law or widely spoken (data/french_language.csv).")
@click.option("--include-existing", is_flag=True, help="Keep existing partners among the candidates.")
@click.option("--diversity", type=click.FloatRange(0, 10), default=0.0, show_default=True)
@store_options
@model_options
def match(ids: tuple[str, ...], k: int, as_json: bool, lang: str, countries: tuple[str, ...],
          continents: tuple[str, ...], kinds: tuple[str, ...], levels: tuple[str, ...], francophone: bool, include_existing: bool, diversity: float,
          db: Path | None, data_dir: Path, model: str, ranker_path: Path) -> None:
    """Rank partners for each authority ID (e.g. FR-COM-35238)."""
    from matcher.ranking.loading import load_matcher

    store = open_store(db, data_dir, progress=not as_json)
    unknown = [i for i in ids if not store.exists(i)]
    if unknown:
        raise NotFound(f"unknown authority id(s): {', '.join(unknown)}", field="id")
    matcher, _ = load_matcher(store, encoder=make_encoder(model), ranker_path=ranker_path)
    filters = Filters(countries=tuple(c.upper() for c in countries), continents=continents, kinds=kinds, levels=levels,
                      francophone_only=francophone, include_existing=include_existing)
    for qid in ids:
        matches = matcher.recommend(store.get(qid), k=k, filters=filters, diversity=diversity)
        if as_json:
            click.echo(json.dumps({"query": qid, "matches": [match_to_dict(m, lang) for m in matches]},
                                  ensure_ascii=False))
        else:
            click.echo(f"\n{qid} — {store.get(qid).name}")
            click.echo(f"{'rank':>4}  {'score':>5}  {'id':<16} {'name':<28} {'cc':<3} reasons")
            for m in matches:
                why = "; ".join(r.text(lang) for r in m.reasons[:2])
                name = m.display_name(lang)
                click.echo(f"{m.rank:>4}  {int(match_score(m.score)):>5}  {m.id:<16} {name[:28]:<28} {m.country:<3} {why}")
