"""`papi plan`'s predictions checked by simulation (docs/planning.md): for 3 designs in each
of 2 districts and 2 provinces, 200 independent simulated pilots per design, scored with
weighted Taylor CIs. The median achieved half-width of the aggregate and of every dimension
lies within ±15% of the plan's prediction, and the CIs cover the place's truth 93-97% of the
time: pooled over the place's three designs (600 pilots) for the aggregate, pooled over the
dimensions for each design; a single design's aggregate coverage (200 pilots, a binomial SD
of 1.5 points) must not lie significantly outside 93-97% (its 99% Clopper-Pearson interval
meets the band). The designs and seeds are bench/plan_check.py's, which prints the table."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from scipy import stats

from scoring.plan import Design, check_design, place_of, simulated_components

YEAR = 2023
CASES = {  # bench/plan_check.py's
    "P01-D03": (Design(1, 6, 2, 16), Design(1, 10, 2, 12), Design(1, 8, 3, 8)),
    "P31-D03": (Design(1, 6, 2, 16), Design(1, 8, 2, 12), Design(1, 6, 3, 12)),
    "P20": (Design(6, 2, 2, 16), Design(8, 2, 3, 8), Design(5, 3, 2, 16)),
    "P31": (Design(5, 2, 2, 16), Design(6, 3, 3, 8), Design(4, 3, 2, 16)),
}


@pytest.mark.slow
@pytest.mark.parametrize("code", sorted(CASES))
def test_plan_predicts_simulated_pilots(code: str) -> None:
    place = place_of(code)
    comps = simulated_components(code, YEAR)
    pilots = 200
    aggregate = []
    for design in CASES[code]:
        c = check_design(place, design, comps, YEAR, pilots=pilots)
        ratios = {k: round(c.ratio(k), 3) for k in c.achieved}
        assert all(0.85 <= r <= 1.15 for r in ratios.values()), (design, ratios)
        dims = [k for k in c.coverage if k != "PAPI"]
        pooled = sum(c.coverage[k] for k in dims) / len(dims)
        assert 0.93 <= pooled <= 0.97, (design, c.coverage)
        covered = round(c.coverage["PAPI"] * pilots)
        ci = stats.binomtest(covered, pilots).proportion_ci(0.99, method="exact")
        assert ci.low <= 0.97 and ci.high >= 0.93, (design, c.coverage, ci)
        aggregate.append(c.coverage["PAPI"])
    assert 0.93 <= sum(aggregate) / len(aggregate) <= 0.97, aggregate


def test_the_bench_checks_the_same_designs() -> None:
    path = Path(__file__).resolve().parents[2] / "bench" / "plan_check.py"
    spec = importlib.util.spec_from_file_location("plan_check", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.CASES == CASES and bench.YEAR == YEAR
