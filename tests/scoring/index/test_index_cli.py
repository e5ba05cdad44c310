"""`papi score`: files written, table printed, JSON output, one-line errors and exit codes."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from api.cli.score import register
from scoring import IndexScores
from survey import load_questionnaire
from tests.scoring.index.simdata import simulate_responses

ROOT = Path(__file__).resolve().parents[3]
MINI = Path(__file__).resolve().parent / "fixtures" / "index-mini.yaml"


@pytest.fixture(scope="module")
def responses(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame = simulate_responses(load_questionnaire(MINI), provinces=4, districts=3, rng=11)
    path = tmp_path_factory.mktemp("cli") / "responses.parquet"
    frame.to_parquet(path)
    return path


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """papi (test)"""

    return app


def test_writes_every_level_and_prints_the_table(
    app: typer.Typer, responses: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scores"
    result = CliRunner().invoke(
        app,
        ["score", str(responses), "--questionnaire", str(MINI), "--out", str(out)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    for tier in ("indicators", "subdimensions", "dimensions", "composite"):
        frame = pd.read_csv(out / f"{tier}.csv")
        assert {"province", "est", "se", "lci", "uci", "deff", "rank", "group"} <= set(
            frame.columns
        )
        assert len(json.loads((out / f"{tier}.json").read_text())) == len(frame)
    scores = IndexScores.from_json((out / "scores.json").read_text())
    assert scores.method == "taylor" and scores.weighted is True
    assert "Hanoi" in result.output and "95% CI" in result.output
    # the seed used is printed and recorded (docs/glossary.md, "Random seeds")
    assert "seed 0" in result.output and scores.provenance is not None
    assert scores.provenance.seed == 0
    # four provinces are not Viet Nam: the pooled row says what it is
    assert "all respondents (pooled)" in result.output and "Viet Nam" not in result.output
    best = scores.composite.sort_values("rank").iloc[0]
    assert f"{best['est']:.2f}" in result.output
    # the design effect beside the CI (why a 3-district interval is wide)
    assert "deff" in result.output
    for rec in scores.composite.to_dict("records"):
        line = next(x for x in result.output.splitlines() if f"{rec['est']:.2f}" in x)
        cells = [c.strip() for c in line.split("│")]
        assert f"{rec['deff']:.1f}" in cells, (rec["province"], line)


def test_bootstrap_unweighted_json(app: typer.Typer, responses: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "score",
            str(responses),
            "--questionnaire",
            str(MINI),
            "--variance",
            "bootstrap",
            "--replicates",
            "50",
            "--unweighted",
            "--confidence",
            "0.9",
            "--ci-dist",
            "normal",
            "--seed",
            "11",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["meta"]["method"] == "bootstrap" and doc["meta"]["weighted"] is False
    assert doc["meta"]["replicates"] == 50 and doc["meta"]["confidence"] == 0.9
    assert doc["meta"]["provenance"]["ci_dist"] == "normal"
    assert doc["meta"]["provenance"]["seed"] == 11


def test_every_variance_method_of_score_is_an_option_of_the_same_name(
    app: typer.Typer, responses: Path
) -> None:
    """`--variance` takes exactly scoring.score's methods (docs/glossary.md): a jackknife
    scored from the command line is the library's jackknife, with the replicates asked for
    driving the rank draws."""
    from api.cli.score import Variance
    from scoring import score
    from scoring.index.prepared import VARIANCE_METHODS

    assert {v.value for v in Variance} == set(VARIANCE_METHODS)
    args = ["score", str(responses), "--questionnaire", str(MINI), "--variance", "jkn"]
    result = CliRunner().invoke(app, [*args, "--replicates", "40", "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    cli = IndexScores.from_json(result.stdout)
    lib = score(
        pd.read_parquet(responses), load_questionnaire(MINI), variance="jkn", replicates=40, rng=3
    )
    assert cli.method == "jkn" and cli.replicates == lib.replicates
    pd.testing.assert_frame_equal(cli.composite, lib.composite)
    bad = CliRunner().invoke(app, [*args[:-1], "bootstrp"])
    assert bad.exit_code != 0 and "bootstrp" in bad.output


def _papi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", "score", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def test_errors_are_one_line_with_exit_codes(responses: Path, tmp_path: Path) -> None:
    missing = _papi(str(tmp_path / "nope.parquet"), "--questionnaire", str(MINI))
    assert missing.returncode == 3
    assert len(missing.stderr.strip().splitlines()) == 1
    no_weight = tmp_path / "no_weight.parquet"
    pd.read_parquet(responses).drop(columns=["weight"]).to_parquet(no_weight)
    bad = _papi(str(no_weight), "--questionnaire", str(MINI))
    assert bad.returncode == 1
    assert "--unweighted" in bad.stderr


def test_empty_or_broken_weights_say_what_to_do(responses: Path, tmp_path: Path) -> None:
    frame = pd.read_parquet(responses)
    empty = tmp_path / "empty.parquet"
    frame.assign(weight=float("nan")).to_parquet(empty)
    run = _papi(str(empty), "--questionnaire", str(MINI))
    assert run.returncode == 1
    assert "is empty" in run.stderr and "--unweighted" in run.stderr
    broken = tmp_path / "broken.parquet"
    frame.assign(weight=frame["weight"].where(frame.index % 50 != 7)).to_parquet(broken)
    run = _papi(str(broken), "--questionnaire", str(MINI))
    assert run.returncode == 1
    n_bad = int((frame.index % 50 == 7).sum())
    assert f"{n_bad} of {len(frame):,} rows" in run.stderr and "(rows 7," in run.stderr
    assert "/7/weight" in run.stderr
    assert _papi(str(broken), "--questionnaire", str(MINI), "--unweighted").returncode == 0


def test_lonely_psu_names_the_options_and_adjust_scores(
    app: typer.Typer, responses: Path, tmp_path: Path
) -> None:
    frame = pd.read_parquet(responses)
    first = frame.groupby("province")["psu"].transform("first")
    lonely = tmp_path / "lonely.parquet"
    frame[frame["psu"] == first].to_parquet(lonely)  # one PSU per province
    run = _papi(str(lonely), "--questionnaire", str(MINI))
    assert run.returncode == 1
    assert "--lonely-psu adjust" in run.stderr and "--psu commune" in run.stderr
    assert "has one PSU [lonely_psu]" in run.stderr  # a problem's code is not eaten as markup
    result = CliRunner().invoke(
        app,
        ["score", str(lonely), "--questionnaire", str(MINI), "--lonely-psu", "adjust", "--json"],
    )
    assert result.exit_code == 0, result.output
    scores = IndexScores.from_json(result.stdout)
    scored = scores.composite.dropna(subset=["est"]).set_index("province")
    # R's "adjust" centres a lonely PSU at the grand mean: a province that is a lonely
    # stratum has a domain total of 0 there, hence no variance; the pooled row has some
    assert (scored.drop(index="VN")["se"] < 1e-9).all() and scored.loc["VN", "se"] > 0
    assert any("one PSU" in note and "psu='commune'" in note for note in scores.notes)
    by_village = CliRunner().invoke(
        app, ["score", str(lonely), "--questionnaire", str(MINI), "--psu", "village", "--json"]
    )
    assert by_village.exit_code == 0, by_village.output
    clustered = IndexScores.from_json(by_village.stdout).composite.dropna(subset=["est"])
    assert (clustered["se"] > 0).all()


def test_the_pooled_row_is_viet_nam_only_for_a_national_survey() -> None:
    from rich.console import Console

    from api.cli.score import composite_table
    from scoring import score_published
    from survey import published

    national = score_published(published.subdimensions(2023))  # 61 provinces scored
    pooled = national.composite.iloc[[0]].assign(province="VN", rank=np.nan, group=None)
    national = dataclasses.replace(
        national, composite=pd.concat([national.composite, pooled], ignore_index=True)
    )
    console = Console(width=200, record=True)
    console.print(composite_table(national))
    text = console.export_text()
    assert "Viet Nam (pooled)" in text and "all respondents" not in text


def test_variance_options_are_flags_recorded_in_the_provenance(
    app: typer.Typer, responses: Path
) -> None:
    def run(*flags: str) -> tuple[int, dict[str, object], str]:
        result = CliRunner().invoke(
            app, ["score", str(responses), "--questionnaire", str(MINI), "--json", *flags]
        )
        doc = json.loads(result.stdout) if result.exit_code == 0 else {}
        return result.exit_code, doc, result.output + str(result.exception or "")

    _, plain, _ = run()
    _, off, _ = run("--no-share-correction")
    _, on, _ = run("--share-correction")
    prov = [d["meta"]["provenance"] for d in (plain, off, on)]  # type: ignore[index]
    assert [p["share_correction"] for p in prov] == [True, False, True]  # on by default
    assert all(p["poststratified"] is False for p in prov)
    se = [np.array([r["se"] for r in d["subdimensions"]], dtype=float) for d in (off, on)]  # type: ignore[index]
    assert not np.allclose(se[0], se[1], equal_nan=True)  # the flag reaches the variance
    code, _, output = run("--poststratified")  # these responses carry no design_weight
    assert code != 0 and "poststratified" in output
