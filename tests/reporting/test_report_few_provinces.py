"""The report of a pilot or a survey of a few provinces: the pooled row is not "National",
no empty performance groups, no rank columns for one province, the scoring notes are shown,
the completion chart is a bar chart (none for one province), a pilot district is named."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from api.cli.report import load_collection, report
from api.reporting import CollectionSummary, ReportInputs, build_report
from api.reporting.collection import collection_summary
from scoring import IndexScores, score
from survey.simulate import simulate
from tests.reporting.test_report import _published_frames

POOLED_EN = "All respondents (pooled)"
POOLED_VI = "Toàn bộ mẫu (gộp)"
ONE_DF = "1 degree of freedom"


@pytest.fixture(scope="module")
def pilot() -> IndexScores:
    """A real one-district pilot (P01-D03, 2 communes, PAPI rule): scored with Taylor CIs."""
    sim = simulate(2021, rng=3, pilot="P01-D03")
    return score(sim.responses, questionnaire=sim.questionnaire, variance="taylor")


def _section(html: str, anchor: str) -> str:
    match = re.search(rf'<section id="{anchor}">(.*?)</section>', html, flags=re.S)
    assert match, f"no section {anchor}"
    return match.group(1)


def _header_cells(section: str) -> list[str]:
    head = re.search(r"<thead><tr>(.*?)</tr></thead>", section, flags=re.S)
    assert head
    return re.findall(r"<th>(.*?)</th>", head.group(1))


def _two_provinces() -> tuple[pd.DataFrame, pd.DataFrame]:
    comp = pd.DataFrame(
        {
            "province": ["P20", "P31", "VN"],
            "est": [40.6, 45.8, 42.4],
            "lci": [34.0, 42.5, 39.4],
            "uci": [47.3, 49.2, 45.5],
            "rank": [2.0, 1.0, np.nan],
            "rank_lci": [1.0, 1.0, np.nan],
            "rank_uci": [2.0, 2.0, np.nan],
            "group": [None, None, None],
            "n": [192, 192, 384],
        }
    )
    dims = pd.DataFrame(
        {
            "province": ["P20", "P31", "VN"],
            "dimension": ["D1"] * 3,
            "est": [4.7, 5.8, 5.1],
            "lci": [3.2, 4.9, 4.5],
            "uci": [6.2, 6.8, 5.7],
        }
    )
    return comp, dims


def test_pilot_pooled_row_is_not_national(pilot: IndexScores) -> None:
    inputs = ReportInputs(composite=pilot.composite, dimensions=pilot.dimensions)
    html = build_report(inputs)
    assert "National" not in html
    table = _section(html, "ranks")
    assert f'<td class="name">{POOLED_EN}</td>' in table
    vi = build_report(inputs, lang="vi")
    assert "Toàn quốc" not in vi and POOLED_VI in vi
    assert "1 province scored" in html  # not "1 provinces"


def test_pooled_reference_line_is_labelled_pooled_for_a_few_provinces() -> None:
    comp, dims = _two_provinces()
    html = build_report(ReportInputs(composite=comp, dimensions=dims))
    assert "National" not in html
    # the dashed reference line of the aggregate chart and of the dimension chart
    assert _section(html, "aggregate").count(POOLED_EN) == 1
    assert _section(html, "dimensions").count(POOLED_EN) == 1


def test_national_scores_keep_the_national_label() -> None:
    comp, dims = _published_frames()
    national = pd.DataFrame({"province": ["VN"], "est": [comp["est"].mean()]})
    html = build_report(
        ReportInputs(
            composite=pd.concat([comp, national], ignore_index=True),
            dimensions=pd.concat(
                [dims, national.assign(dimension="D1", est=5.0)], ignore_index=True
            ),
        )
    )
    assert "National" in _section(html, "aggregate")  # the reference line
    assert '<td class="name">National</td>' in _section(html, "ranks")
    assert POOLED_EN not in html


def test_no_groups_is_one_sentence_and_no_group_column(pilot: IndexScores) -> None:
    html = build_report(ReportInputs(composite=pilot.composite, dimensions=pilot.dimensions))
    groups = _section(html, "groups")
    assert "<table" not in groups and "High (0)" not in groups
    assert "quartiles among the scored provinces" in groups and "at least 4" in groups
    assert "<code>papi report SCORES --previous-published YEAR</code>" in groups
    assert "Group" not in _header_cells(_section(html, "ranks"))
    vi = _section(
        build_report(ReportInputs(pilot.composite, pilot.dimensions), lang="vi"), "groups"
    )
    assert "tứ phân vị" in vi and "NĂM" in vi


def test_no_groups_points_to_the_comparison_when_the_report_has_one() -> None:
    comp, dims = _two_provinces()
    changes = pd.DataFrame({"province": ["P20"], "code": ["PAPI"], "est": [-2.1]})
    html = build_report(
        ReportInputs(
            composite=comp,
            dimensions=dims,
            changes=changes,
            changes_title="Difference from the published scores of 2024",
        )
    )
    groups = _section(html, "groups")
    assert "see “Difference from the published scores of 2024” below" in groups
    assert "<code>" not in groups


def test_one_province_has_no_rank_columns(pilot: IndexScores) -> None:
    html = build_report(ReportInputs(composite=pilot.composite, dimensions=pilot.dimensions))
    table = _section(html, "ranks")
    assert "<h2>Scores with 95% confidence intervals</h2>" in table
    assert _header_cells(table) == ["Province", "Score", "95% CI", "Respondents"]
    assert "Ranks with rank intervals" not in html and "1–1" not in table
    assert '<a href="#ranks">Scores with 95% confidence intervals</a>' in html


def test_two_provinces_keep_their_ranks() -> None:
    comp, dims = _two_provinces()
    table = _section(build_report(ReportInputs(composite=comp, dimensions=dims)), "ranks")
    assert "<h2>Ranks with rank intervals</h2>" in table
    assert _header_cells(table) == [
        "Province",
        "Score",
        "95% CI",
        "Rank",
        "Rank interval",
        "Respondents",
    ]
    names = re.findall(r'<td class="name">(.*?)</td>', table)
    assert names == ["Thua Thien Hue", "Hai Phong", POOLED_EN]  # by rank, pooled row last


def test_notes_on_the_estimates_are_listed(pilot: IndexScores) -> None:
    assert any(ONE_DF in n for n in pilot.notes)  # the pilot has 2 PSUs: the known note
    inputs = ReportInputs(pilot.composite, pilot.dimensions, notes=pilot.notes)
    notes = _section(build_report(inputs), "notes")
    assert "<h2>Notes on the estimates</h2>" in notes
    assert notes.count("<li>") == len(pilot.notes)
    assert ONE_DF in notes and "only 1 province has an aggregate score" in notes
    vi = _section(build_report(inputs, lang="vi"), "notes")
    assert "Ghi chú về các ước lượng" in vi and "tiếng Anh" in vi and ONE_DF in vi
    # no notes, no section
    assert 'id="notes"' not in build_report(ReportInputs(pilot.composite, pilot.dimensions))


def test_papi_report_carries_the_notes_of_scores_json(pilot: IndexScores, tmp_path: Path) -> None:
    (tmp_path / "scores.json").write_text(pilot.to_json(), encoding="utf-8")
    report(scores=tmp_path, out=tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert ONE_DF in _section(html, "notes")


def _completion_chart(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", _section(html, "collection"), flags=re.S)


def test_completion_is_a_bar_chart_from_zero() -> None:
    comp, dims = _two_provinces()
    coll = CollectionSummary(
        progress=pd.DataFrame(
            {"province": ["P20", "P31"], "target": [192, 192], "completed": [150, 200]}
        )
    )
    html = build_report(ReportInputs(composite=comp, dimensions=dims, collection=coll))
    (svg,) = _completion_chart(html)
    assert "150/192" in svg and "200/192" in svg  # completed/target written at each bar
    ticks = [float(t) for t in re.findall(r">\s*(-?\d+(?:\.\d+)?)\s*</text>", svg)]
    assert 0.0 in ticks and 100.0 in ticks  # the axis starts at 0 and reaches 100%
    assert "PathCollection" not in svg  # no scatter dots
    # bars: a patch each, besides the figure and axes backgrounds and the 2 visible spines
    assert len(re.findall(r'<g id="patch_\d+">', svg)) == 4 + 2


def test_one_province_has_no_completion_chart(pilot: IndexScores) -> None:
    coll = CollectionSummary(
        progress=pd.DataFrame({"province": ["P01"], "target": [96], "completed": [96]})
    )
    html = build_report(ReportInputs(pilot.composite, pilot.dimensions, collection=coll))
    section = _section(html, "collection")
    assert not _completion_chart(html)
    assert "<b>96</b>" in section and "<b>100.0%</b>" in section  # the headline numbers


def _progress(villages: dict[str, list[str]]) -> dict[str, object]:
    return {
        "provinces": [
            {
                "province": prov,
                "quota": 24 * len(vs),
                "submitted": 24 * len(vs),
                "rejected": 0,
                "villages": [{"village": v} for v in vs],
            }
            for prov, vs in villages.items()
        ]
    }


def test_collection_summary_knows_the_districts() -> None:
    summary = collection_summary(
        pd.DataFrame(),
        _progress(
            {
                "P01": ["P01-D03-C02-V01", "P01-D03-C05-V02"],
                "P31": ["P31-D01-C01-V01", "P31-D04-C02-V01"],
            }
        ),
    )
    assert dict(summary.districts) == {"P01": ["P01-D03"], "P31": ["P31-D01", "P31-D04"]}


def test_a_pilot_district_is_named(pilot: IndexScores) -> None:
    coll = collection_summary(pd.DataFrame(), _progress({"P01": ["P01-D03-C02-V01"]}))
    inputs = ReportInputs(pilot.composite, pilot.dimensions, collection=coll)
    html = build_report(inputs)
    assert '<td class="name">Hanoi — pilot district P01-D03</td>' in _section(html, "ranks")
    assert "Hanoi — pilot district P01-D03" in _section(html, "aggregate")  # chart label
    assert "Hà Nội — quận/huyện thí điểm P01-D03" in build_report(inputs, lang="vi")


def test_districts_of_a_few_provinces() -> None:
    comp, dims = _two_provinces()
    coll = collection_summary(
        pd.DataFrame(),
        _progress({"P20": ["P20-D01-C01-V01"], "P31": ["P31-D01-C01-V01", "P31-D04-C01-V01"]}),
    )
    table = _section(
        build_report(ReportInputs(composite=comp, dimensions=dims, collection=coll)), "ranks"
    )
    names = re.findall(r'<td class="name">(.*?)</td>', table)
    # one district sampled: named; several districts (the PAPI rule): the province alone
    assert names == ["Thua Thien Hue", "Hai Phong — district P20-D01", POOLED_EN]


def test_national_report_names_no_district() -> None:
    comp, dims = _published_frames()
    coll = collection_summary(pd.DataFrame(), _progress({"P01": ["P01-D03-C02-V01"]}))
    html = build_report(ReportInputs(composite=comp, dimensions=dims, collection=coll))
    assert "pilot district" not in html and '<td class="name">Hanoi</td>' in html


def test_collection_json_may_carry_districts(tmp_path: Path) -> None:
    path = tmp_path / "collection.json"
    doc = {"progress": [{"province": "P01", "target": 96, "completed": 96}], "flags": {}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert dict(load_collection(path).districts) == {}
    path.write_text(json.dumps({**doc, "districts": {"P01": ["P01-D03"]}}), encoding="utf-8")
    assert dict(load_collection(path).districts) == {"P01": ["P01-D03"]}
