"""`papi plan`'s predictions checked by simulation (docs/planning.md): for 3 designs in each
of 2 districts and 2 provinces, 200 independent simulated pilots per design, scored with
weighted Taylor CIs. The median achieved half-width of the aggregate and of every dimension
lies within ±15% of the plan's prediction, and the CIs cover the place's truth 93-97% of the
time. The designs and seeds are bench/plan_check.py's, which prints the table."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

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
    for design in CASES[code]:
        c = check_design(place, design, comps, YEAR, pilots=200)
        ratios = {k: round(c.ratio(k), 3) for k in c.achieved}
        assert all(0.85 <= r <= 1.15 for r in ratios.values()), (design, ratios)
        dims = [k for k in c.coverage if k != "PAPI"]
        pooled = sum(c.coverage[k] for k in dims) / len(dims)
        assert 0.93 <= pooled <= 0.97, (design, c.coverage)
        assert 0.93 <= c.coverage["PAPI"] <= 0.97, (design, c.coverage)


def test_the_bench_checks_the_same_designs() -> None:
    path = Path(__file__).resolve().parents[2] / "bench" / "plan_check.py"
    spec = importlib.util.spec_from_file_location("plan_check", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.CASES == CASES and bench.YEAR == YEAR
