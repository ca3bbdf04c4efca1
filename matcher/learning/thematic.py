"""Thematic evaluation and text-weight training on real cooperation cases (``matcher.learning.cooperation``).

The task: a French authority's expertise is the query; every foreign partner of the cases (its needs as
its profile text) is a candidate; where does its real partner land? One query per distinct pair; the
French authority's other partners are left out of that query's candidates (filtered ranking). Grouped
K-fold by French authority: the text weights are learned (``PairRanker.fit_text``) on the other folds'
pairs only. Each case pair's own link, where it is also a known twinning, is removed from the link
history for the whole run, so history cannot give the answer away.

Methods, all on the same candidates and folds:
- ``product``: the scoring kernel with the text weights of the training folds (what users get);
- ``structure``: the same kernel without text weights (the twinning model alone);
- ``tfidf``, ``use``, ``zsum``: text-only baselines — character n-gram TF-IDF cosine, USE cosine, and the
  sum of their per-query z-scores.

Hit rates and MRR: ``matcher.learning.metrics`` (a tie is a fair coin: each metric is its expected value over
a random order of the tied candidates).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold
from tqdm import tqdm

from matcher.domain import Facet
from matcher.encoding import Encoder
from matcher.events.batch import encode_once, put_profiles
from matcher.learning.cooperation import CaseSet, without_case_links
from matcher.learning.metrics import Table, placement
from matcher.ranking.features import Query
from matcher.ranking.ranker import PairRanker
from matcher.ranking.scoring import score_many
from matcher.ranking.state import MatchState, query_from_profile, query_from_row
from matcher.ranking.text_corpus import profile_texts

METHODS = ("product", "structure", "tfidf", "use", "zsum")


@dataclass(frozen=True)
class CaseState:
    """A state whose arrays hold the case profiles (and whose history lacks the case links)."""

    state: MatchState
    french_rows: np.ndarray  # row of each CaseSet.french
    foreign_rows: np.ndarray  # row of each CaseSet.foreign
    cases: CaseSet
    queries: tuple[Query, ...]  # per pair: its French side with the expertise told for that partner


def case_state(base: MatchState, cases: CaseSet, encoder: Encoder | None) -> CaseState:
    profiles = list(cases.french) + list(cases.foreign)
    vectors, _ = encode_once(encoder, profile_texts(profiles))
    arrays = put_profiles(base.arrays, profiles, vectors, base.countries)
    links = without_case_links(base.links, cases)
    st = MatchState.build(arrays, links, base.ranker, base.countries)
    rows = {p.id: arrays.row(p.id) for p in profiles}
    # A French authority with several partners told a different expertise for each: each pair's query is
    # that authority (its row: place, size, history) with the expertise of that pair.
    queries = tuple(
        query_from_profile(cases.french[f].with_changes(expertise=Facet(text=cases.pair_expertise[n])), arrays,
                           encoder=encoder, countries=base.countries)
        for n, (f, _) in enumerate(cases.pairs))
    return CaseState(state=st, french_rows=np.array([rows[p.id] for p in cases.french]),
                     foreign_rows=np.array([rows[p.id] for p in cases.foreign]), cases=cases, queries=queries)


@dataclass(frozen=True)
class PairQuery:
    pair: int  # index into cases.pairs
    french: int  # index into cases.french
    target: int  # index into cases.foreign
    candidates: np.ndarray  # indices into cases.foreign (target included, the french side's other partners not)


def pair_queries(cases: CaseSet) -> list[PairQuery]:
    out = []
    every = np.arange(len(cases.foreign))
    for n, (f, j) in enumerate(cases.pairs):
        others = set(cases.partners_of(f)) - {j}
        out.append(PairQuery(n, f, j, every[~np.isin(every, list(others))]))
    return out


#: What the thematic evaluation reports per method (``matcher.learning.metrics``, its tie rule).
HITS = (1, 5, 10)


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() + 1e-9)


def baseline_scores(cs: CaseState, q: PairQuery) -> dict[str, np.ndarray]:
    """Text-only scores of q's candidates: expertise (query) against needs (candidate)."""
    a = cs.state.arrays
    query = cs.queries[q.pair]
    assert query.lex["expertise"] is not None and query.emb["expertise"] is not None, "a case query has expertise"
    ct = a.text_row[cs.foreign_rows[q.candidates]]
    tfidf = np.asarray((a.lex["needs"][ct] @ query.lex["expertise"].T).toarray()).ravel()
    use = a.emb["needs"][ct] @ query.emb["expertise"]
    return {"tfidf": tfidf, "use": use, "zsum": _z(tfidf) + _z(use)}


def text_pairs(cs: CaseState, queries: Sequence[PairQuery]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, groups): every candidate of every query, the real partner as the positive."""
    st = cs.state
    items = [(cs.queries[q.pair], cs.foreign_rows[q.candidates]) for q in queries]
    scored = score_many(st, items)
    X = np.vstack([s.X for s in scored])
    y = np.concatenate([(q.candidates == q.target).astype(int) for q in queries])
    g = np.concatenate([np.full(len(q.candidates), q.french) for q in queries])
    return X, y, g


def reverse_pairs(cs: CaseState, queries: Sequence[PairQuery]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The same pairs seen from the foreign side, for learning (the text model is two-way: my needs against
    your expertise too): each foreign partner (its needs) ranks the cases' French authorities (their
    expertise), its other French partners left out. (X, y, groups, offsets): rows of query i are
    ``offsets[i]:offsets[i + 1]``."""
    st, cases = cs.state, cs.cases
    every = np.arange(len(cases.french))
    items, ys, gs = [], [], []
    for q in queries:
        others = {f for f, j in cases.pairs if j == q.target and f != q.french}
        cand = every[~np.isin(every, list(others))]
        items.append((query_from_row(st.arrays, int(cs.foreign_rows[q.target])), cs.french_rows[cand]))
        ys.append((cand == q.french).astype(int))
        gs.append(np.full(len(cand), q.french))
    scored = score_many(st, items)
    offsets = np.cumsum([0] + [len(y) for y in ys])
    return np.vstack([x.X for x in scored]), np.concatenate(ys), np.concatenate(gs), offsets


def _two_way(cs: CaseState, queries: Sequence[PairQuery]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Forward and reverse labelled rows of ``queries``, each with its per-query offsets."""
    X, y, g = text_pairs(cs, queries)
    return [(X, y, g, np.cumsum([0] + [len(q.candidates) for q in queries])), reverse_pairs(cs, queries)]


def _rows_of(parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], picked: Sequence[int]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Xs, ys, gs = [], [], []
    for X, y, g, off in parts:
        sel = np.concatenate([np.arange(off[i], off[i + 1]) for i in picked])
        Xs.append(X[sel])
        ys.append(y[sel])
        gs.append(g[sel])
    return np.vstack(Xs), np.concatenate(ys), np.concatenate(gs)


def _pair_key(cs: CaseState, q: PairQuery) -> tuple[str, str]:
    return cs.cases.french[q.french].id, cs.cases.foreign[q.target].id


def folds(cs: CaseState, queries: Sequence[PairQuery], k: int) -> Iterator[tuple[list[int], list[int]]]:
    groups = [cs.cases.groups[q.french] for q in queries]
    for tr, te in GroupKFold(n_splits=k).split(np.arange(len(queries)), groups=groups):
        yield list(tr), list(te)


def with_text_weights(ranker: PairRanker, X: np.ndarray, y: np.ndarray, g: np.ndarray) -> PairRanker:
    """A copy of ``ranker`` whose text weights are learned on (X, y); the original is untouched."""
    return copy.deepcopy(ranker).fit_text(X, y, g)


def without_text_weights(ranker: PairRanker) -> PairRanker:
    """A copy scoring with structure alone (text weights 0)."""
    return ranker.without_text()


def evaluate(cs: CaseState, *, k: int = 5, also: Sequence[CaseState] = (), progress: bool = True,
             calibration: bool = False) -> Any:
    """Grouped K-fold: (method -> metrics, the learned text weights of each fold). ``also``: other
    variants of the same cases (the translated needs) whose training-fold pairs are learned from too;
    the test pairs are always ``cs``'s. ``calibration``: also (held-out logits, labels) of every test
    query's candidates under its fold's model less the stated preferences' part, for ``PairRanker.fit_calibration``."""
    assert cs.state.ranker is not None
    queries = pair_queries(cs.cases)
    parts = _two_way(cs, queries)
    X, offsets = parts[0][0], parts[0][3]
    # Other variants may hold a subset of the pairs (the translations cover the first file only): their
    # pairs are matched to ``cs``'s by (French id, partner id), and a pair of theirs trains a fold exactly
    # when ``cs``'s same pair does.
    at = {_pair_key(cs, q): i for i, q in enumerate(queries)}
    also_parts: list[tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], list[int]]] = []
    for o in also:
        oq = pair_queries(o.cases)
        also_parts.append((_two_way(o, oq), [at.get(_pair_key(o, q), -1) for q in oq]))
    ranks = Table(hits=HITS)
    fold_weights = []
    held_logits: list[np.ndarray] = []
    held_labels: list[np.ndarray] = []
    structure = without_text_weights(cs.state.ranker)
    it = folds(cs, queries, k)
    for tr, te in tqdm(it, total=k, desc="thematic folds", unit="fold", disable=not progress):
        train = set(tr)
        chunks = [_rows_of(parts, tr)] + [
            _rows_of(op, [j for j, i in enumerate(mapped) if i in train]) for op, mapped in also_parts]
        model = with_text_weights(structure, np.vstack([c[0] for c in chunks]), np.concatenate([c[1] for c in chunks]),
                                  np.concatenate([c[2] for c in chunks]))
        fold_weights.append(model.text_fit_)
        for i in te:
            q = queries[i]
            Xq = X[offsets[i]:offsets[i + 1]]
            target = int(np.flatnonzero(q.candidates == q.target)[0])
            logits = model.decision_function(Xq)
            ranks.add("product", placement(logits, [target]))
            held_logits.append(logits - model.preference_prior(Xq))  # what a calibration learns: no preference
            held_labels.append((q.candidates == q.target).astype(int))
            ranks.add("structure", placement(structure.decision_function(Xq), [target]))
            for m, s in baseline_scores(cs, q).items():
                ranks.add(m, placement(s, [target]))
    metrics = {m: ranks.as_dict()[m] for m in METHODS}
    if calibration:
        return metrics, fold_weights, (np.concatenate(held_logits), np.concatenate(held_labels))
    return metrics, fold_weights


def fit_on_cases(ranker: PairRanker, variants: Sequence[CaseState],
                 extra: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> PairRanker:
    """``ranker`` with its text model learned on every pair of every variant of the cases (scored by
    ``ranker``), plus ``extra`` labelled pairs (staff decisions on profiles with text)."""
    parts = []
    for cs in variants:
        queries = pair_queries(cs.cases)
        parts.append(_rows_of(_two_way(replace(cs, state=replace(cs.state, ranker=ranker)), queries),
                              range(len(queries))))
    if extra is not None and len(extra[1]):
        parts.append(extra)
    return without_text_weights(ranker).fit_text(np.vstack([p[0] for p in parts]),
                                                 np.concatenate([p[1] for p in parts]),
                                                 np.concatenate([p[2] for p in parts]))


def format_table(results: dict[str, dict[str, float]], title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"{'method':<12}{'queries':>8}{'HR@1':>8}{'HR@5':>8}{'HR@10':>8}{'MRR':>8}")
    for m, r in results.items():
        lines.append(f"{m:<12}{int(r['queries']):>8}{r['HR@1']:>8.3f}{r['HR@5']:>8.3f}{r['HR@10']:>8.3f}"
                     f"{r['MRR']:>8.3f}")
    base = {m: r["HR@5"] for m, r in results.items() if m in ("tfidf", "use", "zsum")}
    if base and "product" in results:
        best = max(base, key=lambda m: base[m])
        lines.append(f"product HR@5 {results['product']['HR@5']:.3f} vs best text-only baseline "
                     f"({best}) {base[best]:.3f}")
    return "\n".join(lines)


__all__ = ["CaseState", "case_state", "evaluate", "fit_on_cases", "format_table", "pair_queries"]
