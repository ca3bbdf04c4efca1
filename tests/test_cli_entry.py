"""The ``twinmatch`` console script: ``service.cli:main``, the core's commands plus ``serve``; the
dependency is one-way (service imports matcher, matcher never names service), so each side imports alone."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib

import pytest
from click.testing import CliRunner

from matcher.paths import REPO_ROOT


@pytest.mark.parametrize("module", ["service.cli", "matcher.cli"])
def test_each_cli_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    p = subprocess.run([sys.executable, "-c", f"import {module}"], check=False, cwd=REPO_ROOT,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_the_console_script_is_the_service_entry() -> None:
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["twinmatch"] == "service.cli:main"


def test_twinmatch_is_the_core_commands_plus_serve() -> None:
    from matcher.cli import cli as core
    from service.cli import cli

    assert "serve" not in core.commands
    assert set(cli.commands) == {*core.commands, "serve"}
    assert all(cli.commands[name] is cmd for name, cmd in core.commands.items())
    out = CliRunner().invoke(cli, ["--help"])
    assert out.exit_code == 0 and "serve" in out.output and "match" in out.output


def test_matcher_never_names_the_service() -> None:
    """No import of ``service`` in matcher, and no module path of it in a string (``importlib``)."""
    offenders = []
    for path in sorted((REPO_ROOT / "matcher").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value] if node.value.startswith("service.") else []
            offenders += [f"{path.relative_to(REPO_ROOT)}: {n}" for n in names if n.split(".")[0] == "service"]
    assert offenders == []


def test_the_script_reports_a_usage_error_without_a_traceback() -> None:
    p = subprocess.run([sys.executable, "-c", "from service.cli import main; main()", "no-such-command"],
                       check=False, cwd=REPO_ROOT, capture_output=True, text=True)
    assert p.returncode == 2 and "No such command" in p.stderr and "Traceback" not in p.stderr, p.stderr
