"""`papi report` through a subprocess, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def papi(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_report_of_published_scores_with_changes(tmp_path: Path) -> None:
    res = papi(
        "report",
        "--published",
        "2023",
        "--previous-published",
        "2022",
        "--out",
        "r.html",
        "--json",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["provinces"] > 55
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Hai Phong" in html and "Difference from the published scores of 2022" in html
    assert "Data: the published PAPI scores of 2023." in html  # which data the scores are
    assert "p-value (Holm-adjusted)" in html


def test_unknown_year_is_one_line_and_exit_3(tmp_path: Path) -> None:
    res = papi("report", "--published", "2031", cwd=tmp_path)
    assert res.returncode == 3
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "2031" in lines[0] and "available years" in lines[0]


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    res = papi("report", cwd=tmp_path)
    assert res.returncode == 1
    assert "--published" in res.stderr
