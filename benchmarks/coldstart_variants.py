"""Cold start: which one-sided model? Prints HR@10/50/100 of the real (silent) partner among the silent
candidates, on the same grouped folds as ``twinmatch evaluate --task coldstart``, for several ways of
learning the one-sided model (negatives: random only or random + the structural model's best; β learned
or fixed), beside structure alone.

    python benchmarks/coldstart_variants.py [--ranker models/ranker.joblib] [--folds 5]
"""

from __future__ import annotations

import argparse
import copy
from dataclasses import replace
from pathlib import Path

import numpy as np
from _common import coldstart_world
from sklearn.model_selection import GroupKFold

from matcher.domain import CONTINENTS, Filters
from matcher.learning.coldstart import _writer, fold_state, one_sided_pairs
from matcher.learning.metrics import Placement, Table, placement
from matcher.ranking.scoring import rank
from matcher.ranking.state import eligible_rows, query_from_profile

VARIANTS = {  # name -> (hard negatives, fixed β or None)
    "random, beta learned": (0, None),
    "random, beta 1": (0, 1.0),
    "hard, beta 1": (50, 1.0),
    "random, beta 0.5": (0, 0.5),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranker", type=Path, default=Path("models/ranker.joblib"))
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    store, base, catalogue, pairs, memo = coldstart_world(args.ranker)
    ranks = Table(hits=(10, 50, 100))
    for fold, (tr, te) in enumerate(GroupKFold(n_splits=args.folds).split(np.arange(len(pairs)),
                                                                          groups=[p.group for p in pairs])):
        data = {h: one_sided_pairs(base, catalogue, pairs, tr, memo, seed=fold, hard=h) for h in (0, 50)}
        models = {}
        for name, (h, beta) in VARIANTS.items():
            r = copy.deepcopy(base.ranker)
            r.one_sided_structure = beta  # (a hyperparameter; the artifact may predate it)
            models[name] = r.fit_one_sided(*data[h])
        st = fold_state(base, catalogue, pairs, tr, te, memo)
        a = st.arrays
        for i in te:
            p = pairs[i]
            fr, fo = a.row(p.french_id), a.row(p.foreign_id)
            if fr is None or fo is None:
                continue
            c = a.country_continent[a.country[fo]]
            for direction, qid, target, text, f in (
                    ("french/continent", p.french_id, fo, {"expertise": p.expertise},
                     Filters(continents=(CONTINENTS[int(c)],)) if c >= 0 else Filters()),
                    ("foreign/all", p.foreign_id, fr, {"needs": p.needs}, Filters())):
                writer = _writer(catalogue[qid], **text)
                q = query_from_profile(writer, a, encoder=memo, countries=st.countries)
                cand = eligible_rows(st, q, writer, f)
                silent = cand[(a.text_row[cand] < 0) | (cand == target)]
                q0 = query_from_profile(_writer(catalogue[qid]), a, encoder=memo, countries=st.countries)
                runs = {"structure alone": (q0, base.ranker)} | {n: (q, m) for n, m in models.items()}
                for name, (qq, r) in runs.items():
                    sc = rank(replace(st, ranker=r), qq, silent)
                    hit = np.flatnonzero(sc.rows == target)
                    ranks.add(f"{direction} | {name}", placement(sc.logits, hit[:1]) if len(hit) else Placement(missed=1))
        print(f"fold {fold + 1} done", flush=True)
    print(f"{'setting | model':<48}{'n':>5}{'HR@10':>8}{'HR@50':>8}{'HR@100':>8}")
    for key, r in sorted(ranks.as_dict().items()):
        print(f"{key:<48}{int(r['queries']):>5}{r['HR@10']:>8.3f}{r['HR@50']:>8.3f}{r['HR@100']:>8.3f}")
    store.close()


if __name__ == "__main__":
    main()
