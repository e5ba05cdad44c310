"""What changed: the report's comparison rule (scoring.compare), only like with like."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring import IndexScores, compare, score_published
from scoring.brief import province_changes
from survey import published


def scores(year: int) -> IndexScores:
    return score_published(published.subdimensions(year), published.questionnaire_of(year))


def test_2021_against_2020_skips_what_changed_definition() -> None:
    c = province_changes(scores(2021), scores(2020), "P20")
    skipped = {(r["code"], r["reason"]) for r in c.not_compared.to_dict("records")}
    assert skipped == {
        ("SC51", "rescaled"),
        ("SC53", "rescaled"),
        ("SC54", "rescaled"),
        ("SC52", "dropped"),
        ("D5", "redefined"),
    }
    assert c.changed_dimensions == ("D5",)
    compared = set(c.table["code"])
    assert not compared & {"SC51", "SC52", "SC53", "SC54", "D5"}
    assert {"PAPI", "D1", "D8", "SC83"} <= compared


def test_2019_against_2018_new_e_responsiveness_and_rescaled_d8() -> None:
    c = province_changes(scores(2019), scores(2018), "P20")
    skipped = {(r["code"], r["reason"]) for r in c.not_compared.to_dict("records")}
    assert {("SC83", "new"), ("SC81", "rescaled"), ("SC82", "rescaled"), ("D8", "redefined")} <= (
        skipped
    )


def test_flags_are_the_report_comparison() -> None:
    """The numbers and flags are compare()'s (the rule papi report shows), row for row;
    without standard errors the flag is PAPI's 5% rule."""
    a, b = scores(2023), scores(2022)
    c = province_changes(a, b, "P31")
    ref = compare(a, b).dimensions.set_index(["province", "code"]).loc["P31"]
    dims = c.table[c.table["tier"] == "dimensions"].set_index("code")
    np.testing.assert_allclose(dims["change"], ref.loc[dims.index, "est"], atol=0)
    assert not c.tested
    expected = ref.loc[dims.index, "more_than_5pct"].astype(bool)
    assert (dims["beyond_noise"].astype(bool) == expected).all()
    assert dims["significant"].isna().all()
    row = c.table.set_index("code").loc["PAPI"]
    assert row["change_pct"] == pytest.approx(100 * (row["after"] - row["before"]) / row["before"])


def test_with_standard_errors_the_adjusted_test_decides() -> None:
    a, b = scores(2023), scores(2022)
    rng = np.random.default_rng(0)

    def with_se(s: IndexScores, scale: float) -> IndexScores:
        frames = {}
        for tier in ("indicators", "subdimensions", "dimensions", "composite"):
            f = s.tier(tier).copy()
            f["se"] = scale * (1 + rng.random(len(f)))
            f["df"] = 40.0
            frames[tier] = f
        return IndexScores(**frames, method="taylor", confidence=0.95, weighted=False)

    c = province_changes(with_se(a, 0.05), with_se(b, 0.05), "P20")
    assert c.tested and c.adjust == "holm"
    sig = c.table["significant"]
    assert sig.notna().all()
    assert (c.table["beyond_noise"] == sig).all()
    assert isinstance(c.table, pd.DataFrame)


def test_questionnaire_of_every_published_year_has_that_years_structure() -> None:
    """Agreement: the questionnaire named for a year has the sub-dimensions and dimensions
    the year's published columns imply (what like-with-like comparisons rely on)."""
    from scoring.index.published import infer_structure
    from scoring.index.structure import IndexStructure
    from survey import load_questionnaire

    for year in published.YEARS:
        columns = [c for c in published.subdimensions(year).columns if c != "province"]
        inferred = infer_structure(columns)
        q = IndexStructure.from_questionnaire(load_questionnaire(published.questionnaire_of(year)))
        assert (q.subdimensions, q.subdimension_dimension) == (
            inferred.subdimensions,
            inferred.subdimension_dimension,
        ), year
