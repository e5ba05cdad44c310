"""A district pilot with more communes: honest 95% CIs for the district it surveys.

A pilot is one district; scoring clusters on its communes (stratum = district, psu =
commune), so PAPI's 2 communes leave 1 degree of freedom. With 8 communes (7 df) the Taylor
CIs cover the district's expected score about 95% of the time. The right truth is the
district's (``sim.truth_at("district")``): a pilot says nothing about the rest of its
province, whose level differs from the district's by the district's own effect.
"""

from __future__ import annotations

import numpy as np
import pytest
from sim_helpers import covered, replicated_pilot

from scoring import score
from survey.questionnaire.schema import Questionnaire
from survey.sampling import PAPI_RULES
from survey.simulate import simulate

PILOTS = 400  # independent pilots of one district, simulated and scored in one pass
DISTRICT = "P01-D03"  # Ha Noi (large: 24 interviews per village), 20 communes


@pytest.mark.slow
def test_eight_commune_pilot_covers_its_district(papi_2021: Questionnaire) -> None:
    """400 pilots of P01-D03 with 8 communes x 2 villages (384 interviews each): Taylor CIs
    cover the district's truth 93-97% of the time for sub-dimensions, dimensions and the
    aggregate, and cover the province's level far less often."""
    frame, targets = replicated_pilot(DISTRICT, PILOTS, 2023)
    rules = PAPI_RULES.with_sizes(communes=8, villages=2)
    sim = simulate(2023, rng=1, frame=frame, targets=targets, questionnaire=papi_2021, rules=rules)
    r = sim.responses
    assert (r.groupby("province")["psu"].nunique() == 8).all()
    assert (r.groupby("province").size() == 8 * 2 * 24).all()
    scores = score(r, papi_2021)
    hits = covered(sim, scores, "district")
    for tier, v in hits.items():
        assert not np.isnan(v).any(), tier  # every pilot gets every score
    district = {tier: float(v.mean()) for tier, v in hits.items()}
    for rate in district.values():
        assert 0.93 <= rate <= 0.97, district
    province = {tier: float(np.nanmean(v)) for tier, v in covered(sim, scores).items()}
    assert max(province.values()) < 0.85, province
    composite = scores.composite.loc[scores.composite["province"] != "VN"]
    half = float(((composite["uci"] - composite["lci"]) / 2).median())
    assert half < 1.5, half  # PAPI's 2-commune pilot: a median of about 3.9 points
