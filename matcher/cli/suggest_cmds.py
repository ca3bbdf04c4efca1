"""``twinmatch suggest``: the staff suggestions of the service (``matcher.ranking.suggestions``), from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click

from matcher.cli.common import model_options, open_store, store_options


@click.command("suggest")
@click.option("--french-region", help="The French side's région: its code (53) or name (Bretagne).")
@click.option("--country", help="The partner's country (ISO alpha-2).")
@click.option("--theme", help="A theme code, in either side's expertise or needs.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--sources", type=click.IntRange(1, 5000), default=200, show_default=True,
              help="French authorities ranked from (those that wrote a profile first, then the most active).")
@click.option("--per-source", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per pair, one per line.")
@store_options
@model_options
def suggest(french_region: str | None, country: str | None, theme: str | None, limit: int, sources: int,
            per_source: int, lang: str, as_json: bool, db: Path | None, data_dir: Path, model: str,
            ranker_path: Path) -> None:
    """Pairs (French authority, foreign authority) with no partnership yet, best reciprocal score first,
    with the reasons staff read (third person). Every source is scored: the list is complete."""
    from matcher.cli.common import make_encoder
    from matcher.ranking.loading import load_matcher
    from matcher.ranking.suggestions import SuggestionCache, SuggestionFilters, pair_reasons

    store = open_store(db, data_dir)
    matcher, _ = load_matcher(store, encoder=make_encoder(model), ranker_path=ranker_path)
    filters = SuggestionFilters(french_region=french_region, country=country.upper() if country else None,
                                theme=theme)
    cache = SuggestionCache()
    cache.compute(matcher, filters, max_sources=sources, per_source=per_source)
    found = cache.suggestions(matcher, filters, max_sources=sources, per_source=per_source, budget_seconds=1e6)
    names = {p.id: p.name for p in store.get_many(
        [x.french_id for x in found.pairs[:limit]] + [x.partner_id for x in found.pairs[:limit]])}
    for p in found.pairs[:limit]:
        reasons = pair_reasons(matcher.state, p) or ()
        f_name, p_name = names.get(p.french_id, p.french_id), names.get(p.partner_id, p.partner_id)
        if as_json:
            click.echo(json.dumps({"french": p.french_id, "french_name": f_name, "partner": p.partner_id,
                                   "partner_name": p_name, "score": p.score,
                                   "score_french_to_partner": p.forward, "score_partner_to_french": p.backward,
                                   "reasons": [r.text(lang) for r in reasons]}, ensure_ascii=False))
        else:
            why = "; ".join(r.text(lang) for r in reasons[:2])
            click.echo(f"{p.score:8.5f}  {f_name[:24]:<24} {p_name[:24]:<24} {why}")
    if not as_json:
        click.echo(f"({min(limit, len(found.pairs))} of {len(found.pairs)} pairs from {found.considered} of "
                   f"{found.total} sources)")
