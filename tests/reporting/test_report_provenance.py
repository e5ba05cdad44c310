"""The HTML report prints how the scores were made (IndexScores provenance, docs/scoring.md "Provenance: how a result was made")."""

from __future__ import annotations

import html

from api.reporting import ReportInputs, build_report
from api.reporting.report import provenance_rows
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


def test_the_vietnamese_report_names_the_provenance_rows_in_vietnamese() -> None:
    sim = simulate(2021, rng=4, provinces=["P01", "P02"], respondents_per_village=3)
    scores = score(sim.responses, sim.questionnaire, replicates=20, rng=6, min_n=4)
    inputs = ReportInputs(
        composite=scores.composite, dimensions=scores.dimensions, provenance=scores.meta()
    )
    rows = {lang: provenance_rows(scores.meta(), lang) for lang in ("en", "vi")}
    # the same values, named in each language (every row's name is translated)
    assert [v for _, v in rows["en"]] == [v for _, v in rows["vi"]]
    assert len(rows["en"]) == 9
    assert all(a != b for (a, _), (b, _) in zip(rows["en"], rows["vi"], strict=True))
    page = html.unescape(build_report(inputs, lang="vi"))
    section = page[page.index('id="provenance"') :]
    section = section[: section.index("</section>")]
    assert "Cách tính các điểm số này" in section
    for what, _ in rows["vi"]:
        assert f"<th>{what}</th>" in section, what
    for what, _ in rows["en"]:
        assert f"<th>{what}</th>" not in section, what
