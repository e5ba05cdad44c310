"""The HTML report prints how the scores were made (IndexScores provenance, docs/scoring.md "Provenance: how a result was made")."""

from __future__ import annotations

import html
import re

from api.reporting import ReportInputs, build_report
from scoring import score
from survey.simulate import simulate


def test_the_report_prints_the_provenance_of_the_scores() -> None:
    sim = simulate(2021, rng=4, provinces=["P01", "P02"], respondents_per_village=3)
    scores = score(
        sim.responses, sim.questionnaire, variance="bootstrap", replicates=20, rng=6, min_n=4
    )
    prov = scores.provenance
    assert prov is not None
    inputs = ReportInputs(
        composite=scores.composite,
        dimensions=scores.dimensions,
        provenance=scores.meta(),
    )
    page = html.unescape(build_report(inputs))
    section = page[page.index('id="provenance"') :]
    section = section[: section.index("</section>")]
    for text in (
        "How these scores were made",
        "bootstrap, 20 replicates",
        "95%, t distribution",
        "min_n = 4, min_share = 0.5",
        "strata stratum, PSU psu, lonely PSU: fail",
        "weight: the weight column as given",
        "post-stratification in the variance: no; PSU-share correction: no",
        f"papi-2021 {prov.questionnaire_version}",
        f"papi-engine {prov.engine_version}",
    ):
        assert text in section, text
    assert ">6<" in section  # the seed
    taylor = score(sim.responses, sim.questionnaire, min_n=4, share_correction=True)
    page = html.unescape(
        build_report(
            ReportInputs(
                composite=taylor.composite, dimensions=taylor.dimensions, provenance=taylor.meta()
            )
        )
    )
    assert "PSU-share correction: yes" in page
    # without provenance (plain tables, e.g. from CSV) there is no such section
    plain = build_report(ReportInputs(composite=scores.composite, dimensions=scores.dimensions))
    assert 'id="provenance"' not in plain


def test_the_vietnamese_report_prints_the_provenance_in_vietnamese() -> None:
    """Every row of "How these scores were made" is in Vietnamese in a vi report: the row
    labels, the method, the CI distribution, the suppression rules, the design, the weighting
    and the variance options (the Vietnamese report was once only partly translated)."""
    from api.reporting.i18n import PROVENANCE_PHRASES
    from scoring.index.rescore import WEIGHTING
    from scoring.index.results import SUPPRESSION_RULES

    # every fixed phrase scoring writes has its translation (a changed English text fails here)
    for phrase in (*SUPPRESSION_RULES, WEIGHTING):
        assert phrase in PROVENANCE_PHRASES["vi"], phrase
    sim = simulate(2021, rng=4, provinces=["P01", "P02"], respondents_per_village=3)
    english = (
        "method",
        "replicates",
        "distribution",
        "is missing",
        "the weight column as given",
        "post-stratification",
        "PSU-share corrected",
        "lonely PSU",
        "yes",
        "not recorded",
    )
    for scores, want in (
        (
            score(sim.responses, sim.questionnaire, min_n=4, share_correction=True),
            [
                "phương pháp",
                "tuyến tính hóa Taylor (khoảng thứ hạng từ 1000 lần rút",
                "95%, phân phối t",
                "bị bỏ trống",
                "hậu phân tầng theo giới tính × nhóm tuổi",
                "phương sai hiệu chỉnh theo tỷ trọng trọng số của các PSU",
                "tầng chỉ có một PSU: báo lỗi",
                "hiệu chỉnh theo tỷ trọng trọng số của các PSU: có",
            ],
        ),
        (
            score(
                sim.responses,
                sim.questionnaire,
                min_n=4,
                weighted=False,
                variance="bootstrap",
                replicates=20,
                rng=6,
            ),
            ["bootstrap Rao–Wu, 20 lần lặp", "không dùng trọng số (trọng số bằng 1"],
        ),
    ):
        page = html.unescape(
            build_report(
                ReportInputs(
                    composite=scores.composite,
                    dimensions=scores.dimensions,
                    provenance=scores.meta(),
                ),
                lang="vi",
            )
        )
        section = page[page.index('id="provenance"') :]
        section = section[: section.index("</section>")]
        for text in want:
            assert text in section, text
        for text in english:  # as words: "Bayes" is Vietnamese too, and holds "yes"
            assert not re.search(rf"\b{re.escape(text)}\b", section), text
