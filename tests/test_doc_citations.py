"""The repository explains itself: code and docs cite only documents inside the repository.

The formulas and protocols the code relies on are written down in docs/ (method.md,
variance.md, collection.md) and ARCHITECTURE.md. A citation of a background note that is not
in the repository (by its file name or a path under a shared folder) sends the next
maintainer nowhere, so it fails here; so does a citation of a docs/ page or section that does
not exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("survey", "scoring", "api", "tests", "bench", "docs", "fixtures")
TOP_FILES = ("README.md", "ARCHITECTURE.md", "pyproject.toml", "setup.py")
SUFFIXES = {".py", ".md", ".R", ".j2", ".html", ".toml", ".yaml", ".yml", ".txt", ".cfg", ".ini"}
SKIP_PARTS = {"node_modules", "__pycache__", "vendor", ".venv", "build", "dist"}
# Background notes that live outside the repository (assembled so this file does not match).
OUTSIDE = re.compile(
    r"\b(?:papi-method|statistics|collection-protocol|architecture)\.md\b"
    r"|\bshared/(?:docs|data)\b"
    # the project's issue tracker and its session notes are not in the repository either
    # (an upstream project's issues are named with the project: "getodk/web-forms issues 877")
    r"|\b[Ii]ssue #?\d+\b|\bH\d+'s\b"
)
# A section citation: docs/<page>.md "Heading" or docs/<page>.md, "Heading".
SECTION = re.compile(r"\b(docs/[\w-]+\.md|ARCHITECTURE\.md),? [(\"]*\"([^\"\n]+)\"")
PAGE = re.compile(r"\bdocs/([\w-]+\.md)\b")


def scanned_files() -> list[Path]:
    out = [ROOT / name for name in TOP_FILES if (ROOT / name).is_file()]
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_file() and path.suffix in SUFFIXES and not SKIP_PARTS & set(rel.parts):
                out.append(path)
    return out


def headings(page: Path) -> set[str]:
    """The page's headings without their numbering ("## 2. Give each ..." -> "Give each ...")."""
    text = page.read_text(encoding="utf-8")
    found = re.finditer(r"^#+ (?:\d+\. )?(.+)$", text, flags=re.M)
    return {m.group(1).strip() for m in found}


def has_section(page: Path, section: str) -> bool:
    """A citation may shorten a heading to its start ("What the form checks")."""
    return any(h.startswith(section) for h in headings(page))


def test_the_scan_sees_the_code_and_the_docs() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in scanned_files()}
    assert {"scoring/index/levels.py", "docs/method.md", "README.md", "ARCHITECTURE.md"} <= names


def test_nothing_cites_a_document_outside_the_repository() -> None:
    hits = []
    for path in scanned_files():
        if path == Path(__file__):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not hits, (
        "citations of documents that are not in the repository; write what the code relies on "
        "into docs/ and cite that:\n" + "\n".join(hits)
    )


def test_cited_docs_pages_and_sections_exist() -> None:
    missing = []
    for path in scanned_files():
        text = path.read_text(encoding="utf-8")
        if path == Path(__file__):
            continue
        for page in PAGE.findall(text):
            if not (ROOT / "docs" / page).is_file():
                missing.append(f"{path.relative_to(ROOT)}: docs/{page}")
        for page, section in SECTION.findall(text):
            target = ROOT / page
            if target.is_file() and not has_section(target, section):
                missing.append(f'{path.relative_to(ROOT)}: {page} "{section}"')
    assert not missing, "cited but not there:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    "line",
    [
        "Arithmetic (papi-method.md §2): r = 1 + 9 (x - L)/(U - L)",
        "see shared/docs/collection-protocol.md",
        "copies of shared/data/papi-published/",
        'Replicate means (statistics.md, "Replicate weights")',
        "as decided in issue 7",
        "Issue 18's target is 100 ms",
        "H1's formula",
    ],
)
def test_the_check_catches_an_outside_citation(line: str) -> None:
    assert OUTSIDE.search(line)


def test_the_section_check_reads_citations() -> None:
    found = SECTION.findall('Rule (docs/method.md "Performance groups", checked on ...)')
    assert found == [("docs/method.md", "Performance groups")]
    assert has_section(ROOT / "docs" / "method.md", "Performance groups")
    assert not has_section(ROOT / "docs" / "method.md", "Performance groupings")
