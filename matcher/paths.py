"""Repository-relative default locations (the project runs from a checkout; see README)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DB = DATA_DIR / "twinmatch.db"
MODELS_DIR = REPO_ROOT / "models"


def default_db() -> Path:
    """``$TWINMATCH_DB`` if set, else ``data/twinmatch.db``."""
    return Path(os.environ.get("TWINMATCH_DB") or DEFAULT_DB)
