"""The languages the service speaks: one definition for the API (``?lang=``, ``Accept-Language``), the
schemas and the web pages."""

from __future__ import annotations

from typing import Literal

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
