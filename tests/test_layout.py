"""The layout is the map (issue N): packages by concern, small modules, no import cycle, every module importable
alone, one Earth radius. Read from the source files (AST), so a regression names the module that broke it."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("matcher", "service")
MAX_LINES = 400
MAX_TOP_LEVEL = 10


def _modules() -> Iterator[tuple[str, Path]]:
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


MODULES = dict(_modules())


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path) -> set[str]:
    """The project modules ``path`` imports anywhere (inside functions too: an import moved into a function to
    dodge a cycle is still a cycle), except under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text("utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for n in names:
            while n and n not in MODULES:
                n = n.rpartition(".")[0]
            if n and n.split(".")[0] in PACKAGES:
                out.add(n)
    return out


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        deps = _imports(path)
        # importing a.b.c runs a/__init__ and a/b/__init__ too; a package's own __init__ is not a dependency of
        # its submodules in the sense of a cycle we can fix, so only real module edges are kept.
        graph[name] = {d for d in deps if d != name and not name.startswith(d + ".")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for v in sorted(graph):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)  # other tests in this worker rely on the default (a JSON depth bound)
    return out


def test_the_cycle_finder_finds_a_known_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_over_400_lines(name: str) -> None:
    lines = len(MODULES[name].read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)}: {lines} lines"


def test_matcher_shows_its_packages() -> None:
    top = sorted(p.name for p in (ROOT / "matcher").glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TOP_LEVEL, top


def test_one_earth_radius() -> None:
    radius = "63" + "71"  # written apart so that this file does not hold it
    found = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
                   if not {".venv", ".venv-tools"} & set(p.parts) and radius in p.read_text("utf-8", errors="replace"))
    assert found == ["matcher/geo.py"], found


#: Run in a fresh interpreter: the third-party libraries are imported once, then each project module is
#: imported in a forked child that holds none of the project (an import-order dependency between project
#: modules shows there, at a fraction of the cost of one interpreter per module).
_ALONE = """
import importlib, os, sys, traceback
for lib in ("numpy", "scipy.sparse", "scipy.special", "sklearn.linear_model", "sklearn.isotonic", "pydantic",
            "fastapi", "starlette", "jinja2", "click", "babel", "openpyxl", "icalendar", "cachetools"):
    importlib.import_module(lib)
assert not [m for m in sys.modules if m.split(".")[0] in ("matcher", "service")]
failed = []
for name in sys.argv[1:]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            importlib.import_module(name)
            code = 0
        except BaseException:
            os.write(w, traceback.format_exc().strip().splitlines()[-1].encode()[:500])
            code = 1
        os._exit(code)
    os.close(w)
    message = os.read(r, 600).decode()
    os.close(r)
    if os.waitpid(pid, 0)[1]:
        failed.append(name + ": " + message)
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


@pytest.mark.slow
def test_every_module_imports_alone() -> None:
    """Each project module imported first, alone (see ``_ALONE``)."""
    r = subprocess.run([sys.executable, "-c", _ALONE, *sorted(MODULES)], cwd=ROOT, capture_output=True, text=True,
                       check=False, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr[-2000:]


def test_the_import_harness_reports_a_module_that_fails() -> None:
    r = subprocess.run([sys.executable, "-c", _ALONE, "matcher.domain", "matcher.no_such_module"], cwd=ROOT,
                       capture_output=True, text=True, check=False, timeout=300)
    assert r.returncode == 1 and r.stdout.strip() == (
        "matcher.no_such_module: ModuleNotFoundError: No module named 'matcher.no_such_module'")
