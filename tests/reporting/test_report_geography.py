"""Reports of a 2025-geography survey: names, the national row, and the comparison with a
published year derived on the 34 provinces, labelled as derived, not official."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from api.reporting import ReportInputs
from api.reporting.history import previous_published
from api.reporting.report import build_report, is_national
from scoring import IndexScores, compare, derived_published, score_published
from survey.published import subdimensions


def _survey_2025() -> IndexScores:
    """Scores of the 34 provinces with standard errors, as a 2025 survey would give."""
    d = derived_published(2024)
    # all 34 scored (the derived 2024 lacks Phú Thọ and Đồng Tháp: a part was not scored)
    comp = d.composite.assign(se=0.8, df=5.0, est=d.composite["est"].fillna(42.0))
    comp["lci"], comp["uci"] = comp["est"] - 2.0, comp["est"] + 2.0
    dims = d.dimensions.assign(se=0.1, df=5.0, est=d.dimensions["est"].fillna(5.0))
    return replace(d, composite=comp, dimensions=dims, method="taylor", notes=())


def test_previous_published_follows_the_geography() -> None:
    current = _survey_2025()
    before = previous_published(current, 2023)
    assert before.derived and before.scores.method == "derived"
    assert "derived on the 34 provinces of 2025 (derived, not official)" in before.title
    assert any("population-weighted" in n for n in before.notes)
    assert any("no known uncertainty" in n for n in before.notes)
    old = previous_published(score_published(subdimensions(2024), "papi-2021"), 2023)
    assert not old.derived and old.title == "Difference from the published scores of 2023"
    vi = previous_published(current, 2023, "vi")
    assert "không chính thức" in vi.title


def test_comparison_counts_the_survey_side_only_and_says_so() -> None:
    current = _survey_2025()
    before = previous_published(current, 2023)
    c = compare(current, before.scores).composite.set_index("province")
    row = c.loc["N31"]
    assert row["se"] == 0.8  # the derived side adds nothing: its error is unknown
    assert np.isfinite(row["lci"]) and row["lci"] < row["est"] < row["uci"]


def test_report_names_the_derivation_and_new_provinces() -> None:
    current = _survey_2025()
    before = previous_published(current, 2023)
    changes = compare(current, before.scores).composite
    html = build_report(
        ReportInputs(
            composite=current.composite,
            dimensions=current.dimensions,
            changes=changes,
            changes_title=before.title,
            changes_notes=before.notes,
        )
    )
    assert "Difference from PAPI 2023 derived on the 34 provinces of 2025" in html
    assert "derived, not official" in html and "2019 census population" in html
    assert "Hai Phong" in html and "Ho Chi Minh City" in html
    comp, dims = current.composite, current.dimensions
    assert is_national(comp, dims)  # 34 of 34: national in the 2025 geography


def test_report_cli_previous_published_on_2025_scores(tmp_path: Path) -> None:
    (tmp_path / "scores.json").write_text(_survey_2025().to_json(), encoding="utf-8")
    args = ["report", "scores.json", "--previous-published", "2024", "--out", "r.html"]
    res = subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Difference from PAPI 2024 derived on the 34 provinces of 2025" in html
    assert "no known uncertainty" in html


def test_earlier_results_with_standard_errors_are_derived_with_them() -> None:
    """An earlier survey on the 63 provinces (with SEs) against a 2025 survey: derived on the
    34 with se = sqrt(Σ w² se²), Satterthwaite df, so the comparison counts both sides."""
    from api.reporting.history import previous_scores
    from survey.geography.history import population_weights

    pub = score_published(subdimensions(2024), "papi-2021")
    rng = np.random.default_rng(1)
    se = rng.uniform(0.3, 1.0, len(pub.composite))
    comp = pub.composite.assign(se=se, df=2.0)
    earlier = replace(pub, composite=comp, method="taylor")
    before = previous_scores(_survey_2025(), earlier)
    assert before.derived and "derived, not official" in before.title
    d = before.scores.composite.set_index("province")
    e = comp.set_index("province")
    w = population_weights().set_index("former")["weight"]
    var = (w["P20"] * e.loc["P20", "se"]) ** 2 + (w["P19"] * e.loc["P19", "se"]) ** 2
    assert d.loc["N31", "est"] == pytest.approx(
        w["P20"] * e.loc["P20", "est"] + w["P19"] * e.loc["P19", "est"]
    )
    assert d.loc["N31", "se"] == pytest.approx(np.sqrt(var))
    quad = (w["P20"] * e.loc["P20", "se"]) ** 4 / 2 + (w["P19"] * e.loc["P19", "se"]) ** 4 / 2
    assert d.loc["N31", "df"] == pytest.approx(var**2 / quad)
    assert d.loc["N46", "est"] == pytest.approx(e.loc["P31", "est"])  # unchanged: as it was
    assert d["est"].isna()["N25"]  # Vĩnh Phúc was not scored in 2024
    c = compare(_survey_2025(), before.scores).composite.set_index("province")
    assert c.loc["N31", "se"] == pytest.approx(np.sqrt(0.8**2 + var))
    assert any("sqrt(sum of w² se²)" in n for n in before.notes)
    same = previous_scores(earlier, earlier)
    assert not same.derived and same.scores is earlier
