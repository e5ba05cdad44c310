"""Benchmark: simulating a full national PAPI survey (target: ~16,000 interviews in < 10 s).

Times ``survey.simulate.simulate`` for the 2023 survey (61 scored provinces, 804 villages)
with the default 16/24 interviews per village (13,248 interviews) and with 20 per village
(16,080 interviews, the size of the post-2020 samples), after a warm-up that loads the frame
and the questionnaire (one-off costs, reported separately). Prints the best of ``--repeat``
runs, interviews per second and the ratio to the 10 s target; ``--json`` for machine output.

Run: ``python bench/simulate_bench.py [--repeat 3] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import time

from survey.questionnaire.loader import load_questionnaire
from survey.sampling import load_frame
from survey.simulate import simulate

TARGET_SECONDS = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    load_frame()
    q = load_questionnaire("papi-2021" if args.year >= 2021 else "papi-2019")
    load_seconds = time.perf_counter() - t0
    simulate(args.year, rng=0, provinces=["P31"], questionnaire=q)  # warm caches

    results = []
    for per_village in (None, 20):
        best = float("inf")
        n = 0
        for seed in range(args.repeat):
            t = time.perf_counter()
            sim = simulate(
                args.year, rng=seed, respondents_per_village=per_village, questionnaire=q
            )
            best = min(best, time.perf_counter() - t)
            n = len(sim.responses)
        results.append(
            {
                "respondents_per_village": per_village or "16/24",
                "interviews": n,
                "seconds": round(best, 3),
                "interviews_per_second": round(n / best),
                "ratio_to_target": round(best / TARGET_SECONDS, 3),
            }
        )
    out = {"year": args.year, "load_seconds": round(load_seconds, 3), "runs": results}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"one-off load of frame + questionnaire: {load_seconds:.2f} s")
    for r in results:
        print(
            f"{r['interviews']:>6} interviews ({r['respondents_per_village']} per village): "
            f"{r['seconds']:.2f} s, {r['interviews_per_second']:,} interviews/s, "
            f"{r['ratio_to_target']:.2f} x the {TARGET_SECONDS:.0f} s target"
        )


if __name__ == "__main__":
    main()
