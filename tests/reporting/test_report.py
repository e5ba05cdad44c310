"""The HTML report: self-contained, shows every province with its numbers, both languages."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from api.reporting import CollectionSummary, ReportInputs, build_report
from scoring import compare, score_published
from survey.errors import PapiError
from survey.published import codebook, subdimensions


def _published_frames(year: int = 2023) -> tuple[pd.DataFrame, pd.DataFrame]:
    sub = subdimensions(year).set_index("province")
    dim_of = codebook().set_index("subdimension")["dimension"]
    dims = sub.T.groupby(dim_of.loc[sub.columns].to_numpy()).sum(min_count=1).T
    dims.index.name = "province"
    long = dims.reset_index().melt(id_vars="province", var_name="dimension", value_name="est")
    comp = pd.DataFrame({"province": dims.index, "est": dims.sum(axis=1, min_count=8).to_numpy()})
    comp["lci"] = comp["est"] - 0.5
    comp["uci"] = comp["est"] + 0.5
    comp["rank"] = comp["est"].rank(ascending=False, method="min")
    q25, q50, q75 = np.nanpercentile(comp["est"], [25, 50, 75])
    comp["group"] = np.select(
        [comp["est"] > q75, comp["est"] >= q50, comp["est"] >= q25, comp["est"] < q25],
        ["high", "high-average", "low-average", "low"],
        None,
    )
    return comp, long


def test_report_lists_every_province_with_its_score_and_ci() -> None:
    comp, dims = _published_frames()
    html = build_report(ReportInputs(composite=comp, dimensions=dims, method="published"))
    assert html.startswith("<!DOCTYPE html>")
    # self-contained: nothing is fetched from outside (namespaces are not fetches)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html and "<script" not in html
    best = comp.dropna(subset=["est"]).sort_values("est").iloc[-1]
    assert f"{best['est']:.2f}" in html
    assert f"[{best['lci']:.2f}, {best['uci']:.2f}]" in html
    for name in ("Hanoi", "Ca Mau", "Hai Phong"):
        assert name in html
    assert html.count("<svg") == 1 + 8  # aggregate + one per dimension
    counts = [int(x) for x in re.findall(r"\((\d+)\)</td>", html)[:4]]
    expected = comp["group"].value_counts()
    assert counts == [expected[g] for g in ("high", "high-average", "low-average", "low")]
    assert "not scored" in html  # provinces without an aggregate are shown as such


@pytest.mark.parametrize(
    ("lang", "head", "title"),
    [("en", "90% CI", "with 90% confidence interval"), ("vi", "KTC 90%", "khoảng tin cậy 90%")],
)
def test_titles_and_heads_name_the_confidence_level_of_the_scores(
    lang: str, head: str, title: str
) -> None:
    """Scores made with confidence=0.9 (papi score --confidence 0.9) are reported as 90%
    intervals everywhere: headings, the table's column head, the provenance."""
    comp, dims = _published_frames()
    meta = {"method": "taylor", "confidence": 0.9, "provenance": {"ci_dist": "t"}}
    html = build_report(ReportInputs(comp, dims, provenance=meta), lang=lang)
    assert f"<th>{head}</th>" in html and title in html
    assert "95%" not in html.replace("5–95%", "")
    default = build_report(ReportInputs(comp, dims), lang=lang)  # no provenance: 95%
    assert f"<th>{head.replace('90', '95')}</th>" in default and "{confidence}" not in default


def test_report_in_vietnamese() -> None:
    comp, dims = _published_frames()
    html = build_report(ReportInputs(composite=comp, dimensions=dims), lang="vi")
    assert 'lang="vi"' in html
    assert "Cà Mau" in html and "Điểm tổng hợp PAPI" in html and "Trung bình cao" in html


def test_optional_sections_render() -> None:
    comp, dims = _published_frames()
    changes = compare(
        score_published(subdimensions(2023), structure="papi-2021"),
        score_published(subdimensions(2022), structure="papi-2021"),
    ).composite
    sens = {
        "provinces": [
            {"province": "P01", "nominal_rank": 1, "median_rank": 2, "rank_q05": 1, "rank_q95": 4}
        ],
        "sobol": [{"factor": "weights", "S1": 0.2, "ST": 0.4}],
    }
    coll = CollectionSummary(
        progress=pd.DataFrame(
            {"province": ["P01", "P02"], "target": [576, 192], "completed": [570, 150]}
        ),
        flags={"too_fast": 12},
        durations_min=[30.0, 45.0, 50.0],
    )
    html = build_report(
        ReportInputs(
            composite=comp, dimensions=dims, changes=changes, sensitivity=sens, collection=coll
        )
    )
    assert "Year-on-year changes" in html and "too_fast" in html and "720" in html
    flagged = changes[changes["more_than_5pct"].fillna(False).astype(bool)]
    assert html.count('<span class="flag">●</span>') >= len(flagged) > 0
    assert html.count("<svg") == 9 + 2 + 2  # + rank intervals, Sobol + progress, durations


def test_bad_input_is_a_clear_error() -> None:
    comp, dims = _published_frames()
    with pytest.raises(PapiError, match="lacks the column"):
        build_report(ReportInputs(composite=comp.drop(columns="est"), dimensions=dims))
    with pytest.raises(PapiError, match="unknown report language"):
        build_report(ReportInputs(composite=comp, dimensions=dims), lang="fr")


def test_comparison_table_states_its_adjustment_and_rule() -> None:
    """The p-value column says it is Holm-adjusted, the intervals say they are
    not, "Significant" is filled by the stated rule, and a published reference is said to
    carry its own (unknown) sampling error."""
    import dataclasses

    pub = score_published(subdimensions(2023), structure="papi-2021")
    comp23 = pub.composite.assign(se=0.15, df=2.0)
    survey_like = dataclasses.replace(pub, composite=comp23, method="taylor")
    earlier = score_published(subdimensions(2022), structure="papi-2021")
    changes = compare(survey_like, earlier).composite
    comp, dims = _published_frames()
    html = build_report(ReportInputs(composite=comp, dimensions=dims, changes=changes))
    section = html[html.index('<section id="changes">') :]
    section = section[: section.index("</section>")]
    assert "p-value (Holm-adjusted)" in section and "95% CI (unadjusted)" in section
    assert "Holm-adjusted for the" in section and "adjusted p-value below 0.05" in section
    assert "own sampling error" in section
    rows = re.findall(r"<tr>(.*?)</tr>", section)[1:]
    last = [re.findall(r"<td[^>]*>(.*?)</td>", r)[-1] for r in rows]
    tested = changes["significant"].notna()
    assert sum(c.endswith("yes</span>") for c in last) == int(changes["significant"].sum())
    assert sum(c == "no" for c in last) == int(
        (tested & ~changes["significant"].fillna(False)).sum()
    )
    assert all(c for c in last)  # never blank: yes, no, or a dash for no test
    vi = build_report(ReportInputs(composite=comp, dimensions=dims, changes=changes), lang="vi")
    assert "hiệu chỉnh Holm" in vi and "sai số chọn mẫu riêng" in vi


def test_reference_label_does_not_touch_the_chart_title() -> None:
    """Regression: "Toàn quốc" was drawn on the reference line above the plot, into the title;
    it now sits in the legend, well below the title's baseline."""
    from api.reporting import charts

    frame = pd.DataFrame(
        {"label": ["A", "B", "C"], "est": [40.0, 42.0, 44.0], "lci": [39.0, 41, 43]}
    ).assign(uci=lambda f: f["est"] + 1)
    svg = charts.dot_whisker(
        frame, title="Title", xlabel="x", reference=42.0, reference_label="Toàn quốc"
    )

    def baseline(prefix: str) -> float:
        m = re.search(r'<text[^>]* y="([0-9.]+)"[^>]*>' + prefix, svg)
        assert m, prefix
        return float(m.group(1))

    assert baseline("To") - baseline("Title") >= 14  # more than the 10 px title's height


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_report_explains_itself(lang: str) -> None:
    """Which data each section uses, the missing provinces by name and why, a
    plain-language paragraph per sensitivity chart, and the method line, the rank-shift
    summary, the Sobol factor names and the quality-flag codes in the report's language."""
    comp, dims = _published_frames(2024)
    sens = {
        "provinces": [
            {"province": "P01", "nominal_rank": 1, "median_rank": 2, "rank_q05": 1, "rank_q95": 4}
        ],
        "sobol": [{"factor": "aggregation.dimension", "S1": 0.2, "ST": 0.4}],
        "overall": {"mean_abs_shift": 2.5},
        "runs": 1000,
        "input": {"published": 2023},
    }
    coll = CollectionSummary(
        progress=pd.DataFrame({"province": ["P01", "P02"], "target": [5, 5], "completed": [5, 4]}),
        flags={"too_fast": 12},
    )
    html = build_report(
        ReportInputs(
            composite=comp,
            dimensions=dims,
            method="taylor, confidence 95%, weighted",
            sensitivity=sens,
            collection=coll,
            published_year=2024,
        ),
        lang=lang,
    )
    want = {
        "en": [
            "Data: the published PAPI scores of 2024.",
            "Not in the published data of 2024: Vinh Phuc, Tien Giang",
            "Data: the published PAPI scores of 2023.",
            "a province&#39;s rank moved by 2.50 places on average",
            "the “nominal rank”",
            "S1 (first order)",
            "aggregation of sub-dimensions into dimensions",
            "interview too short (too_fast)",
        ],
        "vi": [
            "Phương pháp: tuyến tính hóa Taylor, mức tin cậy 95%, có trọng số",
            "Dữ liệu: điểm PAPI đã công bố năm 2024.",
            "Không có trong dữ liệu công bố năm 2024: Vĩnh Phúc, Tiền Giang",
            "Dữ liệu: điểm PAPI đã công bố năm 2023.",
            "thay đổi trung bình 2.50 bậc",
            "“hạng danh nghĩa”",
            "S1 (bậc một)",
            "cách gộp chỉ số thành phần thành chỉ số nội dung",
            "phỏng vấn quá ngắn (too_fast)",
        ],
    }[lang]
    for text in want:
        assert text in html, text
    if lang == "vi":
        assert "Mean absolute rank shift" not in html and "aggregation.dimension" not in html


def test_sensitivity_of_unknown_data_says_so() -> None:
    comp, dims = _published_frames()
    sens = {"provinces": [], "overall": {"mean_abs_shift": 1.0}}
    html = build_report(ReportInputs(composite=comp, dimensions=dims, sensitivity=sens))
    assert "not recorded in the sensitivity result" in html
    assert "Mean absolute rank shift: 1.00" in html
