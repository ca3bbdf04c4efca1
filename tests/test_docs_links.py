"""The documentation's relative links resolve, and the README stays a front door.

Every relative link or image of README.md, ARCHITECTURE.md and docs/*.md must name a file of the repository,
and a ``#fragment`` must name a heading of its target (GitHub's anchors). Links inside code blocks and
inline code are not links; absolute URLs are not checked (no network in the tests).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README_MAX_CHARS = 15_000

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def documents() -> list[Path]:
    return [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *sorted((ROOT / "docs").glob("*.md"))]


def _prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where brackets are not links."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def links(text: str) -> list[str]:
    return _LINK.findall(_prose(text))


def anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    for title in _HEADING.findall(_FENCE.sub("", text)):
        slug = re.sub(r"[^\w\- ]", "", title.replace("`", "").strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def broken_links(doc: Path) -> list[str]:
    """The relative links of ``doc`` that name no file, or no heading of their Markdown target."""
    bad = []
    text = doc.read_text(encoding="utf-8")
    for target in links(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:...
            continue
        path_part, _, fragment = target.partition("#")
        dest = (doc.parent / path_part).resolve() if path_part else doc
        if not dest.exists():
            bad.append(f"{target}: no such file")
        elif fragment and dest.suffix == ".md" and fragment not in anchors(dest.read_text(encoding="utf-8")):
            bad.append(f"{target}: no heading #{fragment} in {os.path.relpath(dest, doc.parent)}")
    return bad


@pytest.mark.parametrize("doc", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc: Path) -> None:
    assert broken_links(doc) == []


def test_the_checker_finds_a_missing_file_and_a_missing_heading(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Cold start: one side writes\n## Texts (thematic)\n", encoding="utf-8")
    doc = tmp_path / "doc.md"
    doc.write_text("[a](other.md#cold-start-one-side-writes) [b](other.md#texts-thematic) [c](missing.md)\n"
                   "![d](other.md#nowhere) [e](https://example.org/x) `[f](nope.md)`\n"
                   "```\n[g](nope.md)\n```\n", encoding="utf-8")
    assert broken_links(doc) == ["missing.md: no such file", "other.md#nowhere: no heading #nowhere in other.md"]


def test_anchors_number_repeated_headings() -> None:
    assert anchors("# Events\n## Events\n### PostgreSQL, replicas, crashes\n") == {
        "events", "events-1", "postgresql-replicas-crashes"}


def test_the_readme_is_a_front_door() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text) <= README_MAX_CHARS, f"README.md has {len(text)} characters (at most {README_MAX_CHARS})"
    # CI runs the README's test command (.ci/run: make test): the two commands stay in one block.
    assert ("```bash\nmake serve   # installs everything, loads the shipped catalogue, serves http://127.0.0.1:8000 "
            "(web app: /, API docs: /docs)\nmake test    # installs everything") in text
    for doc in ("ARCHITECTURE.md", "docs/benchmarks.md", "docs/operations.md", "docs/security.md"):
        assert f"]({doc})" in text, f"the README links {doc}"
