"""The HTTP edge of twinmatch (FastAPI). ``service.app.create_app`` builds the application;
``twinmatch serve`` (``service.cli``) runs it with uvicorn. Nothing heavy happens at import time."""
