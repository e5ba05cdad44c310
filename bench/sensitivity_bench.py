"""Speed of the sensitivity Monte Carlo: 10,000 runs over 63 provinces (target: < 10 s).

    python bench/sensitivity_bench.py [--runs 10000]

Audits the published 2019 scores (all 63 provinces scored, 29 sub-dimensions) and 2023
(61 scored) under the default JRC-style audit (3 normalisations x 2 aggregations at two
levels x ±25% noise on 37 weights x one sub-dimension dropped at a time), and a heavier
spec with Copeland and PCA weights. Prints wall and CPU times (the machine may be shared:
CPU time is the stabler number) and runs per second.
"""

from __future__ import annotations

import argparse
import time

from scoring.sensitivity import (
    Design,
    IndexData,
    Spec,
    default_audit,
    index_sobol,
    microdata_input,
    published_input,
    uncertainty,
)
from survey.published import subdimensions
from survey.simulate import simulate

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
    parser.add_argument(
        "--microdata", action="store_true", help="also audit a simulated 2023 survey"
    )
    args = parser.parse_args()
    runs = args.runs
    cases: list[tuple[str, str, IndexData, Spec]] = [
        ("2019", "default audit", published_input(subdimensions(2019)), default_audit(microdata=False)),
        ("2023", "default audit", published_input(subdimensions(2023)), default_audit(microdata=False)),
        ("2019", "heavy (Copeland, PCA, k=2)", published_input(subdimensions(2019)), HEAVY),
    ]  # fmt: skip
    if args.microdata:
        sim = simulate(2023, rng=7).responses
        t0 = time.perf_counter()
        data = microdata_input(sim, "papi-2021", replicates=200, rng=1)
        print(f"microdata input (200 bootstrap replicates): {time.perf_counter() - t0:.2f} s")
        cases.append(("sim 2023", "default microdata audit", data, default_audit(microdata=True)))
    for year, name, data, spec in cases:
        design = Design(data, spec)
        uncertainty(design, 100, rng=0)  # warm-up
        t0, c0 = time.perf_counter(), time.process_time()
        res = uncertainty(design, runs, rng=1)
        mc, cpu = time.perf_counter() - t0, time.process_time() - c0
        t0 = time.perf_counter()
        sob = index_sobol(design, 512, rng=2)
        sobol = time.perf_counter() - t0
        verdict = "" if data.microdata else f"; target < 10 s: {'ok' if mc < 10 else 'SLOW'}"
        shift = res.overall.set_index("output").loc["PAPI", "mean_abs_shift"]
        print(
            f"{year} {name:28s} {len(design.data.provinces)} provinces x "
            f"{len(design.data.leaves)} leaves: Monte Carlo {runs} runs {mc:6.2f} s wall, "
            f"{cpu:5.2f} s CPU ({runs / mc:6.0f} runs/s{verdict}), "
            f"Sobol' {sob.n_runs} runs + {sob.table['output'].nunique()} analyses {sobol:5.2f} s; "
            f"mean |rank shift| {shift:.2f}"
        )


if __name__ == "__main__":
    main()
