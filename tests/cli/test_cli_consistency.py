"""The command line a field team meets (issue: "The command line, made consistent"):
version, command order, one-line errors, empty data, the missing-survey hint, plurals and
the sample table at 80 columns."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
from typer.testing import CliRunner

from api.cli.main import _assemble

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def papi(cwd: Path, *args: str, columns: int = 160) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "DATABASE_URL")}
    env |= {"PYTHONPATH": str(ROOT), "COLUMNS": str(columns), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def test_version() -> None:
    res = runner.invoke(_assemble(), ["--version"])
    assert res.exit_code == 0 and res.output.startswith("papi-engine ")


def _listed(*args: str) -> list[tuple[str, str]]:
    """(command, summary) rows of a --help's Commands panel, so wide that nothing wraps: a
    continuation row (no command name) can only be a line break in the summary."""
    res = runner.invoke(_assemble(), [*args, "--help"], env={"COLUMNS": "1000"})
    assert res.exit_code == 0, res.output
    panel = res.output.split("─ Commands ─")[1].split("╰")[0]
    rows = [ln.rstrip().rstrip("│").rstrip()[2:] for ln in panel.splitlines()[1:]]
    # a command row starts with its name; a continuation row with the name column's spaces
    return [(r.split(" ", 1)[0], r.split(" ", 1)[-1].strip()) for r in rows if r]


def test_commands_listed_in_the_order_of_the_work() -> None:
    """Try it, plan and draw the sample, set up the server, collect, analyse: the groups
    (places, db, survey, token) in their place, not after every command as Typer lists them."""
    names = [name for name, _ in _listed()]
    assert names == [
        "demo", "plan", "sample", "simulate", "places", "questionnaire", "db", "survey", "token",
        "serve", "collect-qr", "progress", "export", "score", "sensitivity", "report", "brief",
    ], names  # fmt: skip


def test_command_summaries_have_no_stray_line_breaks() -> None:
    for group in ((), ("places",), ("questionnaire",), ("db",), ("survey",), ("token",)):
        rows = _listed(*group)
        assert all(name for name, _ in rows), (group, rows)  # no continuation row
        assert all(summary[:1].isupper() for _, summary in rows), (group, rows)


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    res = papi(tmp_path, "sample", "--bogus")
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1, res.stderr
    assert "No such option: --bogus" in res.stderr and "see `papi sample --help`" in res.stderr
    res = papi(tmp_path, "sample", "--communes", "zero")
    assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr


def test_score_of_an_empty_file_says_no_interviews(tmp_path: Path) -> None:
    pd.DataFrame({"province": pd.Series([], dtype=str)}).to_parquet(tmp_path / "e.parquet")
    res = papi(tmp_path, "score", "e.parquet", "--questionnaire", "papi-2021")
    assert res.returncode == 1, res.stderr
    assert "has no interviews" in res.stderr and res.stderr.count("\n") == 1


def test_export_of_a_missing_survey_suggests_survey_list(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'papi.db'}"
    assert papi(tmp_path, "db", "upgrade", "--database-url", url).returncode == 0
    res = papi(tmp_path, "export", "--survey", "9", "--out", "o.parquet", "--database-url", url)
    assert res.returncode == 3
    assert "papi survey list" in res.stderr and "GET /api" not in res.stderr


def test_export_says_no_interviews_then_counts_one_in_the_singular(tmp_path: Path) -> None:
    """An empty survey's export says there is nothing to score (and score says so too); one
    interview later it is '1 interview', not '1 interviews'."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from survey.questionnaire.loader import load_questionnaire
    from tests.api.support import Api, admin_token, make_settings

    url = f"sqlite:///{tmp_path / 'papi.db'}"
    made = papi(tmp_path, "survey", "create", "--questionnaire", "papi-2021", "--year", "2026",
                "--name", "empty", "--database-url", url)  # fmt: skip
    assert made.returncode == 0, made.stderr
    sid = made.stdout.strip()
    res = papi(tmp_path, "export", "--survey", sid, "--out", "e.parquet", "--database-url", url)
    assert res.returncode == 0, res.stderr
    assert "wrote 0 interviews to e.parquet" in res.stdout and "no interviews" in res.stdout
    res = papi(tmp_path, "score", "e.parquet")
    assert res.returncode == 1 and "has no interviews" in res.stderr, res.stderr

    settings = make_settings(url)
    with TestClient(create_app(settings)) as client:
        api = Api(client, {"Authorization": f"Bearer {admin_token(settings)}"},
                  load_questionnaire("papi-2021"))  # fmt: skip
        assert api.submit(int(sid), api.interview()).status_code == 201
    res = papi(tmp_path, "export", "--survey", sid, "--out", "one.csv", "--database-url", url)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "wrote 1 interview to one.csv"


PYTHON_SPELLING = re.compile(r"\b[a-z_]+=(?:True|False|\d|'|<)|in Python|survey\.[a-z]")


def test_score_messages_name_the_options_not_the_python_api(tmp_path: Path) -> None:
    """Errors and notes of `papi score` that the library words for Python callers
    (weighted=False, min_n=10, share_correction=False, survey.published) name the option."""
    res = papi(tmp_path, "simulate", "--pilot", "P01-D03", "--seed", "1", "--out", "p.parquet")
    assert res.returncode == 0, res.stderr
    pilot = pd.read_parquet(tmp_path / "p.parquet")
    pilot.drop(columns=["weight"]).to_parquet(tmp_path / "no-weight.parquet")
    pilot.drop(columns=["design_weight"]).to_parquet(tmp_path / "no-design.parquet")
    pilot.assign(weight=float("nan")).to_parquet(tmp_path / "empty-weight.parquet")
    cases = {
        ("no-weight.parquet",): "give --weights COLUMN, or --unweighted",
        ("no-design.parquet", "--poststratified"): "Score without --poststratified",
        ("empty-weight.parquet",): "(--weights design_weight) or unweighted (--unweighted)",
        ("p.parquet", "--min-n", "500"): "fewer than --min-n 500 respondents",
        ("p.parquet", "--psu", "district", "--lonely-psu", "adjust"): "with --lonely-psu adjust",
        ("p.parquet",): "(papi report --previous-published YEAR)",
    }
    for args, says in cases.items():
        res = papi(tmp_path, "score", *args, columns=1000)
        said = " ".join(res.stderr.split())
        assert says in said, (args, said)
        assert not PYTHON_SPELLING.search(said), (args, PYTHON_SPELLING.findall(said), said)


def test_one_province_is_singular(tmp_path: Path) -> None:
    res = papi(tmp_path, "simulate", "--pilot", "P01-D03", "--seed", "1", "--out", "p.parquet")
    assert res.returncode == 0, res.stderr
    assert "in 1 province," in " ".join(res.stderr.split())


def test_sample_table_headers_fit_80_columns(tmp_path: Path) -> None:
    res = papi(tmp_path, "sample", "--provinces", "P01,P20,P31", columns=80)
    assert res.returncode == 0, res.stderr
    header = next(ln for ln in res.stdout.splitlines() if ln.startswith("Province"))
    for col in ("Districts", "Communes", "Villages", "Interviews", "Residents"):
        assert col in header
    assert "…" not in res.stdout.split("next:")[0]


def _commands() -> list[tuple[str, Any]]:
    import typer.main

    out: list[tuple[str, Any]] = []

    def walk(cmd: Any, path: str) -> None:
        out.append((path, cmd))
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(_assemble()), "papi")
    return out


def test_help_texts_are_capitalised_and_years_hyphenated() -> None:
    bad = []
    for path, cmd in _commands():
        texts = [(path, cmd.help or "")] + [
            (f"{path} {p.opts[0] if p.opts else p.name}", getattr(p, "help", None) or "")
            for p in cmd.params
        ]
        for where, text in texts:
            if text and text[0].isalpha() and not text[0].isupper():
                bad.append(f"{where}: {text[:40]}")
            if re.search(r"\d{4}–\d{4}", text):
                bad.append(f"{where}: en dash in a year range")
            if where != path and text and not text.rstrip().endswith((".", ")")):
                bad.append(f"{where}: no full stop: {text[-30:]}")
            if re.match(r"[A-Z][a-z]+ \| ", text):  # "Csv | parquet": a list, capitalised
                bad.append(f"{where}: a capitalised list of values")
    assert not bad, bad


def test_json_is_a_flag_everywhere() -> None:
    for path, cmd in _commands():
        for p in cmd.params:
            if "--json" in getattr(p, "opts", ()):
                assert p.is_flag, f"{path} --json takes a value"


def test_seed_defaults_agree() -> None:
    seeds = {
        path: p.default
        for path, cmd in _commands()
        for p in cmd.params
        if "--seed" in getattr(p, "opts", ())
    }
    assert len(set(seeds.values())) == 1, seeds


def test_replicates_and_the_variance_method_have_one_name() -> None:
    """The number of replicates is --replicates wherever a command takes it, with the
    library's default, and a variance method is a value of --variance, never a flag of its
    own (docs/glossary.md, "Estimation")."""
    from survey.rng import DEFAULT_REPLICATES

    replicates: dict[str, tuple[tuple[str, ...], Any]] = {}
    methods: list[str] = []
    for path, cmd in _commands():
        for p in cmd.params:
            opts = getattr(p, "opts", ())
            if p.name == "replicates":
                replicates[path] = (tuple(opts), p.default)
            methods += [f"{path} {o}" for o in opts if o.strip("-") in ("bootstrap", "jk1", "jkn")]
    assert {"papi score", "papi sensitivity", "papi demo"} <= set(replicates), replicates
    assert set(replicates.values()) == {(("--replicates",), DEFAULT_REPLICATES)}, replicates
    assert not methods, methods


def test_sensitivity_json_prints_the_result(tmp_path: Path) -> None:
    res = papi(tmp_path, "sensitivity", "--published", "2019", "--runs", "20", "--sobol-n", "8",
               "--json", "--out", "s.json")  # fmt: skip
    assert res.returncode == 0, res.stderr
    printed = json.loads(res.stdout)
    assert printed == json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert "overall" in printed


def test_option_names_fit_80_columns_and_the_older_name_still_works(tmp_path: Path) -> None:
    """--respondents-per-village, --interviews' older name, is hidden from the options list
    (listed beside it, it squeezed the help to '--interviews,--respo…' at 80 columns) and
    still accepted; both at once is a one-line usage error."""
    for command in ("demo", "simulate"):
        res = runner.invoke(_assemble(), [command, "--help"], env={"COLUMNS": "80"})
        # an option's row: its name in the first column ("│ *  --out" when required)
        found = (re.match(r"│ (?:\* +| {0,4})(--\S+)", ln) for ln in res.output.splitlines())
        names = [m.group(1) for m in found if m]
        assert "--interviews" in names and not any("…" in n for n in names), names
        res = runner.invoke(_assemble(), [command, "--help"], env={"COLUMNS": "200"})
        said = " ".join(res.output.replace("│", " ").split())
        assert "--respondents-per-village is its older name" in said
    res = papi(tmp_path, "simulate", "--pilot", "P01-D03", "--villages", "2",
               "--respondents-per-village", "5", "--out", "p.parquet")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "20 interviews in 1 province, 4 villages" in res.stderr  # 2 communes × 2 × 5
    res = papi(tmp_path, "simulate", "--interviews", "5", "--respondents-per-village", "5",
               "--out", "q.parquet")  # fmt: skip
    assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
    assert "give --interviews only" in res.stderr
