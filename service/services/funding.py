"""The funding files the API and the funding pages answer from (``matcher.funding``)."""

from __future__ import annotations

from matcher.funding.data import FUNDING_DIR, FundingData, load_funding
from service.deps import Resources


def funding_data(res: Resources) -> FundingData:
    """The funding files beside the catalogue (``<data_dir>/funding``), else the repository's."""
    directory = res.settings.data_dir / "funding"
    return load_funding(directory if directory.is_dir() else FUNDING_DIR)
