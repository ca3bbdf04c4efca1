"""How small a foreign town the catalogue should keep: link resolution gained vs latency and memory.

For each threshold (``--thresholds``, GeoNames population), builds the catalogue into a scratch
directory (``twinmatch data build --min-population T``, from the same pinned packages as the real build),
then, in a fresh process, opens its database, loads the matcher with the committed ranker and times
``--n`` single top-10 queries. Prints one row per threshold: foreign towns, shared twinning pairs resolved
on both sides, load time, p50/p99 latency and the process's peak RSS (VmHWM). Usage::

    .venv/bin/python benchmarks/town_threshold.py [--thresholds 500 1000 2000 5000] [--n 150]

Takes about 2 minutes per threshold (the build ~40 s, the database and matcher load the rest).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT

PROBE = r"""
import json, sys, time
from pathlib import Path
import numpy as np
sys.path.insert(0, sys.argv[3])
from matcher.ranking.loading import load_matcher
from matcher.store.sqlite import SQLiteStore
out = Path(sys.argv[1]); n = int(sys.argv[2])
t = time.perf_counter()
store = SQLiteStore.open(out / "twinmatch.db", out)
matcher, report = load_matcher(store, encoder=None, ranker_path=Path(sys.argv[3]) / "models" / "ranker.joblib")
load_s = time.perf_counter() - t
a = matcher.ranking.state.arrays
rows = np.random.default_rng(0).choice(a.n, size=n + 10, replace=False)
profiles = [store.get(str(a.ids[r])) for r in rows]
for p in profiles[:10]:
    matcher.recommend(p, k=10)
lat = []
for p in profiles[10:]:
    t = time.perf_counter()
    matcher.recommend(p, k=10)
    lat.append((time.perf_counter() - t) * 1000)
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"authorities": a.n, "load_s": load_s, "p50": float(np.percentile(lat, 50)),
                  "p99": float(np.percentile(lat, 99)), "peak_mib": hwm / 1024}))
"""


def foreign_towns(authorities: Path) -> int:
    with gzip.open(authorities, "rt", encoding="utf-8") as f:
        return sum(1 for row in csv.DictReader(f) if row["level"] == "town" and row["id"].startswith("GN-"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--thresholds", type=int, nargs="+", default=[500, 1000, 2000, 5000])
    ap.add_argument("--n", type=int, default=150, help="Timed queries per threshold.")
    ap.add_argument("--work", type=Path, default=None, help="Scratch directory (default: a new temporary one).")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="twinmatch-towns-"))
    twinmatch = str(Path(sys.executable).with_name("twinmatch"))
    print(f"{'min pop':>8} {'foreign towns':>14} {'pairs resolved':>15} {'load s':>7} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'peak RSS MiB':>13}", flush=True)
    for t in args.thresholds:
        out = work / str(t)
        out.mkdir(parents=True, exist_ok=True)
        subprocess.run([twinmatch, "data", "build", "--out", str(out), "--min-population", str(t), "--quiet"],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        overall = json.loads((out / "link_report.json").read_text("utf-8"))["overall"]
        probe = subprocess.run([sys.executable, "-c", PROBE, str(out), str(args.n), str(ROOT)], check=True,
                               capture_output=True, text=True, cwd=ROOT)
        m = json.loads(probe.stdout.strip().splitlines()[-1])
        print(f"{t:>8,} {foreign_towns(out / 'authorities.csv.gz'):>14,} "
              f"{overall['share_resolved_both']:>14.1%} {m['load_s']:>7.1f} {m['p50']:>7.1f} {m['p99']:>7.1f} "
              f"{m['peak_mib']:>13,.0f}", flush=True)


if __name__ == "__main__":
    main()
