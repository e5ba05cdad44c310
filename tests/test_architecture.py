"""The import direction of ARCHITECTURE.md: survey <- scoring <- api.

`survey` imports neither `scoring` nor `api`; `scoring` never imports `api`; neither
imports FastAPI, Starlette, SQLAlchemy, Alembic, uvicorn or psycopg. Checked on the AST of
every module, so a lazy import inside a function is caught too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB_OR_DB = {"fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "psycopg", "psycopg2"}
FORBIDDEN = {
    "survey": WEB_OR_DB | {"scoring", "api"},
    "scoring": WEB_OR_DB | {"api"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_direction(package: str) -> None:
    offenders = []
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"package {package} has no modules"
    for path in files:
        bad = imported_roots(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)


def test_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "m.py"
    bad.write_text("def f():\n    from sqlalchemy import select\n    import api.cli\n")
    assert imported_roots(bad) == {"sqlalchemy", "api"}
