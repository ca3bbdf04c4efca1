"""Cold start, French queries, partner's continent as filter, unnamed pairs: could the partner's *country* be
found? On the same grouped folds as ``twinmatch evaluate --task coldstart``, ranks the partner's country among
the countries of the candidates by each country-level signal the product has, and prints how often it is
first, in the first 3 and in the first 5. A list of 50 covers a few countries; the partner cannot be in it
when its country is not among them.

Signals: ``local`` (the query's neighbourhood's known links per country, ``history.source_weights``),
``national`` (the query's country's links per country, ``history.country_shares``), ``theme prior`` (the best
theme → geography prior value of the country's candidates), ``candidates`` (how many candidates the country
has: the baseline), ``combined`` (log local + log national + theme prior).

    python benchmarks/coldstart_countries.py [--ranker models/ranker.joblib] [--folds 5]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from _common import coldstart_world
from sklearn.model_selection import GroupKFold

from matcher.domain import CONTINENTS, Filters
from matcher.learning.coldstart import _writer, fold_state, named, query_groups
from matcher.ranking.features import text_features
from matcher.ranking.history import country_shares, source_weights
from matcher.ranking.scoring import prepared
from matcher.ranking.state import eligible_rows, query_from_profile


def country_rank(score: np.ndarray, countries: np.ndarray, target: int) -> float:
    """The target country's rank among ``countries`` by ``score`` (ties: the expected rank)."""
    s, t = score[countries], score[target]
    return float((s > t).sum() + 1 + 0.5 * ((s == t).sum() - 1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranker", type=Path, default=Path("models/ranker.joblib"))
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    store, base, catalogue, pairs, memo = coldstart_world(args.ranker)
    ranks: dict[str, list[float]] = {k: [] for k in ("local", "national", "theme prior", "candidates", "combined")}
    folds = GroupKFold(n_splits=args.folds).split(np.arange(len(pairs)), groups=query_groups(pairs, "french"))
    for tr, te in folds:
        st = fold_state(base, catalogue, pairs, tr, te, memo)
        a, h = st.arrays, st.history
        for i in te:
            p = pairs[i]
            fr, fo = a.row(p.french_id), a.row(p.foreign_id)
            if fr is None or fo is None:
                continue
            writer = _writer(catalogue[p.french_id], expertise=p.expertise)
            q = query_from_profile(writer, a, encoder=memo, countries=st.countries)
            if named(st, q, fo):
                continue
            q = prepared(st, q)
            continent = CONTINENTS[int(a.country_continent[a.country[fo]])]
            cand = eligible_rows(st, q, writer, Filters(continents=(continent,)))
            countries, target = np.unique(a.country[cand]), int(a.country[fo])
            w = source_weights(h, a, q_xyz=q.xyz, q_admin2=q.admin2, q_admin1=q.admin1, exclude_rows=(fr,))
            local = np.bincount(a.country[h.dst], weights=w, minlength=len(a.country_codes))
            national = country_shares(h, a, int(a.country[fr]), exclude_rows=(fr,)).country
            prior = np.full(len(a.country_codes), -np.inf)
            np.maximum.at(prior, a.country[cand], np.asarray(text_features(q, a, cand)["theme_geo"]))
            n_cand = np.bincount(a.country[cand], minlength=len(a.country_codes)).astype(float)
            combined = np.log(local + 1e-3) + np.log(national + 1e-4) + prior
            for name, score in (("local", local), ("national", national), ("theme prior", prior),
                                ("candidates", n_cand), ("combined", combined)):
                ranks[name].append(country_rank(score, countries, target))
    n = len(ranks["local"])
    print(f"French queries, partner's continent as filter, unnamed pairs: {n}")
    print(f"{'signal':12} {'first':>6} {'top 3':>6} {'top 5':>6} {'mean rank':>10}")
    for name, r in ranks.items():
        v = np.array(r)
        print(f"{name:12} {(v <= 1).sum():6d} {(v <= 3).sum():6d} {(v <= 5).sum():6d} {v.mean():10.2f}")
    store.close()


if __name__ == "__main__":
    main()
