"""``papi sensitivity`` end to end on the published 2023 scores (a small run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api.cli.sensitivity import register
from survey.errors import NotFound, PapiError, SpecError


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """papi (test)."""

    register(app)
    return app


def test_published_2023(app: typer.Typer, tmp_path: Path) -> None:
    out, plots = tmp_path / "out.json", tmp_path / "plots"
    args = ["sensitivity", "--published", "2023", "--runs", "300", "--sobol-n", "32"]
    res = CliRunner().invoke(app, [*args, "--out", str(out), "--plots", str(plots)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert doc["input"] == {"published": 2023} and doc["runs"] == 300
    assert len(doc["provinces"]) == 63
    hue = next(p for p in doc["provinces"] if p["province"] == "P31")
    assert hue["name"] == "Thua Thien Hue" and hue["nominal_rank"] == 1
    assert (plots / "rank_intervals.png").stat().st_size > 10_000
    assert (plots / "sobol.png").stat().st_size > 5_000


def test_spec_file(app: typer.Typer, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("weights: {noise: 0.1}\n")
    out = tmp_path / "o.json"
    res = CliRunner().invoke(
        app,
        ["sensitivity", "--published", "2019", "--runs", "50", "--sobol-n", "8", "--spec", str(spec),
         "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert doc["factors"] == ["weight_noise"] and doc["spec"]["weights"]["noise"] == 0.1


@pytest.mark.parametrize(
    ("args", "error", "text"),
    [
        (["--runs", "5"], PapiError, "exactly one"),
        (["--published", "2023", "--responses", "x.parquet"], PapiError, "exactly one"),
        (["--published", "2017"], NotFound, "2017"),
        (["--published", "2023", "--spec", "missing.yaml"], NotFound, "missing.yaml"),
    ],
)
def test_bad_input_fails_loudly(
    app: typer.Typer, tmp_path: Path, args: list[str], error: type, text: str
) -> None:
    res = CliRunner().invoke(app, ["sensitivity", *args, "--out", str(tmp_path / "o.json")])
    assert isinstance(res.exception, error) and text in str(res.exception)


def test_inapplicable_spec(app: typer.Typer, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("sampling_error: true\n")
    res = CliRunner().invoke(
        app, ["sensitivity", "--published", "2023", "--spec", str(spec), "--out", "o.json"]
    )
    assert isinstance(res.exception, SpecError)
    assert res.exception.problems[0].pointer == "/sampling_error"
