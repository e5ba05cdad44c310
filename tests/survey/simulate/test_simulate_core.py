"""The simulator: design columns, truth, exact expectations, realism, reproducibility."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sim_helpers import replicated

from api.submissions.schemas import SubmissionIn
from survey.errors import NotFound
from survey.published import subdimensions
from survey.questionnaire.loader import load_questionnaire
from survey.sampling import load_frame
from survey.simulate import SimulatedSurvey, questionnaire_for_year, simulate
from survey.simulate.submissions import submissions, write_submissions
from survey.validation import validate_response

DESIGN = [
    "submission_id", "province", "district", "commune", "village", "stratum", "psu",
    "prob_district", "prob_commune", "prob_village", "prob_person", "design_weight", "weight",
    "sex", "age", "age_group", "ethnicity", "urban",
]  # fmt: skip


@pytest.fixture(scope="module")
def sim() -> SimulatedSurvey:
    return simulate(2023, rng=7, provinces=["P01", "P31", "P26", "P04"])


def test_design_columns(sim: SimulatedSurvey) -> None:
    r = sim.responses
    assert set(DESIGN) <= set(r.columns)
    assert r["submission_id"].is_unique
    prob = r[["prob_district", "prob_commune", "prob_village", "prob_person"]].prod(axis=1)
    np.testing.assert_allclose(r["design_weight"], 1 / prob)
    sizes = r.groupby("village").size()
    assert (sizes[sizes.index.str.startswith("P01")] == 24).all()
    assert (sizes[sizes.index.str.startswith("P31")] == 16).all()
    # post-stratified weights reproduce the frame's adults by sex x age group
    targets = load_frame().poststrata.set_index(["province", "sex", "age_group"])["population"]
    got = r.groupby(["province", "sex", "age_group"])["weight"].sum()
    np.testing.assert_allclose(got, targets[got.index], rtol=1e-9)
    # the variance units: every selected district a PSU of its province stratum
    assert (r["stratum"] == r["province"]).all()
    assert (r["psu"] == r["district"]).all()


def test_province_truth_is_the_published_score(sim: SimulatedSurvey) -> None:
    pub = subdimensions(2023).set_index("province")
    t = sim.truth_at("province", "subdimension").pivot(index="unit", columns="code", values="value")
    np.testing.assert_allclose(t, pub.loc[t.index, t.columns], atol=1e-5)
    agg = sim.truth_at("province", "aggregate").set_index("unit")["value"]
    np.testing.assert_allclose(agg, pub.loc[agg.index].sum(axis=1), atol=1e-4)
    levels = set(sim.truth["level"])
    assert levels == {"province", "district", "commune", "village"}
    assert set(sim.truth["measure"]) == {"indicator", "subdimension", "dimension", "aggregate"}


@pytest.mark.parametrize("year", [2018, 2020])
def test_other_structures_and_gaps(year: int) -> None:
    s = simulate(year, rng=1, provinces=["P14", "P20"])
    assert s.questionnaire.id == questionnaire_for_year(year)
    t = s.truth_at("province", "aggregate").set_index("unit")["value"]
    if year == 2018:  # Quang Ninh was not scored on D2 and D4 in 2018: no aggregate
        assert np.isnan(t["P14"])
        assert t["P20"] == pytest.approx(42.8005, abs=1e-3)  # published Hai Phong 2018
    else:
        assert t.notna().all()


def test_unscored_provinces_are_left_out() -> None:
    s = simulate(2023, rng=2, provinces=["P14", "P47", "P31"])
    assert set(s.responses["province"]) == {"P31"}
    with pytest.raises(NotFound):
        simulate(2023, rng=2, provinces=["P14"])
    with pytest.raises(NotFound):
        simulate(2023, rng=2, provinces=["P99"])
    with pytest.raises(NotFound):
        questionnaire_for_year(2016)


def test_expectation_is_exact_over_units() -> None:
    """The mean of the village-level truth over many independent provinces is the target."""
    frame, targets = replicated(["P31"], 150, 2023)
    s = simulate(2023, rng=3, frame=frame, targets=targets)
    v = s.truth_at("village")
    v = v.loc[v["measure"].isin(["subdimension", "aggregate"])]
    # villages of one copy share district and commune draws: average within copy first
    per_copy = v.groupby(["province", "code"])["value"].mean().reset_index()
    stats = per_copy.groupby("code")["value"].agg(["mean", "std", "count"])
    want = s.truth_at("province").query("unit == 'P31.001'").set_index("code")["value"]
    z = (stats["mean"] - want[stats.index]) / (stats["std"] / np.sqrt(stats["count"]))
    assert (z.abs() < 4.5).all(), z[z.abs() >= 4.5]
    # and the variation between villages is real
    assert v.loc[v["code"] == "PAPI", "value"].std() > 0.3


def test_realism(sim: SimulatedSurvey) -> None:
    r = sim.responses
    female = (r["sex"] == 2).mean()
    assert 0.52 < female < 0.62  # over-represented in the raw sample
    w_female = r.loc[r["sex"] == 2, "weight"].sum() / r["weight"].sum()
    assert 0.47 < w_female < 0.52  # corrected by weighting
    assert r["age"].between(18, 70).all()
    # papi-2021 serves 2021-2030: a 2023 survey is interviewed in 2023's fieldwork season
    dates = pd.to_datetime(r["interview_date"])
    assert dates.dt.year.eq(2023).all() and dates.dt.month.ge(7).all()
    assert sim.questionnaire.item("interview_date").max == "2030-12-31"
    # eligibility: about a quarter used a certification procedure (sim_p_yes 0.26)
    assert 0.18 < r["q51_01"].mean() < 0.34
    # skip logic: the procedure's questions only for those who used it
    assert r.loc[r["q51_01"] == 0, "q51_11"].isna().all()
    assert r.loc[r["q51_01"] == 1, "q51_11"].notna().all()
    # don't-know and refusals occur
    values = r.select_dtypes("number").to_numpy()
    assert (values == -8).sum() > 100
    assert (values == -9).sum() > 10


def test_intraclass_correlation_is_realistic() -> None:
    """One-way ANOVA ICC of village clusters on a calibrated yes/no item."""
    frame, targets = replicated(["P31"], 40, 2023)
    s = simulate(2023, rng=4, frame=frame, targets=targets)
    y = s.responses[["village", "q11_01"]].dropna()
    g = y.groupby("village")["q11_01"]
    m = g.size().mean()
    msb = (g.size() * (g.mean() - y["q11_01"].mean()) ** 2).sum() / (g.ngroups - 1)
    msw = ((y["q11_01"] - g.transform("mean")) ** 2).sum() / (len(y) - g.ngroups)
    icc = (msb - msw) / (msb + (m - 1) * msw)
    assert 0.03 < icc < 0.2, icc


def test_reproducible_and_province_independent() -> None:
    a = simulate(2023, rng=11, provinces=["P31", "P04"]).responses
    b = simulate(2023, rng=11, provinces=["P31", "P04"]).responses
    pd.testing.assert_frame_equal(a, b)
    alone = simulate(2023, rng=11, provinces=["P31"]).responses
    both = a.loc[a["province"] == "P31"].reset_index(drop=True)
    cols = [c for c in alone.columns if c != "weight"]  # post-stratification is per province too
    pd.testing.assert_frame_equal(alone[cols], both[cols])
    c = simulate(2023, rng=12, provinces=["P31"]).responses
    assert not c["q11_01"].equals(alone["q11_01"])


def test_pilot_and_respondents_per_village() -> None:
    s = simulate(2023, rng=5, pilot="P31-D02", respondents_per_village=20)
    r = s.responses
    assert set(r["district"]) == {"P31-D02"}
    assert len(r) == 4 * 20
    assert (r["stratum"] == "P31-D02").all()
    assert r["psu"].nunique() == 2
    assert (r["prob_district"] == 1).all()


def test_submissions_validate_and_have_the_api_shape(sim: SimulatedSurvey, tmp_path: Path) -> None:
    docs = list(submissions(sim, rng=7))
    assert len(docs) == len(sim.responses)
    q = sim.questionnaire
    # a special answer to a decimal item (stored in a float column) is sent as the int code
    cost = [d["answers"]["q53_03"] for d in docs if d["answers"].get("q53_03", 0) < 0]
    assert cost and all(type(v) is int and v in q.special_code_values for v in cost)
    for doc in docs[::7]:
        assert set(doc) == {"submission_id", "location", "answers", "paradata", "design"}
        assert set(doc["paradata"]["gps"]) == {"lat", "lon"}
        assert doc["design"]["psu"] == doc["location"]["district"]
        SubmissionIn.model_validate(doc)  # the API's request model accepts it
        assert set(doc["location"]) == {"province", "district", "commune", "village"}
        assert set(doc["paradata"]) == {"enumerator", "device", "start", "end", "gps"}
        assert doc["paradata"]["start"] < doc["paradata"]["end"]
        assert validate_response(q, doc["answers"]) == [], doc["submission_id"]
    small = simulate(2023, rng=6, pilot="P31-D02")
    n = write_submissions(small, tmp_path, rng=6)
    files = sorted(tmp_path.glob("*.json"))
    assert n == len(files) == len(small.responses)
    doc = json.loads(files[0].read_text(encoding="utf-8"))
    assert doc["submission_id"] + ".json" == files[0].name


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(level=st.floats(0.05, 0.95), seed=st.integers(0, 2**31 - 1))
def test_any_target_is_reproduced_exactly(level: float, seed: int) -> None:
    """Calibrating to arbitrary scores (every sub-dimension at the same relative level of its
    [1/k, 10/k] scale) gives a province truth equal to them."""
    q = load_questionnaire("papi-2021")
    k = {s.code: d.k for d in q.structure.dimensions for s in d.subdimensions}
    targets = pd.DataFrame({c: [(1 + 9 * level) / kd] for c, kd in k.items()}, index=["P31"])
    s = simulate(2023, rng=seed, provinces=["P31"], targets=targets)
    got = s.truth_at("province", "subdimension").set_index("code")["value"]
    np.testing.assert_allclose(got[targets.columns], targets.iloc[0], atol=1e-5)
    assert s.truth_at("province", "aggregate")["value"].iloc[0] == pytest.approx(
        8 * (1 + 9 * level), abs=1e-4
    )
