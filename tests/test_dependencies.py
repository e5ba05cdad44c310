"""Every third-party import is declared in pyproject.toml (deptry), in the install that has it.

- ``survey/`` and ``scoring/`` (the library) may import only ``[project] dependencies``, the
  core install (``pip install papi-engine``): deptry runs on them with every extra counted as
  development-only. pyxform and openpyxl (the ``[odk]`` extra) are allowed there only inside
  functions, after ``survey.extras.require`` names the extra (checked with ``ast``).
- ``api/`` may import the core and the ``[server]``, ``[odk]`` and ``[report]`` extras; an
  import of a package that arrives only through another package (or only through the dev
  extra) would work on the machine it was written on and fail on a user's fresh install.
- ``tests/`` and ``bench/`` may import anything declared, in ``[project] dependencies`` or in
  an extra (``dev``, ``bench``).

The configuration lives in ``[tool.deptry]`` of pyproject.toml; deptry maps import names to
distributions through the installed packages' metadata, so it checks the same environment
the tests run in.
"""

from __future__ import annotations

import ast
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


LIBRARY = ("survey", "scoring")
# Every extra is development-only for the library: survey/ and scoring/ get the core alone.
CORE_ONLY = ("--optional-dependencies-dev-groups", "dev,bench,server,odk,report")
# The [odk] packages the library may import lazily, behind survey.extras.require.
LAZY_ODK = ("pyxform", "openpyxl")
CORE_IGNORES = ("--per-rule-ignores", f"DEP002=pyarrow,DEP004={'|'.join(LAZY_ODK)}")


def test_the_application_imports_only_declared_runtime_dependencies() -> None:
    """api/ (with the library, so that no core dependency looks unused): core and extras."""
    res = deptry("survey", "scoring", "api")
    assert res.returncode == 0, "undeclared or dev-only imports in the package:\n" + report(res)


def test_the_library_imports_only_the_core_dependencies() -> None:
    res = deptry(*LIBRARY, *CORE_ONLY, *CORE_IGNORES)
    assert res.returncode == 0, (
        "survey/ or scoring/ import a package the core install (pip install papi-engine) "
        "does not have; move the import into api/, or into a function behind "
        "survey.extras.require:\n" + report(res)
    )


def module_level_imports(tree: ast.Module) -> set[str]:
    """Top-level names imported when the module is imported (not inside a function)."""
    out: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
        stack.extend(ast.iter_child_nodes(node))
    return out


def lazy_imports_without_guard(tree: ast.Module, packages: tuple[str, ...]) -> list[int]:
    """Lines of functions that import one of ``packages`` without calling ``require`` first."""
    bad = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        guarded = False
        for node in fn.body:
            if isinstance(node, ast.Expr) and "require(" in ast.unparse(node):
                guarded = True
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n.split(".")[0] in packages for n in names) and not guarded:
                bad.append(node.lineno)
    return bad


def test_the_library_imports_odk_packages_only_lazily_behind_the_extra_check() -> None:
    problems = []
    for top in LIBRARY:
        for path in sorted((ROOT / top).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            rel = path.relative_to(ROOT)
            eager = module_level_imports(tree) & {*LAZY_ODK, "fastapi", "sqlalchemy", "api"}
            if eager:
                problems.append(f"{rel}: imports {sorted(eager)} at import time")
            problems += [
                f"{rel}:{n}: no require()" for n in lazy_imports_without_guard(tree, LAZY_ODK)
            ]
    assert not problems, "\n".join(problems)


def test_the_import_checks_catch_an_eager_or_unguarded_import() -> None:
    eager = ast.parse(
        "import os\nif True:\n    from pyxform import x\ndef f():\n    import openpyxl\n"
    )
    assert module_level_imports(eager) == {"os", "pyxform"}
    assert lazy_imports_without_guard(eager, LAZY_ODK) == [5]
    guarded = ast.parse("def f():\n    require('x', 'odk', 'openpyxl')\n    import openpyxl\n")
    assert lazy_imports_without_guard(guarded, LAZY_ODK) == []


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
            for name in ("survey", "scoring", "api", "tests", "bench", "sim_helpers")
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


def test_the_core_check_catches_a_server_import_in_the_library(tmp_path: Path) -> None:
    """An import of an extra's package (fastapi) in scoring/ fails the core-only run."""
    pkg = tmp_path / "scoring"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("import fastapi\nimport numpy\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    res = subprocess.run(
        [sys.executable, "-m", "deptry", "scoring", *CORE_ONLY, *CORE_IGNORES],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    out = report(res)
    assert res.returncode != 0
    assert "DEP004 'fastapi'" in out, out
