"""`papi plan`'s predictions checked by simulation (docs/planning.md): for 3 designs in each
of 2 districts, 200 independent simulated pilots per design, scored with weighted Taylor CIs.
The median achieved half-width of the aggregate and of every dimension lies within ±15% of
the plan's prediction, and the CIs cover the district's truth 93-97% of the time."""

from __future__ import annotations

import pytest

from scoring.plan import Design, check_design, place_of, simulated_components

CASES = {
    "P01-D03": (Design(1, 6, 2, 16), Design(1, 10, 2, 12), Design(1, 8, 3, 8)),
    "P31-D03": (Design(1, 6, 2, 16), Design(1, 8, 2, 12), Design(1, 6, 3, 12)),
}


@pytest.mark.slow
@pytest.mark.parametrize("code", sorted(CASES))
def test_plan_predicts_simulated_pilots(code: str) -> None:
    place = place_of(code)
    comps = simulated_components(code, 2023)
    for design in CASES[code]:
        c = check_design(place, design, comps, 2023, pilots=200)
        ratios = {k: round(c.ratio(k), 3) for k in c.achieved}
        assert all(0.85 <= r <= 1.15 for r in ratios.values()), (design, ratios)
        dims = [k for k in c.coverage if k != "PAPI"]
        pooled = sum(c.coverage[k] for k in dims) / len(dims)
        assert 0.93 <= pooled <= 0.97, (design, c.coverage)
        assert 0.93 <= c.coverage["PAPI"] <= 0.97, (design, c.coverage)
