"""Encoding: model throughput, and full encode of a rich-profile catalogue cold vs. warm cache.

The shipped catalogue has no free text (open data gives names, places and sizes, not needs), so the
"full catalogue" here is N synthetic rich profiles (3 texts each) stored in a temporary SQLite file;
the second pass must hit the embedding cache for every text. Usage: python benchmarks/encode.py [--n 1000]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import ROOT, SAMPLE_TEXTS, timer

from matcher.domain import Facet, Kind, Profile
from matcher.encoding import CachedEncoder, SentenceTransformerEncoder
from matcher.ranking.loading import encode_profile_texts
from matcher.ranking.text_corpus import profile_texts
from matcher.store.sqlite import SQLiteStore


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000, help="synthetic rich profiles")
    args = ap.parse_args()
    t = timer()
    enc = SentenceTransformerEncoder()
    print(f"model load: {timer() - t:.2f} s ({enc.model_id}, dim {enc.dim})")
    texts = [f"{SAMPLE_TEXTS[i % len(SAMPLE_TEXTS)]} (variante {i})" for i in range(512)]
    enc.encode(texts[:16])
    t = timer()
    enc.encode(texts)
    dt = timer() - t
    print(f"encode throughput: {len(texts) / dt:.0f} texts/s (batch of {len(texts)})")

    profiles = [
        Profile(id=f"U-{i:06d}", name=f"Synthetic {i}", kind=Kind.MUNICIPALITY, country="SN",
                description=f"{SAMPLE_TEXTS[(i + 1) % 8]} — profil {i}",
                expertise=Facet((), f"{SAMPLE_TEXTS[i % 8]} ({i})"),
                needs=Facet((), f"{SAMPLE_TEXTS[(i + 4) % 8]} [{i}]"))
        for i in range(args.n)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore.open(Path(tmp) / "bench.db", ROOT / "data")
        texts_by_key = profile_texts(profiles)
        cached = CachedEncoder(enc, store)
        t = timer()
        _, n1 = encode_profile_texts(store, cached, texts_by_key, progress=True)
        cold = timer() - t
        t = timer()
        _, n2 = encode_profile_texts(store, cached, texts_by_key)
        warm = timer() - t
        print(f"full encode of {len(texts_by_key)} texts ({args.n} profiles): cold {cold:.1f} s "
              f"({n1} encoded), warm cache {warm:.3f} s ({n2} encoded)")


if __name__ == "__main__":
    main()
