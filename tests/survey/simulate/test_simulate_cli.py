"""``papi simulate`` end to end (the console entry point in a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd


def _papi(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from api.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )


def test_simulate_pilot_with_truth_and_submissions(tmp_path: Path) -> None:
    out, truth, subs = tmp_path / "p.parquet", tmp_path / "t.csv", tmp_path / "subs"
    run = _papi(
        "simulate", "--year", "2022", "--seed", "3", "--pilot", "P31-D02", "--out", str(out),
        "--truth", str(truth), "--submissions-dir", str(subs), "--json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["interviews"] == 64
    assert summary["questionnaire"] == "papi-2021"
    frame = pd.read_parquet(out)
    assert len(frame) == 64 and set(frame["district"]) == {"P31-D02"}
    t = pd.read_csv(truth)
    assert list(t.columns) == ["level", "province", "unit", "measure", "code", "value"]
    assert len(list(subs.glob("*.json"))) == 64


def test_simulate_csv_and_errors(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    run = _papi("simulate", "--provinces", "P04", "--seed", "1", "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert len(pd.read_csv(out)) == 12 * 16
    bad = _papi("simulate", "--provinces", "P99", "--out", str(out))
    assert bad.returncode == 3
    assert len(bad.stderr.strip().splitlines()) == 1
    usage = _papi("simulate", "--respondents-per-village", "0", "--out", str(out))
    assert usage.returncode == 2


def test_submissions_in_batch_files_for_the_batch_endpoint(tmp_path: Path) -> None:
    out, subs = tmp_path / "p.parquet", tmp_path / "batches"
    run = _papi(
        "simulate", "--year", "2022", "--seed", "3", "--pilot", "P31-D02", "--out", str(out),
        "--submissions-dir", str(subs), "--batch-size", "25", "--json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    files = sorted(subs.glob("*.json"))
    assert [f.name for f in files] == ["batch-0001.json", "batch-0002.json", "batch-0003.json"]
    batches = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    assert [len(b["submissions"]) for b in batches] == [25, 25, 14]
    ids = [s["submission_id"] for b in batches for s in b["submissions"]]
    assert ids == list(pd.read_parquet(out)["submission_id"])
    too_big = _papi("simulate", "--out", str(out), "--submissions-dir", str(subs),
                    "--batch-size", "1001")  # fmt: skip
    assert too_big.returncode == 2 and "1000" in too_big.stderr
    alone = _papi("simulate", "--provinces", "P04", "--out", str(out), "--batch-size", "10")
    assert alone.returncode == 1 and "--submissions-dir" in alone.stderr


def test_simulate_stage_sizes(tmp_path: Path) -> None:
    """--communes/--villages/--interviews as for `papi sample`; --respondents-per-village is
    --interviews' older name; a pilot of one commune is a usage error (no PSU variance)."""
    out = tmp_path / "p.parquet"
    run = _papi(
        "simulate", "--year", "2023", "--seed", "1", "--pilot", "P31-D02", "--communes", "4",
        "--villages", "3", "--interviews", "10", "--out", str(out), "--json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert (summary["communes"], summary["villages"], summary["interviews"]) == (4, 12, 120)
    r = pd.read_parquet(out)
    assert r["psu"].nunique() == 4 and (r.groupby("village").size() == 10).all()
    alias = tmp_path / "alias.parquet"
    run = _papi(
        "simulate", "--year", "2023", "--seed", "1", "--pilot", "P31-D02", "--communes", "4",
        "--villages", "3", "--respondents-per-village", "10", "--out", str(alias),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    pd.testing.assert_frame_equal(r, pd.read_parquet(alias))
    usage = _papi("simulate", "--pilot", "P31-D02", "--communes", "1", "--out", str(out))
    assert usage.returncode == 2 and "--communes" in usage.stderr
