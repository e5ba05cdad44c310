"""Every third-party import is declared in pyproject.toml (deptry).

- ``survey/``, ``scoring/`` and ``api/`` may import only ``[project] dependencies``: an import of
  a package that arrives only through another package (or only through the dev extra) would
  work on the machine it was written on and fail on a user's fresh install.
- ``tests/`` and ``bench/`` may import anything declared, in ``[project] dependencies`` or in
  an extra (``dev``, ``bench``).

The configuration lives in ``[tool.deptry]`` of pyproject.toml; deptry maps import names to
distributions through the installed packages' metadata, so it checks the same environment
the tests run in.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def deptry(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deptry", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def report(res: subprocess.CompletedProcess[str]) -> str:
    return ANSI.sub("", res.stdout + res.stderr)


def test_the_library_imports_only_its_declared_runtime_dependencies() -> None:
    res = deptry("survey", "scoring", "api")
    assert res.returncode == 0, "undeclared or dev-only imports in the library:\n" + report(res)


def test_tests_and_benchmarks_import_only_declared_packages() -> None:
    # DEP002 (declared but unused) and DEP004 (dev dependency used) are about the library, not
    # about the test code; the local helper modules of some test folders are first-party.
    res = deptry(
        "tests",
        "bench",
        "--exclude",
        r"(^|/)(\.venv|venv|node_modules|build|dist)/",
        "--ignore",
        "DEP002,DEP004",
        *(
            arg
            for name in ("survey", "scoring", "api", "tests", "sim_helpers")
            for arg in ("--known-first-party", name)
        ),
    )
    assert res.returncode == 0, "undeclared imports in tests/ or bench/:\n" + report(res)


def test_the_checker_catches_an_undeclared_import(tmp_path: Path) -> None:
    """deptry really fails on an import nobody declared (guards against a silent no-op)."""
    pkg = tmp_path / "scoring"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("import jsonschema\nimport numpy\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    res = subprocess.run(
        [sys.executable, "-m", "deptry", "scoring"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    out = report(res)
    assert res.returncode != 0
    assert "DEP004 'jsonschema'" in out, out
