"""`papi demo` checks every option before it starts the database or a progress bar; the
pilot and the single-unit score table; one-paragraph help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from api.cli.main import _assemble

ROOT = Path(__file__).resolve().parents[2]


def papi(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "DATABASE_URL")}
    env |= {"PYTHONPATH": str(ROOT), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def test_demo_refuses_a_future_year_before_starting(tmp_path: Path) -> None:
    res = papi(tmp_path, "demo", "--year", "2026", "--out", "d")
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and "--year 2021 to 2024" in res.stderr
    assert not (tmp_path / "d").exists()  # no database, no progress bars


def test_demo_refuses_an_unknown_province_before_starting(tmp_path: Path) -> None:
    res = papi(tmp_path, "demo", "--provinces", "P1,Q7", "--out", "d")
    assert res.returncode == 3
    assert "no province 'Q7'" in res.stderr and res.stderr.count("\n") == 1
    assert not (tmp_path / "d").exists()


def test_demo_options_match_simulate_and_sample() -> None:
    res = CliRunner().invoke(_assemble(), ["demo", "--help"], env={"COLUMNS": "200"})
    assert "--pilot" in res.output and "--interviews" in res.output
    assert "--district " not in res.output
    assert "2021-2024" in res.output and "2021–2024" not in res.output
    # the description is one paragraph: no line break inside it (Rich wraps it to the width)
    import typer.main

    command = typer.main.get_command(_assemble()).commands["demo"]  # type: ignore[attr-defined]
    assert command.help and "\n" not in command.help


def test_score_of_one_district_has_no_rank_nor_pooled_row(tmp_path: Path) -> None:
    sim = papi(tmp_path, "simulate", "--pilot", "P01-D03", "--communes", "4", "--seed", "1",
               "--out", "p.parquet")  # fmt: skip
    assert sim.returncode == 0, sim.stderr
    res = papi(tmp_path, "score", "p.parquet", "--questionnaire", "papi-2021")
    assert res.returncode == 0, res.stderr
    rows = [ln for ln in res.stdout.splitlines() if ln.startswith("│ ")]
    body = [r for r in rows if "province" not in r]
    assert len(body) == 1 and "P01" in body[0], res.stdout  # no pooled row
    assert "pooled" not in res.stdout and "nan" not in res.stdout
    cells = [c.strip() for c in body[0].strip("│ ").split("│")]
    assert cells[-2:] == ["—", "—"]  # rank, group
    said = " ".join(res.stderr.split())
    assert "(papi report --previous-published YEAR)" in said and "1 province has" in said
    assert "in Python" not in said  # the CLI's option, not the library's name


def test_demo_says_once_that_the_bundled_frame_is_synthetic(monkeypatch: Any) -> None:
    """Every command that simulates on the bundled frame says so once; the demo always does
    (stopped here where the collection would start)."""
    import api.demo
    from api.cli.places import SYNTHETIC_NOTE
    from survey.errors import PapiError

    def stop(*_: object) -> None:
        raise PapiError("stopped before the collection", code="test")

    monkeypatch.setattr(api.demo, "run_demo", stop)
    res = CliRunner().invoke(_assemble(), ["demo", "--pilot", "p01-d03"], env={"COLUMNS": "400"})
    assert res.exit_code == 1 and "stopped before the collection" in res.output, res.output
    assert res.output.count(SYNTHETIC_NOTE) == 1, res.output


def test_demo_says_how_to_get_a_token(monkeypatch: Any, tmp_path: Path) -> None:
    """The closing hint names the server command and the token command for the demo's
    database, and that token command, run as printed, gives a token."""
    import shlex

    import api.demo
    from api.demo import DemoResult
    from scoring import score
    from survey.simulate import simulate

    sim = simulate(2023, rng=1, pilot="P01-D03")
    scores = score(sim.responses, "papi-2021", psu="commune")
    out = tmp_path / "d"
    done = DemoResult(out, 1, 1, scores, out / "report.html", timings={"all": 1.0})
    monkeypatch.setattr(api.demo, "run_demo", lambda *_: done)
    res = CliRunner().invoke(
        _assemble(), ["demo", "--pilot", "P01-D03", "--out", str(out)], env={"COLUMNS": "400"}
    )
    assert res.exit_code == 0, res.output
    assert "1 interview collected" in res.output
    token_line = next(ln for ln in res.output.splitlines() if ln.strip().startswith("Token:"))
    command = shlex.split(token_line.split("Token:")[1].split("  (")[0])
    assert command[:4] == ["papi", "token", "create", "--role"], command
    url = command[command.index("--database-url") + 1]
    assert f"papi serve --database-url {url}" in res.output
    out.mkdir()
    assert papi(tmp_path, "db", "upgrade", "--database-url", url).returncode == 0
    made = papi(tmp_path, *command[1:])
    assert made.returncode == 0 and made.stdout.strip().startswith("papi_"), made.stderr
