"""`papi questionnaire validate|schema|show`: the exit codes through a real subprocess
(`python -m api`), the other outputs in-process with Typer's runner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from api.cli.questionnaire import register

ROOT = Path(__file__).resolve().parents[2]
MINI = Path(__file__).parent / "fixtures" / "mini.yaml"


def papi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", "questionnaire", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    doc = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    doc["items"][5]["relevant"] = "q999 == 1"
    doc["structure"]["dimensions"][0]["subdimensions"][0]["indicators"][0]["goalposts"] = [1, 1]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


EXPECTED = {
    ("unknown_item", "/items/5/relevant"),
    ("goalposts_equal", "/structure/dimensions/0/subdimensions/0/indicators/0/goalposts"),
}


def test_subprocess_validate_papi_2021_exits_0() -> None:
    result = papi("validate", "fixtures/questionnaires/papi-2021.yaml")
    assert result.returncode == 0, result.stderr
    assert "4-4-3-4-3-4-3-3" in result.stdout
    assert "28 sub-dimensions" in result.stdout


def test_subprocess_broken_copy_exits_1_with_located_errors(broken: Path) -> None:
    result = papi("validate", str(broken), "--json")
    assert result.returncode == 1, result.stderr
    errors = json.loads(result.stdout)["errors"]
    assert {(e["code"], e["pointer"]) for e in errors} == EXPECTED


@pytest.fixture(scope="module")
def run() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """papi (test)"""

    return app


def test_validate_table_lists_every_problem(run: CliRunner, app: typer.Typer, broken: Path) -> None:
    result = run.invoke(app, ["questionnaire", "validate", str(broken)], terminal_width=200)
    assert result.exit_code == 1
    for code, pointer in EXPECTED:
        assert code in result.output and pointer in result.output


def test_validate_json_summary(run: CliRunner, app: typer.Typer) -> None:
    result = run.invoke(app, ["questionnaire", "validate", str(MINI), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["valid"] is True
    assert (summary["k"], summary["items"], summary["indicators"]) == ([2, 1], 10, 4)


def test_schema_and_show(run: CliRunner, app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = run.invoke(app, ["questionnaire", "schema", str(MINI), "--out", str(out)])
    assert result.exit_code == 0, result.output
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["properties"]) >= {"d_sex", "q201"}

    result = run.invoke(app, ["questionnaire", "show", str(MINI)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "SC12_01 (checklist+)" in result.output and "L=1 U=0" in result.output

    result = run.invoke(app, ["questionnaire", "show", str(MINI), "--json"])
    assert json.loads(result.output)["id"] == "mini"
