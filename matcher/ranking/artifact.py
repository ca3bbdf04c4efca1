"""The ranker on disk: ``save_ranker`` writes it (joblib, with the library versions and the feature names it
was trained on, and a JSON sidecar of the same for people), ``load_ranker`` refuses one that this install
cannot trust (other scikit-learn, other artifact version, other features).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.utils.validation import check_is_fitted

from matcher.errors import ModelError
from matcher.ranking.features import FEATURES
from matcher.ranking.ranker import PairRanker

#: 2: text weights learned from cooperation cases, NaN = missing. 3: three models by who wrote what (the
#: one-sided model and the theme → geography prior), preferences outside every model, calibration.
ARTIFACT_VERSION = 3


def versions() -> dict[str, str]:
    """The versions an artifact saved now records (and ``load_ranker`` compares)."""
    import matcher

    return {"twinmatch": matcher.__version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "artifact": str(ARTIFACT_VERSION)}


def save_ranker(ranker: PairRanker, path: Path, metadata: Mapping[str, Any] | None = None) -> None:
    check_is_fitted(ranker, "model_")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    joblib.dump({"versions": versions(), "features": list(ranker.feature_names), "ranker": ranker,
                 "metadata": dict(metadata or {})}, tmp)
    tmp.replace(path)
    path.with_suffix(".json").write_text(json.dumps(
        {"versions": versions(), "features": list(ranker.feature_names), "metadata": dict(metadata or {})},
        indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load_ranker(path: Path) -> PairRanker:
    """Load a saved ranker; refuse one saved with other library versions or other features."""
    if not path.exists():
        raise ModelError(f"ranker artifact not found: {path} (run `twinmatch train`)")
    try:
        blob = joblib.load(path)
    except Exception as exc:
        raise ModelError(f"ranker artifact {path} is unreadable: {exc}") from exc
    saved = blob.get("versions", {}) if isinstance(blob, dict) else {}
    now = versions()
    for lib in ("scikit-learn", "artifact"):
        if saved.get(lib) != now[lib]:
            raise ModelError(f"ranker artifact {path} was saved with {lib} {saved.get(lib)}, "
                             f"this install has {now[lib]}: retrain with `twinmatch train`")
    if blob.get("features") != list(FEATURES):
        raise ModelError(f"ranker artifact {path} was trained on other features: retrain")
    ranker = blob["ranker"]
    check_is_fitted(ranker, "model_")
    return ranker
