"""The web app: server-rendered pages (Jinja2) for town halls, CNCD staff and fair organisers, French
first. Pages call the same code as the API (``matcher``, and the services layer ``service.services`` for writes)
through the same resources; every asset is served by the app (``service/static``)."""

from __future__ import annotations

from fastapi import APIRouter

from service.web.account import router as account_router
from service.web.fair_wishes import router as wishes_router
from service.web.fairs import router as fairs_router
from service.web.funding import router as funding_router
from service.web.joining import router as joining_router
from service.web.pages import router as pages_router
from service.web.paths import STATIC_DIR
from service.web.staff import router as staff_router
from service.web.staff_log import router as staff_log_router

router = APIRouter(include_in_schema=False)
for _router in (pages_router, account_router, joining_router, staff_router, staff_log_router, fairs_router,
                funding_router, wishes_router):
    router.include_router(_router)

__all__ = ["STATIC_DIR", "router"]
