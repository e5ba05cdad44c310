"""Speed of the sensitivity Monte Carlo: 10,000 runs over 63 provinces (target: < 10 s).

    python bench/sensitivity_bench.py [--runs 10000]

Audits the published 2019 scores (all 63 provinces scored, 29 sub-dimensions) and 2023
(61 scored) under the default JRC-style audit (3 normalisations x 2 aggregations at two
levels x ±25% noise on 37 weights x one sub-dimension dropped at a time), and a heavier
spec with Copeland and PCA weights. Prints wall times and runs per second.
"""

from __future__ import annotations

import argparse
import time

from scoring.sensitivity import (
    Design,
    Spec,
    default_audit,
    index_sobol,
    published_input,
    uncertainty,
)
from survey.published import subdimensions

HEAVY = Spec.parse(
    {
        "normalisation": ["goalposts", "minmax", "rank"],
        "aggregation": {
            "dimension": ["arithmetic", "geometric", "generalised:0.5"],
            "index": ["arithmetic", "geometric", "copeland"],
        },
        "weights": {"schemes": ["equal", "pca"], "noise": 0.25},
        "exclusion": {"mode": "random", "level": "subdimension", "k": 2},
    }
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    runs = parser.parse_args().runs
    for year, name, spec in (
        (2019, "default audit", default_audit(microdata=False)),
        (2023, "default audit", default_audit(microdata=False)),
        (2019, "heavy (Copeland, PCA, k=2)", HEAVY),
    ):
        design = Design(published_input(subdimensions(year)), spec)
        uncertainty(design, 100, rng=0)  # warm-up
        t0 = time.perf_counter()
        res = uncertainty(design, runs, rng=1)
        mc = time.perf_counter() - t0
        t0 = time.perf_counter()
        sob = index_sobol(design, 512, rng=2)
        sobol = time.perf_counter() - t0
        shift = res.overall.set_index("output").loc["PAPI", "mean_abs_shift"]
        print(
            f"{year} {name:28s} {len(design.data.provinces)} provinces x "
            f"{len(design.data.leaves)} leaves: Monte Carlo {runs} runs {mc:6.2f} s "
            f"({runs / mc:8.0f} runs/s; target < 10 s: {'ok' if mc < 10 else 'SLOW'}), "
            f"Sobol' {sob.n_runs} runs + {sob.table['output'].nunique()} analyses {sobol:5.2f} s; "
            f"mean |rank shift| {shift:.2f}"
        )


if __name__ == "__main__":
    main()
