"""Guides in docs/ whose shell sessions run as written (like the README's, tests/test_readme.py).

docs/pilot.md: a pilot from the district's own frame (the template filled in, the example
fixtures/examples/long-bien.csv) and the plan to the report, against a server it starts on a
free port (only the port is changed); the server is stopped afterwards whatever happens.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd

from scoring import IndexScores
from tests.sessions import run_session

ROOT = Path(__file__).resolve().parents[1]


def bash_blocks(doc: str) -> list[str]:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_pilot_guide_runs_as_written(tmp_path: Path) -> None:
    (session,) = bash_blocks("pilot.md")
    # the district's filled-in frame, as the reader has it next to the template
    shutil.copy(ROOT / "fixtures" / "examples" / "long-bien.csv", tmp_path / "long-bien.csv")
    code, out, err = run_session(session, tmp_path)
    assert code == 0, err[-3000:]
    template = pd.read_csv(tmp_path / "frame.csv")
    own = pd.read_csv(tmp_path / "long-bien.csv")
    assert list(template.columns) == list(own.columns) and len(template) == 1
    plan = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert plan["place"] == "P01-D04" and plan["designs"]
    assert plan["components"]["source"].endswith("in your frame)")
    assert all(d["half_width"]["PAPI"]["median"] <= 1.5 for d in plan["designs"])
    assert "Designs for district P01-D04" in out
    assert "synthetic" not in err  # every command ran on the district's own frame
    sample = pd.read_csv(tmp_path / "sample.csv")
    assert sample["district"].unique().tolist() == ["P01-D04"]
    assert set(sample["village"]) <= set(own["village"])
    assert sample["commune"].nunique() == 8 and (sample["quota"] == 24).all()
    residents = pd.read_csv(tmp_path / "residents.csv")
    assert set(residents["village"]) == set(sample["village"])
    batches = [ln.split() for ln in out.splitlines() if ln.startswith("backlog/batch-")]
    assert batches and all(status == "200" for _, status in batches)
    flagged = (tmp_path / "flagged.txt").read_text(encoding="utf-8").split()
    reviews = next(ln for ln in out.splitlines() if ln.strip() and set(ln.split()) <= {"200"})
    assert len(reviews.split()) == len(flagged) > 0  # every flagged interview approved
    data = pd.read_parquet(tmp_path / "pilot.parquet")
    assert len(data) == int(sample["quota"].sum())
    assert set(data["village"]) == set(sample["village"])
    assert data["design_weight"].notna().all()
    scores = IndexScores.from_json((tmp_path / "scores" / "scores.json").read_text("utf-8"))
    p01 = scores.composite.set_index("province").loc["P01"]
    assert 8 <= p01["lci"] < p01["est"] < p01["uci"] <= 80 and p01["df"] == 7
    assert not any("1 degree of freedom" in n for n in scores.notes)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Long Bien pilot 2026" in html and "Data collection" in html
    assert (tmp_path / "enum-01.png").read_bytes()[:4] == b"\x89PNG"
