"""`papi demo` end to end through a subprocess: simulate, collect over HTTP, score, report.

The reduced runs use a few provinces; the full national run (the README's first command)
is marked slow and runs once in CI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from scoring import IndexScores


def run_demo(tmp_path: Path, *args: str) -> dict[str, object]:
    res = subprocess.run(
        [sys.executable, "-m", "api", "demo", "--out", str(tmp_path / "demo"), "--json", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    summary: dict[str, object] = json.loads(res.stdout)
    return summary


def check_outputs(out: Path, summary: dict[str, object], provinces: set[str]) -> IndexScores:
    assert summary["accepted"] == summary["interviews"]
    scores = IndexScores.from_json((out / "scores" / "scores.json").read_text(encoding="utf-8"))
    comp = scores.composite.set_index("province")
    assert set(comp.index) - {"VN"} == provinces
    assert comp["est"].between(8, 80).all()
    assert (comp["lci"] <= comp["est"]).all() and (comp["est"] <= comp["uci"]).all()
    data = pd.read_parquet(out / "responses.parquet")
    assert len(data) == summary["interviews"]
    assert {"stratum", "psu", "weight"} <= set(data.columns)
    html = (out / "report.html").read_text(encoding="utf-8")
    for code, row in comp.drop(index="VN").iterrows():
        assert f"{row['est']:.2f}" in html, code
        assert f"[{row['lci']:.2f}, {row['uci']:.2f}]" in html, code
    return scores


def test_demo_reduced(tmp_path: Path) -> None:
    summary = run_demo(
        tmp_path, "--provinces", "P01,P20,P31,P63", "--replicates", "50", "--runs", "100"
    )
    out = tmp_path / "demo"
    check_outputs(out, summary, {"P01", "P20", "P31", "P63"})
    sens = json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))
    assert {p["province"] for p in sens["provinces"]} == {"P01", "P20", "P31", "P63"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Hai Phong" in html and "Data collection" in html and "Sensitivity" in html
    assert "simulated survey of 4 provinces (P01, P20, P31, P63)" in html
    assert "national survey" not in html


def test_demo_pilot_in_vietnamese(tmp_path: Path) -> None:
    summary = run_demo(tmp_path, "--pilot", "P20-D01", "--replicates", "50", "--lang", "vi")
    out = tmp_path / "demo"
    check_outputs(out, summary, {"P20"})
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Hải Phòng" in html and 'lang="vi"' in html


def test_demo_refuses_a_year_without_the_2021_structure(tmp_path: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "api", "demo", "--year", "2019", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 1
    assert "2021" in res.stderr and "--year 2019" in res.stderr


@pytest.mark.slow
def test_demo_full_national(tmp_path: Path) -> None:
    """The README's first command, at full scale: every province scored in 2024."""
    from survey.published import subdimensions

    summary = run_demo(tmp_path)
    published = subdimensions(2024).set_index("province")
    scored = set(published.index[published.notna().all(axis=1)])  # P17, P52 unscored in 2024
    assert len(scored) == 61
    scores = check_outputs(tmp_path / "demo", summary, scored)
    assert scores.replicates == 1000


def test_report_reads_the_collection_database(tmp_path: Path) -> None:
    """After a demo, `papi report` rebuilds the collection section from the database."""
    run_demo(tmp_path, "--provinces", "P20,P31", "--replicates", "20", "--runs", "50")
    out = tmp_path / "demo"
    res = subprocess.run(
        [sys.executable, "-m", "api", "report", str(out / "scores"), "--database-url",
         f"sqlite:///{out / 'papi.db'}", "--survey", "1", "--out", str(tmp_path / "r.html")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    data = pd.read_parquet(out / "responses.parquet")
    assert data["duration_min"].between(30, 90).all()  # paradata start/end → minutes
    assert "Data collection" in html and "Interview duration" in html
    assert f"<b>{len(data)}</b>" in html  # completed interviews


def test_demo_in_the_2025_geography(tmp_path: Path) -> None:
    """New provinces on the two-tier design, compared with 2024 derived on them (labelled)."""
    from scoring import derived_published

    summary = run_demo(
        tmp_path, "--geography", "2025", "--provinces", "N31,N46,N25,N79",
        "--replicates", "50", "--runs", "100",
    )  # fmt: skip
    out = tmp_path / "demo"
    check_outputs(out, summary, {"N31", "N46", "N25", "N79"})
    data = pd.read_parquet(out / "responses.parquet")
    assert (data["stratum"] == data["province"]).all()  # no district stage: communes are PSUs
    assert (data["psu"] == data["commune"]).all()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Hai Phong" in html and "Ho Chi Minh City" in html
    assert "Difference from PAPI 2024 derived on the 34 provinces of 2025" in html
    assert "derived, not official" in html and "no known uncertainty" in html
    derived = derived_published(2024).composite.set_index("province")["est"]
    assert f"{derived['N31']:.2f}" in html
    # each new province broken down by its former provinces, domains of the same design
    former = pd.read_csv(out / "scores_by_former_province" / "composite.csv")
    from survey.geography import members

    parts = {f for new in ("N31", "N46", "N25", "N79") for f in members(new)}
    got = set(former["province"]) - {"VN"}
    assert got <= parts and len(got) > 4
    assert {"P20", "P31", "P16", "P50"} <= got  # the seat ward is certain: so is its province


@pytest.mark.slow
def test_demo_full_national_2025(tmp_path: Path) -> None:
    """`papi demo --geography 2025`: all 34 new provinces scored with CIs."""
    from survey.geography import vintage

    summary = run_demo(tmp_path, "--geography", "2025", "--replicates", "100", "--runs", "200")
    scores = check_outputs(tmp_path / "demo", summary, set(vintage("2025").codes))
    assert scores.composite["rank"].notna().sum() == 34


def test_summary_table_never_prints_nan_groups(tmp_path: Path) -> None:
    """Fewer than 4 provinces (a pilot): no performance group, and the table says nothing
    rather than `nan`."""
    import io

    from rich.console import Console as RichConsole

    from api.cli.demo import _summary_table
    from api.demo import DemoResult
    from scoring import score
    from survey.simulate import simulate

    sim = simulate(2021, rng=2, provinces=["P05", "P12"])
    scores = score(sim.responses, "papi-2021")
    assert scores.composite["group"].isna().all()
    result = DemoResult(tmp_path, 0, 0, scores, tmp_path / "report.html")
    buf = io.StringIO()
    RichConsole(file=buf, width=160).print(_summary_table(result))
    import re

    assert not re.search(r"\bnan\b", buf.getvalue(), re.IGNORECASE), buf.getvalue()
    assert "P05" in buf.getvalue() and "P12" in buf.getvalue()


def test_summary_table_of_a_pilot_has_no_rank_nor_pooled_row(tmp_path: Path) -> None:
    """`papi demo --pilot`: one district, so its one row shows neither a rank (it printed
    `1 (1–1)`) nor a group (`nan`), and no pooled row repeats it."""
    import io

    from rich.console import Console as RichConsole

    from api.cli.demo import _summary_table
    from api.demo import DemoResult
    from scoring import score
    from survey.simulate import simulate

    sim = simulate(2023, rng=1, pilot="P01-D03")
    scores = score(sim.responses, "papi-2021", psu="commune")
    result = DemoResult(tmp_path, 0, 0, scores, tmp_path / "report.html")
    buf = io.StringIO()
    RichConsole(file=buf, width=160).print(_summary_table(result))
    rows = [ln for ln in buf.getvalue().splitlines() if ln.startswith("│") and "P01" in ln]
    assert len(rows) == 1 and "VN" not in buf.getvalue() and "pooled" not in buf.getvalue()
    cells = [c.strip() for c in rows[0].strip("│").split("│")]
    assert cells[-2:] == ["", ""], cells  # rank (interval), group
    assert "nan" not in buf.getvalue().lower()
