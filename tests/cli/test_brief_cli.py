"""`papi brief` through a subprocess, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scoring import score
from survey import load_questionnaire
from tests.scoring.index.simdata import simulate_responses


def papi(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_hai_phong_2018_html_and_json(tmp_path: Path) -> None:
    res = papi("brief", "--province", "P20", "--year", "2018", "--out", "hp.html", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "P20: 42.80, rank 49 of 61, group low; 0.258 points to the low-average group" in (
        res.stderr
    )
    html = (tmp_path / "hp.html").read_text(encoding="utf-8")
    assert "Hai Phong" in html and "<svg" in html and "http" not in html.split("<svg")[0]
    assert "D4 Control of Corruption in the Public Sector; D7 Environmental Governance" in html
    assert "At least 0.258 points more" in html
    assert "No earlier result to compare with" in html  # 2017 is not in the engine
    doc = json.loads((tmp_path / "hp.json").read_text(encoding="utf-8"))
    assert doc["standing"]["group"] == "low" and doc["inputs"]["reference"] == "next_group"
    assert doc["names"]["SC73"] == "Quality of Water"
    lift = doc["plans"][0]
    assert lift["target"] == "low-average" and round(lift["points"], 3) == 0.258


def test_vietnamese_with_changes(tmp_path: Path) -> None:
    res = papi(
        "brief", "--province", "P31", "--year", "2024", "--lang", "vi", "--reference", "best",
        "--out", "hue.html", cwd=tmp_path,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    html = (tmp_path / "hue.html").read_text(encoding="utf-8")
    assert "Thừa Thiên Huế" in html and "Thay đổi so với 2023" in html
    assert "Thay đổi lớn hơn 5%" in html or "quy tắc của PAPI" in html
    doc = json.loads((tmp_path / "hue.json").read_text(encoding="utf-8"))
    assert doc["changes"]["rows"] and doc["names"]["D1"].startswith("Tham gia")


def test_survey_scores_and_a_pilot(tmp_path: Path) -> None:
    q = load_questionnaire("papi-2021")
    few = simulate_responses(q, provinces=1, districts=3, villages=2, per_village=12, rng=2)
    pilot = score(few, q, min_n=3, min_share=0.01, replicates=100, confidence=0.9)
    (tmp_path / "pilot").mkdir()
    (tmp_path / "pilot" / "scores.json").write_text(pilot.to_json(), encoding="utf-8")
    res = papi("brief", "pilot", "--province", "P01", "--year", "2023", "--out", "p.html", cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    html = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "pilot placed among the published provinces of 2023" in html
    assert "The pilot against Hanoi" in html and "in place of Hanoi" in html
    assert "90% CI" in html and "95% CI" not in html  # the scores' own confidence level
    doc = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert doc["substituted"] and doc["uncertain"] and doc["provinces"] >= 60
    assert doc["inputs"]["confidence"] == 0.9


def test_errors_say_what_to_do(tmp_path: Path) -> None:
    res = papi("brief", "--province", "P20", cwd=tmp_path)
    assert res.returncode == 1 and "--year" in res.stderr
    res = papi("brief", "--province", "P99", "--year", "2018", cwd=tmp_path)
    assert res.returncode == 3 and "P99" in res.stderr
    res = papi("brief", "--province", "P14", "--year", "2018", cwd=tmp_path)
    assert res.returncode == 1 and "no aggregate score" in res.stderr
    res = papi("brief", "--province", "P20", "--year", "2018", "--lang", "fr", cwd=tmp_path)
    assert res.returncode == 1 and "'en' or 'vi'" in res.stderr


def test_a_surveys_scores_against_an_earlier_survey(tmp_path: Path) -> None:
    mini = (
        Path(__file__).resolve().parents[1] / "scoring" / "index" / "fixtures" / "index-mini.yaml"
    )
    q = load_questionnaire(mini)
    for name, seed in (("now", 1), ("before", 2)):
        frame = simulate_responses(q, provinces=6, districts=3, rng=seed)
        (tmp_path / name).mkdir()
        result = score(frame, q, replicates=100)
        (tmp_path / name / "scores.json").write_text(result.to_json(), encoding="utf-8")
    res = papi("brief", "now", "--province", "P02", "--previous", "before", "--out", "b.html", cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    doc = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert doc["uncertain"] and not doc["substituted"] and doc["provinces"] == 6
    assert doc["changes"]["tested"] and doc["changes"]["adjust"] == "holm"
    assert doc["standing"]["rank_lci"] is not None
    # index-mini is not a bundled questionnaire: no indicator breakdown, and the page says so
    assert all(g["indicators"] is None for g in doc["gaps"])
    assert any("no breakdown by indicator" in n for n in doc["notes"])
    html = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert "What changed since before" in html and "Holm adjustment" in html
