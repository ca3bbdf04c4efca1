"""The tests are a toolkit, and stay one (issue N, point 4), by a scan of the syntax trees of ``tests/``:

* no module imports a test module (``test_*``) or ``conftest``: shared helpers live in ``tests/support/``,
  shared fixtures in ``conftest.py`` and the plugins it registers; only ``conftest.py`` sets ``pytest_plugins``;
* nothing heavy runs when a module is imported (collected): no process, thread or server started, no app
  entered, no database or model built at module level — directly, or through a function of the same module
  called there. That belongs in a fixture.

Each rule is checked on sources that break it (the scan finds them) and on the real tree (it finds nothing)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

#: Calls that start something or build something heavy: by the called name's last part.
HEAVY = frozenset({
    # processes and threads
    "Popen", "run", "call", "check_call", "check_output", "system", "fork", "Process", "Pool",
    "ProcessPoolExecutor", "ThreadPoolExecutor", "Thread", "start",
    # servers, apps entered, the toolkit's own starters
    "Server", "serve", "serve_in_thread", "wait_ready", "wait_until", "TestClient", "PgServer", "new_database",
    # databases, worlds and models built
    "make_settings", "tiny_database", "write_tiny_data", "make_data_dir", "open_store", "open", "connect",
    "save_ranker", "load_ranker", "synthetic_ranker", "three_model_ranker", "fit", "load_matcher",
    "SentenceTransformerEncoder",
})
#: ``open`` of a file for reading is light, but is caught by name; these receivers are known to be light.
LIGHT_RECEIVERS = frozenset({"SchemathesisConfig"})


def _called_name(call: ast.Call) -> tuple[str, str]:
    """(the called name's last part, its receiver's name or "")."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id, ""
    if isinstance(func, ast.Attribute):
        receiver = func.value
        while isinstance(receiver, ast.Attribute):
            receiver = receiver.value
        return func.attr, receiver.id if isinstance(receiver, ast.Name) else ""
    return "", ""


def _import_time_nodes(tree: ast.Module) -> list[ast.AST]:
    """The statements run when the module is imported: the module's, class bodies', decorators and default
    values; not function bodies, nor a script's ``if __name__ == "__main__":`` block."""
    out: list[ast.AST] = []
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        stmt = todo.pop()
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out += [*stmt.decorator_list, *stmt.args.defaults, *(d for d in stmt.args.kw_defaults if d)]
        elif isinstance(stmt, ast.ClassDef):
            out += [*stmt.decorator_list, *stmt.bases]
            todo += stmt.body
        elif isinstance(stmt, ast.If) and ast.unparse(stmt.test) == "__name__ == '__main__'":
            todo += stmt.orelse  # a script's body runs when it is run, not when it is imported
        else:
            out.append(stmt)
    return out


def heavy_calls_at_import(source: str) -> list[str]:
    """The heavy calls (``HEAVY``) made when a module of this source is imported, with their lines."""
    tree = ast.parse(source)
    functions = {s.name: s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    found: list[str] = []
    seen: set[str] = set()
    nodes = _import_time_nodes(tree)
    while nodes:
        node = nodes.pop()
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            name, receiver = _called_name(call)
            if name in HEAVY and receiver not in LIGHT_RECEIVERS:
                found.append(f"line {call.lineno}: {ast.unparse(call.func)}()")
            elif not receiver and name in functions and name not in seen:  # the module's own function, run now
                seen.add(name)
                nodes += functions[name].body
    return sorted(found)


def imports_of_tests(source: str, *, is_conftest: bool = False) -> list[str]:
    """Imports of a test module or of ``conftest`` anywhere in the source, and ``pytest_plugins`` outside
    ``conftest.py`` (or naming a test module)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if node.module and not node.level else []
            for name in names:
                top = name.split(".")[-1] if name.startswith("tests.") else name.split(".")[0]
                if top == "conftest" or top.startswith("test_"):
                    found.append(f"line {node.lineno}: imports {name}")
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytest_plugins"
                                                for t in node.targets):
            plugins = [e.value for e in ast.walk(node.value) if isinstance(e, ast.Constant)]
            if not is_conftest:
                found.append(f"line {node.lineno}: pytest_plugins outside conftest.py")
            found += [f"line {node.lineno}: registers {p}" for p in plugins
                      if isinstance(p, str) and p.split(".")[-1].startswith("test_")]
    return found


def _sources() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "fixtures" not in p.relative_to(TESTS).parts)


@pytest.mark.parametrize(("source", "expected"), [
    ("from test_api_auth import A\n", ["line 1: imports test_api_auth"]),
    ("import test_store\n", ["line 1: imports test_store"]),
    ("def f():\n    from conftest import synthetic_ranker\n", ["line 2: imports conftest"]),
    ("from tests.test_web_pages import csrf\n", ["line 1: imports tests.test_web_pages"]),
    ('pytest_plugins = ["support.api"]\n', ["line 1: pytest_plugins outside conftest.py"]),
    ("from support.api import A\nimport testing_lib\nfrom .test_x import y\n", []),
])
def test_the_import_scan_finds_imports_of_test_modules(source: str, expected: list[str]) -> None:
    assert imports_of_tests(source) == expected


def test_the_import_scan_lets_conftest_register_plugins_but_not_test_modules() -> None:
    assert imports_of_tests('pytest_plugins = ["support.api", "support.pg"]\n', is_conftest=True) == []
    assert imports_of_tests('pytest_plugins = ["test_api_support"]\n', is_conftest=True) == [
        "line 1: registers test_api_support"]


@pytest.mark.parametrize(("source", "expected"), [
    ("import subprocess\nPROC = subprocess.Popen(['sleep', '9'])\n", ["line 2: subprocess.Popen()"]),
    ("import threading\nthreading.Thread(target=print).start()\n",
     ["line 2: threading.Thread()", "line 2: threading.Thread(target=print).start()"]),
    ("def _served():\n    return uvicorn.Server(config)\n\nBASE = _served()\n", ["line 2: uvicorn.Server()"]),
    ("class T:\n    client = TestClient(app)\n", ["line 2: TestClient()"]),
    ("@pytest.fixture\ndef served():\n    with serve_in_thread(app) as port:\n        yield port\n", []),
    ("RANKER = synthetic_ranker()\n", ["line 1: synthetic_ranker()"]),
    ("def f(x=make_settings(tmp, r)):\n    pass\n", ["line 1: make_settings()"]),
    ("CONFIG = SchemathesisConfig.from_path(ROOT / 'schemathesis.toml')\nX = {'a': 1}.get('a')\n", []),
    ("if __name__ == '__main__':\n    uvicorn.run(app)\nelse:\n    uvicorn.run(app)\n", ["line 4: uvicorn.run()"]),
])
def test_the_import_scan_finds_heavy_calls_at_module_level(source: str, expected: list[str]) -> None:
    assert heavy_calls_at_import(source) == expected


def test_no_test_module_imports_another_or_conftest() -> None:
    found = {str(p.relative_to(TESTS)): hits for p in _sources()
             if (hits := imports_of_tests(p.read_text(encoding="utf-8"), is_conftest=p.name == "conftest.py"))}
    assert found == {}, "shared helpers belong in tests/support/, shared fixtures in conftest.py"


def test_nothing_heavy_runs_when_a_test_module_is_imported() -> None:
    found = {str(p.relative_to(TESTS)): hits for p in _sources()
             if (hits := heavy_calls_at_import(p.read_text(encoding="utf-8")))}
    assert found == {}, "start servers, processes and worlds in fixtures, not at import"
