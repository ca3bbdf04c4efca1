"""The HTTP service's layers (read from the source, not run): the web pages and the API routes both call
the services layer (``service.services``), a page never imports a route, the services import neither
edge, and no module of ``service/`` is over 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from matcher.paths import REPO_ROOT

SERVICE = REPO_ROOT / "service"


def imported_modules(path: Path, package: str | None = None) -> set[str]:
    """Every module ``path`` (of ``package``: by default, its folder's) imports, absolute (``from . import x``
    resolved), with each imported name as a possible submodule (``from service import routes`` -> ``service``,
    ``service.routes``)."""
    if package is None:
        package = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts[:-1])
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


def importers_of(layer: str, target: str) -> list[str]:
    return [f"{p.relative_to(REPO_ROOT)}: {m}" for p in sorted((SERVICE / layer).rglob("*.py"))
            for m in sorted(imported_modules(p)) if m == target or m.startswith(target + ".")]


@pytest.mark.parametrize("form", ["import service.routes.trust", "from service.routes import trust",
                                  "from service import routes", "from ..routes.trust import verify",
                                  "from .. import routes", "def f():\n    from service.routes.trust import verify"])
def test_the_scan_sees_every_form_of_import(tmp_path: Path, form: str) -> None:
    probe = tmp_path / "page.py"
    probe.write_text(form + "\n")
    assert any(m.startswith("service.routes") for m in imported_modules(probe, "service.web")), form


def test_the_scan_tells_a_service_from_a_route(tmp_path: Path) -> None:
    probe = tmp_path / "page.py"
    probe.write_text("from service.services import trust\nfrom service import services\nfrom . import context\n")
    assert not any(m.startswith("service.routes") for m in imported_modules(probe, "service.web"))


def test_pages_never_import_a_route() -> None:
    assert importers_of("web", "service.routes") == []


@pytest.mark.parametrize("edge", ["service.routes", "service.web", "service.app"])
def test_the_services_import_neither_edge(edge: str) -> None:
    assert importers_of("services", edge) == []


def test_pages_and_routes_both_call_the_services() -> None:
    for layer in ("routes", "web"):
        assert importers_of(layer, "service.services"), layer


def test_no_module_of_the_service_is_over_400_lines() -> None:
    long = {str(p.relative_to(REPO_ROOT)): n for p in SERVICE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}
