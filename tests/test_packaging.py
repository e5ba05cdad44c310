"""A wheel of papi-engine carries the data it reads at run time and works outside the checkout.

The package reads its questionnaires, the published scores and the sampling frame from the
checkout's ``fixtures/``; a wheel carries copies of them as ``survey/data/`` (setup.py's build
step, see survey/datafiles.py). Here a wheel is built from a copy of the build inputs (never
in the shared work tree) and installed into an isolated venv (no system or outer-venv
site-packages) together with its dependencies, pinned by the lock (``constraints.txt``), so
the test passes or fails the same from any venv, on any machine: nothing the test runner's
environment has installed is visible to the wheel. The installed ``papi`` then runs from a
scratch directory outside the repository.

The wheel is built with pip's build isolation (the build requirements, setuptools>=68 and
wheel, come from the configured package index like for ``pip install -e .``). The venv is
made by the standard library's ``venv`` with its own pip; pip's wheel cache makes the
dependency install cheap after the first run on a machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
BUILD_INPUTS = (
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "survey",
    "scoring",
    "api",
    "fixtures",
)
# The files survey/ reads at run time, relative to fixtures/ (survey.questionnaire.loader, survey.published,
# survey.sampling.sampling_frame): all but the build scripts and caches.
# every data file of fixtures/ except the worked examples of the docs (fixtures/examples/: a
# filled-in frame template that docs/pilot.md copies from the repository; nothing reads it)
EXPECTED_DATA = sorted(
    str(p.relative_to(FIXTURES))
    for p in FIXTURES.rglob("*")
    if p.is_file()
    and p.suffix not in {".py", ".pyc"}
    and "__pycache__" not in p.parts
    and p.relative_to(FIXTURES).parts[0] != "examples"
)
MAX_WHEEL_BYTES = 4 * 1024 * 1024  # about 1 MB today, most of it the frame's villages.parquet


def _ignore(directory: str, names: list[str]) -> set[str]:
    skip = {n for n in names if n == "__pycache__" or n.endswith(".pyc")}
    if Path(directory).name == "survey":
        skip.add("data")  # a stray local copy must not stand in for fixtures/
    return skip


def run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=_ignore)
        else:
            shutil.copy2(path, src / name)
    dist = base / "dist"
    res = run(
        [sys.executable, "-m", "pip", "wheel", src, "--no-deps", "-w", dist],
        cwd=base,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert res.returncode == 0, f"pip wheel failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    wheels = sorted(dist.glob("papi_engine-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def install(wheel: Path, extras: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An isolated venv with the wheel (with ``extras``, e.g. ``[server]``, or none) and its
    locked run-time dependencies installed."""
    env_dir = tmp_path_factory.mktemp("venv") / "venv"
    work = env_dir.parent
    base_python = getattr(sys, "_base_executable", sys.executable)
    res = run([base_python, "-m", "venv", env_dir], work, dict(os.environ))
    assert res.returncode == 0, res.stderr
    python = env_dir / "bin" / "python"
    res = run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "-c",
            ROOT / "constraints.txt",
            f"{wheel}{extras}",
        ],
        work,
        {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert res.returncode == 0, f"pip install failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return env_dir


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The application: the wheel with its ``[server]`` extra (which includes odk and report)."""
    return install(wheel, "[server]", tmp_path_factory)


@pytest.fixture(scope="module")
def core_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The library alone: ``pip install papi-engine`` with no extra."""
    return install(wheel, "", tmp_path_factory)


def clean_env(venv: Path, home: Path) -> dict[str, str]:
    """No PYTHONPATH, DATABASE_URL or PAPI_* from the caller; the venv's bin first on PATH."""
    return {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
    }


def test_wheel_carries_exactly_the_runtime_data(wheel: Path) -> None:
    size = wheel.stat().st_size
    assert size < MAX_WHEEL_BYTES, f"wheel is {size:,} bytes"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        data = sorted(n.removeprefix("survey/data/") for n in names if n.startswith("survey/data/"))
        missing = sorted(set(EXPECTED_DATA) - set(data))
        assert not missing, (
            f"the wheel lacks the run-time data {missing} (setup.py's build step copies them "
            "from fixtures/ into survey/data/)"
        )
        assert data == EXPECTED_DATA
        for rel in EXPECTED_DATA:
            assert zf.read(f"survey/data/{rel}") == (FIXTURES / rel).read_bytes(), rel
    tops = {n.split("/")[0] for n in names}
    assert tops == {"survey", "scoring", "api", "papi_engine-0.1.0.dist-info"}, tops
    assert not [n for n in names if "golden" in n or n.startswith("tests/")]
    for needed in (
        "api/alembic.ini",
        "api/reporting/templates/report.html.j2",
        "api/console/templates/base.html",
        "api/console/templates/progress_live.html",
        "api/console/static/console.js",
        "api/console/static/console.css",
    ):
        assert needed in names


def test_installed_wheel_runs_outside_the_checkout(venv: Path, tmp_path: Path) -> None:
    env = clean_env(venv, tmp_path)
    python = venv / "bin" / "python"
    res = run(
        [python, "-c", "import survey, survey.datafiles as d; print(survey.__file__, d.DATA_ROOT)"],
        tmp_path,
        env,
    )
    assert res.returncode == 0, res.stderr
    module, data_root = res.stdout.split()
    site = (venv / "lib").resolve()
    assert Path(module).resolve().is_relative_to(site), f"survey imported from {module}"
    assert Path(data_root).is_relative_to(site), data_root
    assert Path(data_root).name == "data"

    res = run([venv / "bin" / "papi", "questionnaire", "show", "papi-2021"], tmp_path, env)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    assert "SC11" in res.stdout

    res = run([venv / "bin" / "papi", "questionnaire", "validate", "papi-2018"], tmp_path, env)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]

    demo: list[str | Path] = [
        venv / "bin" / "papi",
        "demo",
        "--provinces",
        "P01,P31",
        "--respondents-per-village",
        "4",
        "--replicates",
        "20",
        "--runs",
        "20",
        "--out",
        "demo",
    ]
    res = run(demo, tmp_path, env)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    assert (tmp_path / "demo" / "report.html").stat().st_size > 0
    assert (tmp_path / "demo" / "scores" / "scores.json").is_file()


def test_installed_wheel_names_a_missing_data_file(venv: Path, tmp_path: Path) -> None:
    """Without its package data, the install says which file is missing and how to get it."""
    env = clean_env(venv, tmp_path)
    python = venv / "bin" / "python"
    res = run([python, "-c", "import survey.datafiles as d; print(d.DATA_ROOT)"], tmp_path, env)
    assert res.returncode == 0, res.stderr
    target = Path(res.stdout.strip()) / "published" / "subdimensions_2022.csv"
    hidden = target.with_suffix(".hidden")
    target.rename(hidden)
    try:
        code = "from survey.published import subdimensions; subdimensions(2022)"
        res = run([python, "-c", code], tmp_path, env)
    finally:
        hidden.rename(target)
    assert res.returncode != 0
    assert "subdimensions_2022.csv is missing from the installed package data" in res.stderr


# Run in the core venv: simulate four provinces, score them with Taylor and bootstrap CIs.
CORE_SESSION = """
import importlib.util, json
from survey.simulate import simulate
from scoring import score
sim = simulate(2023, rng=3, provinces=["P01", "P31", "P40", "P55"], interviews=6)
out = {}
for variance in ("taylor", "bootstrap"):
    s = score(sim.responses, "papi-2021", variance=variance, replicates=50, rng=1)
    c = s.composite.set_index("province")
    out[variance] = {p: [float(c.loc[p, k]) for k in ("lci", "est", "uci")] for p in c.index}
absent = ["fastapi", "sqlalchemy", "psycopg", "uvicorn", "pyxform", "alembic", "typer"]
out["installed"] = [m for m in absent if importlib.util.find_spec(m) is not None]
out["rows"] = len(sim.responses)
print(json.dumps(out))
"""


def test_core_install_simulates_and_scores_without_the_server(
    core_venv: Path, tmp_path: Path
) -> None:
    """``pip install papi-engine``: the library works, and none of the server stack is there."""
    env = clean_env(core_venv, tmp_path)
    res = run([core_venv / "bin" / "python", "-c", CORE_SESSION], tmp_path, env)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["installed"] == [], f"the core install pulled in {out['installed']}"
    # 6 interviews in each village: 6 districts x 2 communes x 2 villages in P01 (large), 3 x 2 x 2
    # in each of the three small provinces
    assert out["rows"] == 6 * (24 + 3 * 12)
    for ci in ("taylor", "bootstrap"):
        assert set(out[ci]) == {"P01", "P31", "P40", "P55", "VN"}
        for province, (lci, est, uci) in out[ci].items():
            assert 8 <= lci < est < uci <= 80, (ci, province, lci, est, uci)


@pytest.mark.parametrize(
    ("code", "extra"),
    [
        ("import api", "server"),
        ("import api.cli", "server"),
        (
            "from survey.forms.xform import to_xform; from survey.questionnaire.loader import load_questionnaire;"
            " to_xform(load_questionnaire('papi-2021'))",
            "odk",
        ),
        (
            "from survey.forms.xlsform import write_xlsform; from survey.questionnaire.loader import load_questionnaire;"
            " write_xlsform(load_questionnaire('papi-2021'))",
            "odk",
        ),
    ],
)
def test_core_install_names_the_missing_extra(
    core_venv: Path, tmp_path: Path, code: str, extra: str
) -> None:
    env = clean_env(core_venv, tmp_path)
    res = run([core_venv / "bin" / "python", "-c", code], tmp_path, env)
    assert res.returncode != 0
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("survey.extras.MissingExtra: papi-engine's "), res.stderr[-2000:]
    assert last.endswith(f"pip install 'papi-engine[{extra}]'"), last
    assert f"needs the [{extra}] extra" in last
