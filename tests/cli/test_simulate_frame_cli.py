"""`papi simulate --frame`: a pilot simulated on a district's own villages table (the frame
template filled in), in a subprocess. The same district as a table simulates exactly as the
bundled one; the simulated interviews fall in the villages `papi sample` draws with the same
seed and sizes; the post-stratified weights add up to the frame's adults (its province's
margins, scaled); a bad frame ends with one line saying what to do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from survey.sampling import load_frame

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fixtures" / "examples" / "long-bien.csv"
IDS = dict.fromkeys(("province", "district", "commune", "village"), str)


def papi(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env |= {"PYTHONPATH": str(ROOT), "COLUMNS": "160", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def test_an_own_table_of_a_bundled_district_simulates_as_the_bundled_pilot(
    tmp_path: Path,
) -> None:
    table = load_frame().pilot("P01-D03").villages.drop(columns="capital")
    table.to_csv(tmp_path / "own.csv", index=False)
    sizes = ("--pilot", "P01-D03", "--communes", "4", "--seed", "1")
    own = papi(tmp_path, "simulate", "--frame", "own.csv", "--size-class", "large", *sizes,
               "--out", "own.parquet")  # fmt: skip
    assert own.returncode == 0, own.stderr
    assert "synthetic" not in own.stderr  # the user's frame is not the bundled one
    bundled = papi(tmp_path, "simulate", *sizes, "--out", "bundled.parquet")
    assert bundled.returncode == 0, bundled.stderr
    assert "synthetic" in bundled.stderr
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "own.parquet"), pd.read_parquet(tmp_path / "bundled.parquet")
    )


def test_the_example_frame_simulates_in_the_sampled_villages(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "long-bien.csv")
    own = ("--frame", "long-bien.csv", "--size-class", "large", "--pilot", "Long Bien")
    sizes = ("--communes", "8", "--seed", "1")
    sample = papi(tmp_path, "sample", *own, *sizes, "--out", "sample.csv")
    assert sample.returncode == 0, sample.stderr
    sim = papi(tmp_path, "simulate", *own, *sizes, "--out", "pilot.parquet")
    assert sim.returncode == 0, sim.stderr
    s = pd.read_csv(tmp_path / "sample.csv", dtype=IDS)
    data = pd.read_parquet(tmp_path / "pilot.parquet")
    assert set(data["village"]) == set(s["village"]) and len(data) == s["quota"].sum()
    assert data.groupby("village").size().to_dict() == s.set_index("village")["quota"].to_dict()
    # post-stratified to P01's sex × age margins scaled to the frame's adults
    frame = pd.read_csv(EXAMPLE)
    assert data["weight"].notna().all()
    assert data["weight"].sum() == pytest.approx(frame["adults"].sum(), rel=1e-9)


@pytest.mark.parametrize(
    ("change", "args", "exit_code", "says"),
    [
        ({"province": "HN"}, (), 3, "put the province's PAPI code (P01-P63)"),
        ({"commune_seat": None}, (), 1, "lack columns ['commune_seat']"),
        ({}, ("--geography", "2025"), 2, "leave out --geography 2025"),
    ],
)
def test_a_bad_own_frame_is_one_line(
    tmp_path: Path, change: dict[str, str | None], args: tuple[str, ...], exit_code: int,
    says: str,
) -> None:  # fmt: skip
    frame = pd.read_csv(EXAMPLE, dtype=IDS)
    for col, value in change.items():
        if value is None:
            frame = frame.drop(columns=col)
        else:
            frame[col] = value
    frame.to_csv(tmp_path / "bad.csv", index=False)
    res = papi(tmp_path, "simulate", "--frame", "bad.csv", *args, "--out", "p.parquet")
    assert res.returncode == exit_code, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], res.stderr
    assert not (tmp_path / "p.parquet").exists()


def test_size_class_needs_a_frame(tmp_path: Path) -> None:
    res = papi(tmp_path, "simulate", "--size-class", "large", "--out", "p.parquet")
    assert res.returncode == 2 and "add --frame FILE" in res.stderr, res.stderr
