"""The console's live what-if on a national survey of about 15,000 respondents: the server
time of one update, and ``score()``'s own time in the same run.

A seeded national survey on ``papi-2021`` from the survey simulator (the survey of
``bench/score_bench.py``: 19 interviews per village, about 15,000 respondents). An update of
the what-if page is the work of its fragment route once the survey's respondent frame is in
the process cache (``api.console.whatif``): compute the scores under the new choices
(``whatif.compute``: ``scoring.score`` on the reduced questionnaire, computed from the
survey's prepared indicator stage, ``scoring.index.prepared.prepare``, cached per frame and
weighting; or, for another normalisation, aggregation or weights, the sensitivity engine with
CIs and rank intervals from ``whatif.REPLICATES`` bootstrap replicates,
``scoring.sensitivity.nominal_uncertainty``, on the engine's replicate leaves cached per
frame and weighting, ``whatif.leaves``), assemble who moved against the nominal result
(computed once per engine, as the route's result cache does) and render the fragment's
template. Every update is a new set of choices (no result cache hit): each of the 28
sub-dimensions dropped in turn, weighted and unweighted, Taylor CIs; a geometric
aggregation or min–max normalisation with a dimension weight of 2, and a rank
normalisation, with a sub-dimension dropped.

It prints, in milliseconds, wall clock and CPU (process) time: ``score()`` alone (Taylor,
unweighted; median of the runs), the one-off ``prepare`` and replicate leaves of a frame and
weighting, and per kind of update the p50 and p95 of the update's time, with the ratio
p95 / ``score()``; and the load average (on a busy machine the wall times grow with the
load, CPU times much less). The target: p95 < 150 ms, with CIs for every kind. HTTP, the
cookie check and the frame version query (one indexed count, a few ms) are not included;
``bench/console_bench.py`` times whole pages over HTTP.

    python bench/whatif_bench.py                  # 15,000 respondents
    python bench/whatif_bench.py --per-village 4  # a small survey, for a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.console import scores, whatif  # noqa: E402
from api.console.i18n import translator  # noqa: E402
from api.console.routes import _env  # noqa: E402
from scoring import score  # noqa: E402
from scoring.index.prepared import prepare  # noqa: E402
from survey import load_questionnaire  # noqa: E402
from survey.simulate import simulate  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def update(
    frame: Any, q: Any, job: dict[str, Any], choices: whatif.Choices,
    nominal: dict[tuple[str, bool], whatif.Outcome], label: dict[str, str], t: Any,
) -> tuple[float, float]:  # fmt: skip
    """One what-if update (compute, moves, render); returns wall and CPU milliseconds.
    ``nominal``: the nominal outcome per (engine, weighted), as the route's result cache
    keeps them (computed here on first use, outside the timing)."""
    key = ("score" if choices.papi_arithmetic else "sensitivity", choices.weighted)
    if key not in nominal:
        nominal[key] = whatif.compute(frame, q, job, choices.nominal(), engine=key[0])
    t0, c0 = time.perf_counter(), time.process_time()
    current = whatif.compute(frame, q, job, choices)
    base = nominal[key]
    context = scores.whatif_view(current, base, "AGG", label)
    _env.get_template("_whatif_result.html").render(
        t=t, lang="en", base="/console", query=choices.query(), level_name="Aggregate",
        **context,
    )  # fmt: skip
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-village", type=int, default=19)
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    frame = simulate(2021, rng=args.seed, respondents_per_village=args.per_village).responses
    q = load_questionnaire("papi-2021")
    job = {"weighted": False, "variance": "taylor", "psu": "psu"}
    t = translator("en")
    label = scores.names("en", q)
    base = whatif.defaults(job)
    kw = whatif.score_kwargs(job, base)
    score(frame, q, **kw)  # warm
    score_ms, score_cpu = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        score(frame, q, **kw)
        score_ms.append((time.perf_counter() - t0) * 1000)
        score_cpu.append((time.process_time() - c0) * 1000)
    t0, c0 = time.perf_counter(), time.process_time()
    prepare(frame, q, **kw)
    prepare_ms = ((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000)
    # the cached prepared stages of both weightings, as after the page's first two views
    whatif.prepared(frame, q, job, weighted=True).indicator_block(share_correction=False)
    t0, c0 = time.perf_counter(), time.process_time()
    whatif.leaves(frame, q, job, weighted=False)  # as after the page's first engine view
    leaves_ms = ((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000)
    nominal: dict[tuple[str, bool], whatif.Outcome] = {}
    subs = [str(s.code) for s in q.structure.subdimensions]
    kinds: dict[str, list[whatif.Choices]] = {
        "drop a sub-dimension (Taylor)": [
            whatif.Choices(drop=(s,), weighted=w, variance="taylor")
            for s in subs
            for w in (False, True)
        ],
        "geometric / min-max / weights (bootstrap CIs)": [
            whatif.Choices(drop=(s,), weighted=False, variance="taylor", agg="geometric")
            for s in subs
        ][:10]
        + [
            whatif.Choices(
                drop=(s,), weighted=False, variance="taylor", norm="minmax", weights=(("D1", 2.0),)
            )
            for s in subs
        ][:10],
        "rank normalisation (bootstrap CIs)": [
            whatif.Choices(drop=(s,), weighted=False, variance="taylor", norm="rank") for s in subs
        ][:10],
    }
    out: dict[str, Any] = {
        "respondents": len(frame),
        "load_average": os.getloadavg()[0],
        "score_ms_median": percentile(score_ms, 50),
        "score_cpu_ms_median": percentile(score_cpu, 50),
        "prepare_ms": prepare_ms[0],
        "prepare_cpu_ms": prepare_ms[1],
        "replicates": whatif.REPLICATES,
        "leaves_ms": leaves_ms[0],
        "leaves_cpu_ms": leaves_ms[1],
    }
    for name, choices in kinds.items():
        runs = [update(frame, q, job, c, nominal, label, t) for c in choices]
        times, cpu = [w for w, _ in runs], [c for _, c in runs]
        out[name] = {
            "updates": len(times),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "p50_cpu_ms": percentile(cpu, 50),
            "p95_cpu_ms": percentile(cpu, 95),
            "p95_over_score": percentile(times, 95) / percentile(score_ms, 50),
        }
    out["load_average_end"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(
        f"national survey: {out['respondents']:,} respondents, papi-2021; load average "
        f"{out['load_average']:.2f} -> {out['load_average_end']:.2f} on {os.cpu_count()} cores"
    )
    print(
        f"score() alone (Taylor, unweighted), median of 5: {out['score_ms_median']:.0f} ms wall, "
        f"{out['score_cpu_ms_median']:.0f} ms CPU"
    )
    print(
        f"prepare() once per frame and weighting: {out['prepare_ms']:.0f} ms wall, "
        f"{out['prepare_cpu_ms']:.0f} ms CPU"
    )
    print(
        f"replicate leaves ({out['replicates']} bootstrap replicates) once per frame and "
        f"weighting: {out['leaves_ms']:.0f} ms wall, {out['leaves_cpu_ms']:.0f} ms CPU"
    )
    for name in kinds:
        r = out[name]
        print(
            f"what-if update, {name}: {r['updates']} updates, p50 {r['p50_ms']:.0f} ms, "
            f"p95 {r['p95_ms']:.0f} ms wall (CPU p50 {r['p50_cpu_ms']:.0f}, p95 "
            f"{r['p95_cpu_ms']:.0f} ms; p95 / score() = {r['p95_over_score']:.2f}; "
            "target p95 < 150 ms)"
        )


if __name__ == "__main__":
    main()
