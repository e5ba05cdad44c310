"""No import loops between the parts of survey/, scoring/ and api/ (ARCHITECTURE.md, "Layers").

The graph has one node per module (a package's ``__init__`` is the package's node) and an
edge for every import in the module's AST: at module level, inside functions and under
``TYPE_CHECKING`` alike (a type-only import is still a dependency a reader must follow),
with relative imports resolved and ``from package import module`` pointing at the module.

A cycle is allowed only when every module in it lies inside the same subpackage
(``survey.questionnaire``, ``scoring.design``, ``api.db`` …): a subsystem may be one
knot, but two subsystems, or a subsystem and a top-level module, never depend on each
other both ways. A module directly under a top-level package (``survey.errors``,
``api.http``) belongs to no subpackage, so no cycle may run through it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("survey", "scoring", "api")

# Loops allowed although they cross a subpackage, each named exactly as its modules. None:
# the last two (api.commands.sample <-> api.commands.survey, api.db.engine <-> api.db.group_commit)
# went with the api layers (ARCHITECTURE.md). Adding one needs a reason written beside it.
ALLOWED_CYCLES: frozenset[frozenset[str]] = frozenset()


def modules(root: Path, packages: Iterable[str]) -> dict[str, tuple[Path, bool]]:
    """Every module's dotted name -> (file, is it a package ``__init__``)."""
    found: dict[str, tuple[Path, bool]] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            found[name] = (path, is_package)
    return found


def _owner(name: str, known: Mapping[str, object]) -> str | None:
    """The module that ``name`` (a module, or a name defined in one) lives in."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, set[str]]:
    """Module -> the modules of ``packages`` it imports (anywhere in its file)."""
    mods = modules(root, packages)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, (path, is_package) in mods.items():
        here = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                # `from pkg import mod` imports the module pkg.mod, `from mod import name` mod
                targets = [f"{source}.{alias.name}" for alias in node.names] or [source]
            for target in targets:
                owner = _owner(target, mods)
                if owner is not None and owner != name:
                    graph[name].add(owner)
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def subpackage(module: str, packages: Mapping[str, tuple[Path, bool]]) -> str | None:
    """``survey.questionnaire`` for ``survey.questionnaire.schema`` (and for the package
    itself); ``None`` for a module directly under a top-level package."""
    parts = module.split(".")
    if len(parts) < 2:
        return None
    candidate = ".".join(parts[:2])
    is_package = candidate in packages and packages[candidate][1]
    return candidate if is_package else None


def forbidden_cycles(root: Path, packages: Iterable[str]) -> list[list[str]]:
    """The loops that cross a subpackage's border and are not allowed by name."""
    mods = modules(root, packages)
    bad = []
    for cycle in cycles(import_graph(root, packages)):
        homes = {subpackage(m, mods) for m in cycle}
        inside_one = len(homes) == 1 and None not in homes
        if not inside_one and frozenset(cycle) not in ALLOWED_CYCLES:
            bad.append(cycle)
    return bad


def test_no_import_loop_crosses_a_subpackage() -> None:
    bad = forbidden_cycles(ROOT, PACKAGES)
    assert not bad, "import loops across subpackages (break each by moving the shared part "
    "down a layer):\n" + "\n".join(" <-> ".join(c) for c in bad)


def test_the_allow_list_names_only_loops_that_exist() -> None:
    found = {frozenset(c) for c in cycles(import_graph(ROOT, PACKAGES))}
    stale = [sorted(c) for c in ALLOWED_CYCLES if c not in found]
    assert not stale, f"these allowed loops are gone; delete them from ALLOWED_CYCLES: {stale}"


def _write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_checker_catches_a_loop_between_subpackages(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/errors.py": "",
            "pkg/a/__init__.py": "from pkg.a.one import f\n",
            # a lazy import inside a function, and a relative one, are edges too
            "pkg/a/one.py": "def f():\n    from ..b import two\n    return two\n",
            "pkg/a/inner.py": "from . import one\n",
            "pkg/b/__init__.py": "",
            "pkg/b/two.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a.one import f\n"
            ),
            # a loop inside one subpackage is allowed
            "pkg/b/three.py": "from pkg.b import four\n",
            "pkg/b/four.py": "import pkg.b.three\n",
            # a loop through a top-level module is not
            "pkg/c/__init__.py": "from pkg.errors import *\n",
            "pkg/c/five.py": "from pkg.errors import x\n",
        },
    )
    (tmp_path / "pkg/errors.py").write_text("def g():\n    import pkg.c.five\n")
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["pkg.a.one"] == {"pkg.b.two"}
    assert graph["pkg.a.inner"] == {"pkg.a.one"}
    assert graph["pkg.b.two"] == {"pkg.a.one"}
    assert cycles(graph) == [
        ["pkg.a.one", "pkg.b.two"],
        ["pkg.b.four", "pkg.b.three"],
        ["pkg.c.five", "pkg.errors"],
    ]
    assert forbidden_cycles(tmp_path, ["pkg"]) == [
        ["pkg.a.one", "pkg.b.two"],
        ["pkg.c.five", "pkg.errors"],
    ]
