"""Benchmark: full PAPI index scoring of a 15,000-respondent survey, ours vs R ``survey``.

A seeded national survey on ``papi-2021`` from the survey simulator (``survey.simulate``,
calibrated to the published 2021 scores; 60 scored provinces, 19 interviews per village,
about 15,000 respondents, 132 indicators). We time ``scoring.score`` end to end (indicator
values from the raw answers, province and national domain means, every level, SEs, CIs,
ranks, rank intervals and group probabilities):

- with Taylor CIs, weighted and unweighted (target < 100 ms), and in the same run the design kernel
  under it (``SurveyDesign.domain_means`` + ``taylor_variance`` of the 132 indicator means
  in every province and nationally) with the ratio score() / kernel;
- the respondent-frame check ``score()`` starts with (``survey.respondents.analysis_frame``), and its
  share of the Taylor time;
- with 1,000 Rao–Wu bootstrap replicates, the whole pipeline recomputed per replicate
  (target < 5 s).

Where Rscript with the survey package is installed, R computes the same 28 sub-dimension
scores of every province with their Taylor SEs the way one would in R
(``svyby(~totals, ~province, design, svytotal, covmat=TRUE)`` + ``svycontrast`` per
sub-dimension; timed inside R, data loading excluded); we check the SEs agree (ours without the
PSU-share correction, which R does not make) and print the
ratio of R's time to ours (for our *whole* Taylor scoring, every level): the anchor.

Run: ``python bench/score_bench.py [--repeat 15] [--no-r] [--no-bootstrap]``. Timings are medians
of ``--repeat`` runs after one warm-up, wall clock and CPU (process) time; ``score()`` and the
kernel run alternately so that both see the same load, and the ratio is of those medians. On
a busy machine the wall times grow with the load; the CPU times and the ratio much less.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring import IndexScores, score
from scoring.design.structure import codes as integer_codes
from scoring.index.frame_design import analysis_design
from scoring.index.indicators import indicator_values
from scoring.index.structure import IndexStructure
from survey import load_questionnaire
from survey.questionnaire.schema import Questionnaire
from survey.respondents.analysis_frame import check_for_scoring
from survey.simulate import simulate

R_SCRIPT = r"""
suppressMessages(library(survey)); library(jsonlite)
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
spec <- fromJSON(args[2])
ind <- spec$indicators; K <- length(ind)
for (j in seq_len(K)) {
  y <- d[[paste0("y", j)]]
  d[[paste0("n", j)]] <- ifelse(is.na(y), 0, y); d[[paste0("d", j)]] <- as.numeric(!is.na(y))
}
elapsed <- system.time({
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
  out <- list()
  for (s in spec$subdimensions) {
    js <- which(spec$indicator_subdimension == s)
    f <- as.formula(paste("~", paste(c(paste0("n", js), paste0("d", js)), collapse = "+")))
    by <- svyby(f, ~province, des, svytotal, covmat = TRUE)
    k <- spec$k[[s]]
    exprs <- lapply(sort(unique(d$province)), function(p) {
      terms <- sapply(js, function(j) {
        L <- spec$goalposts[j, 1]; U <- spec$goalposts[j, 2]
        sprintf("(1 + 9 * (`%s:n%d` / `%s:d%d` - (%.17g)) / (%.17g))", p, j, p, j, L, U - L)
      })
      parse(text = sprintf("(%s) / %d / %d", paste(terms, collapse = " + "), length(js), k))[[1]]
    })
    names(exprs) <- sort(unique(d$province))
    res <- svycontrast(by, exprs)
    out[[s]] <- list(est = as.list(coef(res)), se = as.list(SE(res)))
  }
})[["elapsed"]]
writeLines(toJSON(list(seconds = elapsed, results = out), auto_unbox = TRUE, digits = NA), args[3])
"""


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _both(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU (process) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def design_kernel(responses: pd.DataFrame, q: Questionnaire) -> Callable[[], None]:
    """The design kernel under ``score``: Hájek means and influence values of every
    indicator per province and nationally, and their Taylor variances."""
    _, y, _ = indicator_values(responses, q)
    design, _ = analysis_design(responses, "stratum", "psu", "weight", True, "fail")
    domain, provinces = integer_codes(responses["province"].astype("str"))
    d = len(provinces)

    def kernel() -> None:
        _, u, _, _ = design.domain_means(y, domain, d)
        _, u_n, _, _ = design.domain_means(y, None)
        design.taylor_variance(u, domain, d)
        design.taylor_variance(u_n)

    return kernel


def interleaved(
    fn: Callable[[], object], kernel: Callable[[], None], repeat: int
) -> dict[str, float]:
    """Median wall and CPU seconds of ``fn`` and of the kernel, run alternately (one warm-up
    each) so that both see the same machine load; the ratios are of those medians."""
    fn()
    kernel()
    runs = [(*_both(fn), *_both(kernel)) for _ in range(repeat)]
    wall, cpu, k_wall, k_cpu = (float(np.median(col)) for col in zip(*runs, strict=True))
    return {"wall": wall, "cpu": cpu, "kernel_wall": k_wall, "kernel_cpu": k_cpu}


def r_subdimensions(responses: pd.DataFrame, count: int) -> dict[str, Any] | None:
    """R's sub-dimension SEs and time, or None without Rscript + survey."""
    if shutil.which("Rscript") is None:
        return None
    q = load_questionnaire("papi-2021")
    st = IndexStructure.from_questionnaire(q)
    # R receives exactly the indicator values we scored (suppressed cells left to R)
    _, y, _ = indicator_values(responses, q)
    values = pd.DataFrame(y, columns=[f"y{j + 1}" for j in range(y.shape[1])])
    design = responses.loc[:, ["province", "stratum", "psu", "weight"]].reset_index(drop=True)
    frame = pd.concat([design, values], axis=1)
    k = dict(zip(st.subdimensions, st.k().astype(int).tolist(), strict=True))
    spec = {
        "indicators": list(st.indicators),
        "indicator_subdimension": list(st.indicator_subdimension),
        "goalposts": [list(g) for g in st.goalposts],
        "subdimensions": list(st.subdimensions)[:count],
        "k": k,
    }
    with tempfile.TemporaryDirectory() as tmp:
        data, spec_path, out, script = (Path(tmp) / n for n in ("d.csv", "s.json", "o.json", "b.R"))
        frame.to_csv(data, index=False)
        spec_path.write_text(json.dumps(spec))
        script.write_text(R_SCRIPT)
        proc = subprocess.run(
            ["Rscript", str(script), str(data), str(spec_path), str(out)],
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if proc.returncode != 0:
            print("R failed:", proc.stderr.strip().splitlines()[-1:])
            return None
        doc: dict[str, Any] = json.loads(out.read_text())
    return doc


def bootstrap_timing(
    responses: pd.DataFrame, q: Questionnaire, taylor: IndexScores, repeat: int
) -> None:
    """Time score() with 1,000 Rao–Wu bootstrap replicates (whole pipeline per replicate)."""

    def bootstrap() -> IndexScores:
        return score(responses, q, variance="bootstrap", replicates=1000, rng=1)

    boot = bootstrap()  # warm-up
    b = [_both(bootstrap) for _ in range(repeat)]
    print(
        f"score(variance='bootstrap', replicates=1000): {float(np.median([w for w, _ in b])):6.3f} s "
        f"wall, {float(np.median([c for _, c in b])):6.3f} s CPU (target: a few seconds, < 5 s)"
    )
    scored = taylor.composite["est"].notna().sum() - 1
    ratio = (boot.composite["se"] / taylor.composite["se"]).median()
    print(f"provinces with an aggregate: {scored}; median SE ratio bootstrap/Taylor {ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--no-bootstrap", action="store_true", help="skip the bootstrap timing")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--r-subdimensions",
        type=int,
        default=28,
        help="how many sub-dimensions R computes (R needs minutes for all 28)",
    )
    args = parser.parse_args()

    q = load_questionnaire("papi-2021")
    responses = simulate(2021, rng=args.seed, respondents_per_village=19).responses
    print(
        f"survey: {len(responses):,} respondents, {responses['province'].nunique()} provinces, "
        f"{responses['psu'].nunique()} PSUs, {len(q.indicators)} indicators (papi-2021)"
    )
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; medians of "
        f"{args.repeat} runs, score() and the kernel alternating"
    )
    kernel = design_kernel(responses, q)
    taylor = score(responses, q, variance="taylor")
    t_taylor = 0.0
    for weighted in (True, False):
        t = interleaved(
            lambda w=weighted: score(responses, q, variance="taylor", weighted=w),
            kernel,
            args.repeat,
        )
        t_taylor = t_taylor or t["wall"]
        label = "weighted" if weighted else "unweighted"
        print(
            f"score(variance='taylor', {label}): {1000 * t['wall']:6.1f} ms wall, "
            f"{1000 * t['cpu']:6.1f} ms CPU (target < 100 ms)\n"
            f"  design kernel (domain_means + taylor_variance, provinces + national): "
            f"{1000 * t['kernel_wall']:.1f} ms wall, {1000 * t['kernel_cpu']:.1f} ms CPU; "
            f"ratio score() / kernel {t['wall'] / t['kernel_wall']:.1f}x wall, "
            f"{t['cpu'] / t['kernel_cpu']:.1f}x CPU",
            flush=True,
        )

    def check() -> None:
        check_for_scoring(responses, strata="stratum", psu="psu", weights="weight", weighted=True)

    check()
    t_check = float(np.median([_seconds(check) for _ in range(max(args.repeat, 10))]))
    print(
        f"  of which the frame check (survey.respondents.analysis_frame): {1000 * t_check:.1f} ms "
        f"({t_check / t_taylor:.1%} of the weighted Taylor scoring)"
    )
    if not args.no_bootstrap:
        bootstrap_timing(responses, q, taylor, max(3, args.repeat // 5))
    if args.no_r:
        return
    print("running R (minutes) ...", flush=True)
    r = r_subdimensions(responses, args.r_subdimensions)
    if r is None:
        print("R comparison skipped (no Rscript with the survey package)")
        return
    # R's svyby + svycontrast is the plain linearisation: compare with ours without the
    # PSU-share correction that score() applies by default where the design calls for it
    plain = score(responses, q, variance="taylor", share_correction=False)
    sub = plain.subdimensions.set_index(["subdimension", "province"])
    # cells where we used every indicator (R gets no min_n / available-case rule)
    gaps = plain.indicators.groupby(["subdimension", "province"])["est"].apply(
        lambda e: e.isna().any()
    )
    diffs = [
        abs(float(sub.loc[(s, p), "se"]) - float(se))
        for s, res in r["results"].items()
        for p, se in res["se"].items()
        if isinstance(se, int | float) and not gaps.loc[(s, p)]
    ]
    print(
        f"R svyby+svycontrast, {len(r['results'])} sub-dimensions x provinces (Taylor SEs): "
        f"{r['seconds']:.2f} s; "
        f"max |SE ours - SE R| = {max(diffs):.2e} over {len(diffs)} cells "
        "(ours without the PSU-share correction, as R computes it)"
    )
    print(
        f"ratio R / ours: {r['seconds'] / t_taylor:.0f}x (R: {len(r['results'])} sub-dimensions; "
        "ours: the whole Taylor scoring, every level)"
    )


if __name__ == "__main__":
    main()
