"""The import direction of ARCHITECTURE.md: survey <- scoring <- api.

`survey` imports neither `scoring` nor `api`; `scoring` never imports `api`; neither
imports FastAPI, Starlette, SQLAlchemy, Alembic, uvicorn or psycopg. Checked on the AST of
every module, so a lazy import inside a function is caught too.
"""

from __future__ import annotations

import ast
import re
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


# --------------------------------------------------------------------------- inside api/
# The layers of api/ (ARCHITECTURE.md "Layers"): routes -> services -> repositories;
# the CLI calls services; a package never reaches into another resource's repository;
# routes neither commit (the request's unit of work does) nor check permissions (services
# do); repositories return rows or domain records, never the API's pydantic models.

API = ROOT / "api"


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, by dotted name, also lazily inside a function; ``from
    api.x import repository`` counts as importing ``api.x.repository``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    mods: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods.add(node.module)
            mods.update(f"{node.module}.{alias.name}" for alias in node.names)
    return mods


def is_route_module(path: Path) -> bool:
    return path.name == "routes.py" or path.name.endswith("_routes.py")


def resource_of(path: Path, root: Path = API) -> str | None:
    """The package of ``api`` a module belongs to (``surveys`` for api/surveys/service.py),
    None for a module at the root of ``api``."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else None


def repositories(mods: set[str]) -> set[str]:
    return {m for m in mods if m.startswith("api.") and m.split(".")[-1] == "repository"}


def layer_violations(root: Path) -> list[str]:
    """Route and CLI modules that import a repository, modules that import another
    package's repository, and modules below the CLI that import it (only the entry point
    ``api/__main__.py`` may)."""
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent)
        mods = imported_modules(path)
        if resource_of(path, root) != "cli" and path.name != "__main__.py":
            cli = sorted(m for m in mods if m == "api.cli" or m.startswith("api.cli."))
            if cli:
                out.append(f"{rel}: imports the CLI {cli[:1]}; the CLI calls it, not back")
        repos = repositories(mods)
        if repos and is_route_module(path):
            out.append(f"{rel}: a route imports {sorted(repos)}; call a service")
        if repos and resource_of(path, root) == "cli":
            out.append(f"{rel}: a command imports {sorted(repos)}; call a service")
        own = resource_of(path, root)
        foreign = sorted(r for r in repos if r.split(".")[1] != own)
        if foreign:
            out.append(f"{rel}: reaches into {foreign}; call that package's service")
    return out


def _calls(path: Path) -> list[tuple[int, str]]:
    """``(line, name)`` of every call: ``f(...)`` gives ``f``, ``x.f(...)`` gives ``.f``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                found.append((node.lineno, "." + node.func.attr))
            elif isinstance(node.func, ast.Name):
                found.append((node.lineno, node.func.id))
    return found


def route_violations(root: Path) -> list[str]:
    """Route modules that commit or roll back a transaction, or check a permission."""
    out = []
    for path in sorted(p for p in root.rglob("*.py") if is_route_module(p)):
        rel = path.relative_to(root.parent)
        for line, name in _calls(path):
            if name in (".commit", ".rollback"):
                out.append(f"{rel}:{line}: a route calls {name}(); the unit of work commits")
            if name in ("authorize", ".authorize"):
                out.append(f"{rel}:{line}: a route checks a permission; services do")
    return out


def console_violations(root: Path) -> list[str]:
    """Modules of ``api/console/`` (views, routes, ``*_routes.py``, the page builders) that
    check a permission themselves: the console calls the services that check it (a "show
    this link?" question goes to ``api.auth.service.allowed``)."""
    out = []
    for path in sorted((root / "console").rglob("*.py")):
        rel = path.relative_to(root.parent)
        for line, name in _calls(path):
            if name in ("authorize", ".authorize"):
                out.append(f"{rel}:{line}: the console checks a permission; call a service")
        if "api.auth.service.authorize" in imported_modules(path):
            out.append(f"{rel}: the console imports authorize; call a service")
    return out


def api_models(root: Path) -> set[str]:
    """The names of the pydantic models of every ``schemas.py`` (subclasses of BaseModel,
    directly or through another model of the same module)."""
    models: set[str] = set()
    for path in sorted(root.rglob("schemas.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        local = {"BaseModel"}
        changed = True
        while changed:
            changed = False
            for cls in classes:
                bases = {b.id for b in cls.bases if isinstance(b, ast.Name)}
                if cls.name not in local and bases & local:
                    local.add(cls.name)
                    changed = True
        models |= local - {"BaseModel"}
    return models


def repository_violations(root: Path) -> list[str]:
    """Repository functions whose return annotation names an API model."""
    models = api_models(root)
    out = []
    for path in sorted(root.rglob("repository.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
                names = {n.id for n in ast.walk(node.returns) if isinstance(n, ast.Name)}
                names |= {n.attr for n in ast.walk(node.returns) if isinstance(n, ast.Attribute)}
                if isinstance(node.returns, ast.Constant) and isinstance(node.returns.value, str):
                    names |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", node.returns.value))
                bad = sorted(names & models)
                if bad:
                    rel = path.relative_to(root.parent)
                    out.append(f"{rel}:{node.lineno} {node.name} returns the API model {bad}")
    return out


def test_api_layers_routes_and_cli_call_services_and_no_package_reaches_across() -> None:
    assert (API / "cli" / "main.py").is_file()
    violations = layer_violations(API)
    assert not violations, "\n".join(violations)


def test_routes_never_commit_nor_check_permissions() -> None:
    assert any(is_route_module(p) for p in API.rglob("*.py"))
    violations = route_violations(API)
    assert not violations, "\n".join(violations)


def test_the_console_never_checks_a_permission_itself() -> None:
    assert (API / "console" / "views.py").is_file()
    violations = console_violations(API)
    assert not violations, "\n".join(violations)


def test_console_checker_catches_a_permission_check(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "console/views.py": "def page(caller):\n    auth.authorize(caller, 1)\n",
            "console/scores_routes.py": "from api.auth.service import authorize\n",
            "console/explorer.py": "def f(caller):\n    return allowed(caller, 1)\n",
            "surveys/service.py": "def get(caller):\n    authorize(caller, 1)\n",
        },
    )
    found = "\n".join(console_violations(root))
    assert "api/console/views.py:2: the console checks a permission" in found
    assert "api/console/scores_routes.py: the console imports authorize" in found
    assert "explorer.py" not in found and "service.py" not in found


def test_repositories_return_rows_or_domain_records_not_api_models() -> None:
    assert {"SurveyOut", "JobOut", "TokenOut", "QuestionnaireOut"} <= api_models(API)
    violations = repository_violations(API)
    assert not violations, "\n".join(violations)


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "api"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_layer_checker_catches_each_violation(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "jobs/routes.py": "from api.jobs import repository\n",
            "jobs/service.py": "from api.jobs import repository\n",  # allowed: own service
            "cli/survey.py": "def f():\n    from api.surveys.repository import list_ids\n",
            "exports/service.py": "import api.submissions.repository\n",
            "surveys/service.py": "from api.surveys import repository\n",  # allowed
            "demo.py": "def f():\n    from api.cli.score import write_outputs\n",
            "__main__.py": "from api.cli.main import main\n",  # allowed: the entry point
        },
    )
    found = "\n".join(layer_violations(root))
    assert "api/demo.py: imports the CLI ['api.cli.score']" in found
    assert "__main__" not in found
    assert "api/jobs/routes.py: a route imports ['api.jobs.repository']" in found
    assert "api/cli/survey.py: a command imports ['api.surveys.repository']" in found
    assert "api/exports/service.py: reaches into ['api.submissions.repository']" in found
    assert "jobs/service.py" not in found and "surveys/service.py" not in found


def test_route_checker_catches_a_commit_and_a_permission_check(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "jobs/routes.py": "def start(uow):\n    uow.commit()\n",
            "openrosa/attachment_routes.py": "def f(s):\n    s.rollback()\n",
            "surveys/routes.py": "def get(caller):\n    authorize(caller, 1)\n",
            "surveys/service.py": "def get(caller, uow):\n    authorize(caller, 1)\n",
        },
    )
    found = "\n".join(route_violations(root))
    assert "api/jobs/routes.py:2: a route calls .commit()" in found
    assert "api/openrosa/attachment_routes.py:2: a route calls .rollback()" in found
    assert "api/surveys/routes.py:2: a route checks a permission" in found
    assert "service.py" not in found


def test_repository_checker_catches_an_api_model(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "jobs/schemas.py": (
                "from pydantic import BaseModel\n"
                "class JobOut(BaseModel): ...\n"
                "class JobWithResult(JobOut): ...\n"
                "class JobStatus: ...\n"
            ),
            "jobs/repository.py": (
                "def get(s) -> 'JobOut | None': ...\n"
                "def all(s) -> list[JobWithResult]: ...\n"
                "def status(s) -> JobStatus: ...\n"
            ),
        },
    )
    assert api_models(root) == {"JobOut", "JobWithResult"}
    found = repository_violations(root)
    assert [f.split(" ")[1] for f in found] == ["get", "all"]


# ------------------------------------------------------------------ one process cache
# What a worker keeps between requests lives in api.process_cache.ProcessCache (bounded,
# keyed by the database, emptied by clear_all; ARCHITECTURE.md "Layers"): no module keeps
# its own dict of results, and no function of a database session is memoised.

CONTAINERS = {"dict", "OrderedDict", "defaultdict", "list", "set", "deque", "WeakValueDictionary"}
CACHE_DECORATORS = {"cache", "lru_cache"}


def _is_empty_container(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Dict | ast.List | ast.Set):
        return not (value.keys if isinstance(value, ast.Dict) else value.elts)
    if isinstance(value, ast.Call) and not value.args and not value.keywords:
        func = value.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in CONTAINERS
    return False


def cache_violations(root: Path) -> list[str]:
    """Module-level containers that start empty (a hand-made cache or registry filled at run
    time) outside ``process_cache.py``, and ``functools.cache``/``lru_cache`` on a function
    that takes a session (memoised data of one database, never invalidated)."""
    out = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "process_cache.py" or "migrations" in path.parts:
            continue
        rel = path.relative_to(root.parent)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and _is_empty_container(node.value):
                out.append(f"{rel}:{node.lineno}: a module-level cache; use ProcessCache")
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = {a.arg for a in [*node.args.args, *node.args.kwonlyargs]}
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
                if name in CACHE_DECORATORS and params & {"session", "db", "uow"}:
                    out.append(
                        f"{rel}:{node.lineno}: {node.name} memoises database data; use ProcessCache"
                    )
    return out


def test_workers_keep_state_only_in_the_process_cache() -> None:
    assert (API / "process_cache.py").is_file()
    violations = cache_violations(API)
    assert not violations, "\n".join(violations)


def test_cache_checker_catches_a_hand_made_cache(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "console/whatif.py": (
                "from collections import OrderedDict\n"
                "_results: OrderedDict[str, int] = OrderedDict()\n"
                "_frames = {}\n"
                "NAMES = {'a': 1}\n"  # a constant table: allowed
                "def f():\n    seen = {}\n"  # a local: allowed
            ),
            "console/views.py": (
                "import functools\n"
                "@functools.cache\ndef names(): ...\n"  # bundled data: allowed
                "@functools.lru_cache(maxsize=8)\ndef survey(session, pk): ...\n"
            ),
            "process_cache.py": "_ALL = []\n",
        },
    )
    found = cache_violations(root)
    assert [f.split(":")[:2] for f in found] == [
        ["api/console/views.py", "5"],
        ["api/console/whatif.py", "2"],
        ["api/console/whatif.py", "3"],
    ]


# ------------------------------------------------------------------ the layout of survey/
# survey/ shows its subsystems (ARCHITECTURE.md "Layers"): a folder each, whose __init__
# names its public face; the root keeps only what every subsystem shares.

SURVEY_ROOT_MODULES = {"__init__", "errors", "rng", "extras", "datafiles", "published", "places"}


def layout_violations(package: Path, root_modules: set[str]) -> list[str]:
    """Modules at the package's root beyond ``root_modules``, and subpackages whose
    ``__init__`` lacks a docstring or an ``__all__``."""
    out = [
        f"{package.name}/{p.name}: a module at the root; put it in its subsystem's folder"
        for p in sorted(package.glob("*.py"))
        if p.stem not in root_modules
    ]
    for init in sorted(package.glob("*/__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"), filename=str(init))
        names = {
            t.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        if ast.get_docstring(tree) is None or "__all__" not in names:
            out.append(f"{init.parent.name}/__init__.py: name the public face (docstring, __all__)")
    return out


def test_survey_shows_its_subsystems() -> None:
    assert {"questionnaire", "conditions", "validation", "forms", "respondents"} <= {
        p.parent.name for p in (ROOT / "survey").glob("*/__init__.py")
    }
    violations = layout_violations(ROOT / "survey", SURVEY_ROOT_MODULES)
    assert not violations, "\n".join(violations)


def test_layout_checker_catches_a_flat_module_and_a_faceless_package(tmp_path: Path) -> None:
    pkg = tmp_path / "survey"
    for name, text in {
        "__init__.py": '"""kernel"""\n__all__ = []\n',
        "errors.py": "",
        "tabular.py": "",
        "forms/__init__.py": '"""forms"""\n__all__ = ["to_xform"]\n',
        "conditions/__init__.py": "from x import y\n",
    }.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text)
    assert layout_violations(pkg, SURVEY_ROOT_MODULES) == [
        "survey/tabular.py: a module at the root; put it in its subsystem's folder",
        "conditions/__init__.py: name the public face (docstring, __all__)",
    ]


# ------------------------------------------------------- generic HTTP plumbing is generic
# The middleware, the error handlers, request parsing and the unit of work know no family of
# routes: OpenRosa registers its error renderer for its URL prefix in api/app.py.

GENERIC_HTTP = ("http.py", "body_limit.py", "problems.py", "unit_of_work.py", "gc_tuning.py")


def special_case_violations(root: Path) -> list[str]:
    out = []
    for name in GENERIC_HTTP:
        path = root / name
        text = path.read_text(encoding="utf-8")
        if any(m.startswith("api.openrosa") for m in imported_modules(path)):
            out.append(f"{name} imports api.openrosa; register a renderer in api/app.py")
        if re.search(r"/v1/key|/submission\b|x-openrosa", text, flags=re.I):
            out.append(f"{name} names OpenRosa's URLs or headers")
    return out


def test_generic_http_plumbing_knows_no_openrosa() -> None:
    assert all((API / name).is_file() for name in GENERIC_HTTP)
    violations = special_case_violations(API)
    assert not violations, "\n".join(violations)


def test_special_case_checker_catches_an_openrosa_branch(tmp_path: Path) -> None:
    root = _package(tmp_path, dict.fromkeys(GENERIC_HTTP, ""))
    (root / "body_limit.py").write_text(
        "from api.openrosa.envelope import render\n"
        "def limit(path):\n    return path.startswith('/v1/key/')\n"
    )
    assert special_case_violations(root) == [
        "body_limit.py imports api.openrosa; register a renderer in api/app.py",
        "body_limit.py names OpenRosa's URLs or headers",
    ]
