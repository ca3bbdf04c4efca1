"""The core's commands. Thin: parses options, calls the core, prints.

Each command group lives in its own module and is registered here. Core errors (``MatcherError``)
become a clear message and an exit code in one place: ``run``. The ``twinmatch`` console script is
``service.cli:main``: these commands plus ``serve`` (the HTTP service's), so the dependency is one-way
(service imports matcher; matcher never names service).
"""

from __future__ import annotations

import importlib
import sys

import click

from matcher.errors import MatcherError

#: (module, attribute) of each command or group; a module that is missing is skipped, so the
#: command keeps working while parts are being built.
_COMMANDS = [
    ("matcher.cli.data_cmds", "data"),
    ("matcher.cli.catalogue_cmds", "catalogue"),
    ("matcher.cli.match_cmds", "match"),
    ("matcher.cli.model_cmds", "train"),
    ("matcher.cli.model_cmds", "evaluate"),
    ("matcher.cli.event_cmds", "event"),
    ("matcher.cli.cases_cmds", "cases"),
    ("matcher.cli.suggest_cmds", "suggest"),
    ("matcher.cli.keys_cmds", "keys"),
    ("matcher.cli.funding_cmds", "funding"),
    ("matcher.cli.funding_cmds", "consortium"),
]


@click.group()
@click.version_option(package_name="twinmatch")
def cli() -> None:
    """twinmatch: partner matching for decentralised cooperation between local authorities."""


for _module, _attr in _COMMANDS:
    try:
        cli.add_command(getattr(importlib.import_module(_module), _attr))
    except ModuleNotFoundError as exc:  # pragma: no cover - only while a part is absent
        if exc.name != _module:
            raise


def main() -> None:
    """The core's commands alone (``twinmatch`` itself is ``service.cli:main``, with ``serve``)."""
    run(cli)


def run(group: click.Group) -> None:
    """Run ``group``: MatcherError -> message on stderr and exit 2 for bad input, 1 otherwise."""
    try:
        group.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except MatcherError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(2 if exc.status in (400, 404, 409, 413, 422) else 1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
