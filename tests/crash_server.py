"""A real server over a test world, for the crash test (tests/test_crash.py): the app of ``create_app``
with the small deterministic encoder, served by uvicorn on a port. Usage: python crash_server.py DB DATA RANKER PORT"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from matcher.encoding import HashingEncoder
from service.app import create_app
from service.http_protocols import HTTP_PROTOCOL
from service.settings import Settings

if __name__ == "__main__":
    db, data, ranker, port = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    limits = {f"rate_{r}": "100000/minute" for r in ("registration", "claim", "write", "upload", "auth_failure", "match")}
    settings = Settings(db=db, data_dir=data, ranker=ranker, background_load=False, **limits)  # type: ignore[arg-type]
    uvicorn.run(create_app(settings, encoder=HashingEncoder(dim=128)), host="127.0.0.1", port=port,
                log_level="warning", http=HTTP_PROTOCOL)
