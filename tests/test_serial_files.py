"""The Makefile's second run (``SERIAL_TESTS``) names every test file marked ``serial``: a file marked but
not listed would run in neither of make test's two runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_serial_file_is_in_the_makefiles_list() -> None:
    found = re.search(r"^SERIAL_TESTS := (.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert found, "the Makefile names its serial files in SERIAL_TESTS"
    listed = set(found.group(1).split())
    marked = {f"tests/{p.name}" for p in (ROOT / "tests").glob("test_*.py")
              if re.search(r"^pytestmark = pytest\.mark\.serial", p.read_text(encoding="utf-8"), re.MULTILINE)}
    assert marked and marked == listed
