"""Shared set-up for the benchmark scripts: the real store, model and ranker."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

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
