"""Which calibration makes the shown score true? Runs ``twinmatch evaluate --task coldstart`` once, keeps every
held-out shortlist (fold, direction, filter, method, logits, calibration groups, size offsets, labels), then
compares, cross-fitted over the same folds, ways to turn a list's logits into the probability it shows:

- A: Platt maps per model and side fitted on every list (filtered ones and the before-writing ones too);
- F/G/H: Platt maps fitted on the unfiltered lists, then a display map on the lists' ordering keys
  (isotonic; isotonic made strictly increasing — the shipped one; one more Platt map).

For each: HR@10/50 of the unfiltered product lists, held-out log loss, and the reliability per score band
(promised vs observed "1 in N"). The held-out lists are taken by wrapping two functions of
``matcher.learning.coldstart`` (``fold_state``, ``shortlist_of``) for the run.

    python benchmarks/score_calibration.py            (about 10 minutes on 2 cores)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from click.testing import CliRunner
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

import matcher.learning.coldstart as cs
from matcher.ranking.calibration import apply_display_map, apply_maps, fit_display_map, fit_maps
from matcher.ranking.features import query_wrote
from matcher.ranking.score_scale import reliability
from service.cli import cli


def capture() -> list[dict[str, Any]]:
    calls: list[tuple[int, bool, bool, cs.Shortlist]] = []
    fold = [-1]
    fold_state, shortlist_of = cs.fold_state, cs.shortlist_of

    def fs(*a: Any, **k: Any) -> Any:
        fold[0] += 1
        return fold_state(*a, **k)

    def sl_of(st: Any, q: Any, cand: Any, target: Any) -> cs.Shortlist:
        sl = shortlist_of(st, q, cand, target)
        calls.append((fold[0], bool(q.is_french), bool(query_wrote(q)), sl))
        return sl

    cs.fold_state, cs.shortlist_of = fs, sl_of  # type: ignore[assignment]
    try:
        CliRunner().invoke(cli, ["evaluate", "--task", "coldstart"], catch_exceptions=False)
    finally:
        cs.fold_state, cs.shortlist_of = fold_state, shortlist_of  # type: ignore[assignment]
    # Per pair: the French query's lists (after, before) without filter, then with the continent filter if
    # any, then the foreign query's (after, before): runs of one direction within a fold.
    rows, i = [], 0
    while i < len(calls):
        f, fr = calls[i][0], calls[i][1]
        j = i
        while j < len(calls) and calls[j][0] == f and calls[j][1] == fr and j - i < (4 if fr else 2):
            j += 1
        for t, (f2, fr2, wrote, sl) in enumerate(calls[i:j]):
            rows.append({"fold": f2, "direction": "french" if fr2 else "foreign",
                         "filter": "all" if t < 2 else "continent", "method": "product" if wrote else "structure",
                         "sl": sl})
        i = j
    return rows


class _Cal:
    def __init__(self, maps: dict[int, dict[str, float]]) -> None:
        self.maps = maps

    def calibrated_logit(self, logits: np.ndarray, groups: np.ndarray) -> np.ndarray:
        return apply_maps(self.maps, logits, groups)


def _final(keys: np.ndarray, y: np.ndarray, how: str) -> Callable[[np.ndarray], np.ndarray]:
    if how == "interp":  # the shipped display map
        display = fit_display_map(keys, y)
        return lambda k: expit(apply_display_map(display, k))
    if how == "iso":
        iso = IsotonicRegression(y_min=1e-6, y_max=1 - 1e-6, out_of_bounds="clip").fit(keys, y)
        return lambda k: iso.predict(k)
    lr = LogisticRegression(C=100.0, max_iter=1000).fit(keys[:, None], y)
    return lambda k: lr.predict_proba(np.asarray(k)[:, None])[:, 1]


def compare(rows: list[dict[str, Any]], name: str, train_on: Callable[[dict[str, Any]], bool],
            final: str | None) -> None:
    shown, labels, ranks = [], [], []
    for f in sorted({r["fold"] for r in rows}):
        train = [r["sl"] for r in rows if r["fold"] != f and train_on(r)]
        cal = _Cal(fit_maps(np.concatenate([s.logits for s in train]), np.concatenate([s.label for s in train]),
                            np.concatenate([s.modes for s in train])))
        fin = None
        if final:
            k = np.concatenate([cs.keys_under(s, cal) for s in train])  # type: ignore[arg-type]
            fin = _final(k, np.concatenate([s.label for s in train]), final)
        for r in rows:
            if r["fold"] != f or r["method"] != "product" or r["filter"] != "all":
                continue
            keys = cs.keys_under(r["sl"], cal)  # type: ignore[arg-type]
            shown.append(expit(keys) if fin is None else fin(keys))
            labels.append(r["sl"].label)
            hit = np.flatnonzero(r["sl"].label)
            ranks.append(1 + np.sum(keys > keys[hit[0]]) if len(hit) else np.inf)
    p, y, rk = np.concatenate(shown), np.concatenate(labels), np.array(ranks)
    loss = -np.mean(y * np.log(np.clip(p, 1e-9, 1)) + (1 - y) * np.log(np.clip(1 - p, 1e-9, 1)))
    print(f"== {name}: HR@10 {np.mean(rk <= 10):.3f}  HR@50 {np.mean(rk <= 50):.3f}  log loss {loss:.5f}")
    for b in reliability(p, y):
        promised = f"{1 / b['predicted']:.0f}" if b["predicted"] else "-"
        observed = f"{1 / b['observed']:.0f}" if b["observed"] else "-"
        print(f"   score {b['low']:>3}-{b['high']:<3} pairs {b['pairs']:>7} partners {b['partners']:>4}  "
              f"promised 1 in {promised:>6}  observed 1 in {observed:>6}")


def main() -> None:
    rows = capture()
    unfiltered = lambda r: r["filter"] == "all"
    compare(rows, "A: Platt, every list", lambda r: True, None)
    compare(rows, "F: Platt on unfiltered lists + isotonic", unfiltered, "iso")
    compare(rows, "G: Platt on unfiltered lists + display map (shipped)", unfiltered, "interp")
    compare(rows, "H: Platt on unfiltered lists + Platt on keys", unfiltered, "platt")


if __name__ == "__main__":
    main()
