"""Rank-interval coverage and group-probability calibration on simulated surveys.

Each run simulates a PAPI survey of a fixed set of provinces (survey.simulate, calibrated
to the published 2021 scores, so the expected score of every province is known), scores it,
and compares, for the aggregate and the eight dimensions, every province's 95% rank interval
with its true rank (rank of the true score among the simulated provinces) and its four
performance-group probabilities with its true group (PAPI's quartile rule on the true
scores). Used by the slow tests (test_index_rank_coverage.py) and, for the figures in
docs/scoring.md, run as::

    python -m tests.scoring.index.rank_study --seeds 8001-8030 --method taylor bootstrap
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from scoring import score
from scoring.index.groups import GROUP_LABELS, group_codes, ranks
from survey.sampling import load_frame
from survey.simulate import simulate

PROBS = ["p_high", "p_high_average", "p_low_average", "p_low"]


def study_provinces(every: int = 3, offset: int = 0) -> list[str]:
    """Every ``every``-th province of the frame (21 of 63 by default): ranks among them."""
    codes = list(load_frame().provinces["province"])
    return codes[offset::every]


def one_survey(
    seed: int,
    provinces: list[str],
    method: str = "taylor",
    replicates: int = 1000,
    dist: str = "t",
) -> pd.DataFrame:
    """One row per (province, code) ranked: rank interval, true rank, group probabilities,
    true group; codes are ``aggregate`` and the dimensions."""
    sim = simulate(2021, rng=seed, provinces=provinces)
    s = score(
        sim.responses, "papi-2021", variance=method, replicates=replicates, rng=seed, ci_dist=dist
    )
    truth = sim.truth_at("province")
    frames = []
    for tier, key, measure in (
        ("composite", None, "aggregate"),
        ("dimensions", "dimension", "dimension"),
    ):
        f = s.tier(tier)
        f = f.loc[f["province"] != "VN"].copy()
        f["code"] = "aggregate" if key is None else f[key]
        t = truth.loc[truth["measure"] == measure, ["province", "code", "value"]]
        if key is None:
            t = t.assign(code="aggregate")
        f = f.merge(t, on=["province", "code"], how="inner").dropna(subset=["rank_lci"])
        for _, g in f.groupby("code"):
            v = g["value"].to_numpy(np.float64)[:, None]
            g = g.assign(true_rank=ranks(v, axis=0)[:, 0], true_group=group_codes(v, axis=0)[:, 0])
            frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    out["seed"] = seed
    out["psus"] = out["df"] + 1
    out["covered"] = (out["rank_lci"] <= out["true_rank"]) & (out["true_rank"] <= out["rank_uci"])
    out["width"] = out["rank_uci"].astype(float) - out["rank_lci"].astype(float) + 1
    return out.loc[
        :,
        [
            "seed",
            "province",
            "code",
            "est",
            "se",
            "df",
            "value",
            "psus",
            "rank_lci",
            "rank_uci",
            "true_rank",
            "covered",
            "width",
            *PROBS,
            "true_group",
        ],
    ]


def run(
    seeds: Iterable[int],
    provinces: list[str],
    method: str = "taylor",
    replicates: int = 1000,
    dist: str = "t",
) -> pd.DataFrame:
    return pd.concat([one_survey(s, provinces, method, replicates, dist) for s in seeds])


def binom_ci(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Clopper–Pearson interval of a proportion ``k/n``."""
    a = 1 - level
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


def coverage(r: pd.DataFrame) -> pd.DataFrame:
    """Rank-interval coverage overall and by PSUs per province, with binomial CIs."""
    rows = []
    for name, g in [("all", r), *((f"{int(p)} PSUs", g) for p, g in r.groupby("psus"))]:
        k, n = int(g["covered"].sum()), len(g)
        lo, hi = binom_ci(k, n)
        rows.append(
            {
                "cells": name,
                "n": n,
                "coverage": k / n,
                "lci": lo,
                "uci": hi,
                "mean_width": float(g["width"].mean()),
            }
        )
    return pd.DataFrame(rows)


def calibration(
    r: pd.DataFrame, edges: tuple[float, ...] = (0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)
) -> pd.DataFrame:
    """Predicted group probability (all four groups pooled) against the observed share of
    cells truly in that group, by probability bin, with binomial CIs."""
    p = r[PROBS].to_numpy(np.float64)
    hit = r["true_group"].to_numpy()[:, None] == np.arange(len(GROUP_LABELS))[None]
    p, hit = p.ravel(), hit.ravel()
    rows = []
    for lo_e, hi_e in itertools.pairwise(edges):
        m = (p > lo_e) & (p <= hi_e) if lo_e > 0 else (p <= hi_e)
        k, n = int(hit[m].sum()), int(m.sum())
        if n == 0:
            continue
        lo, hi = binom_ci(k, n)
        rows.append(
            {
                "bin": f"({lo_e}, {hi_e}]",
                "n": n,
                "mean_p": float(p[m].mean()),
                "observed": k / n,
                "lci": lo,
                "uci": hi,
            }
        )
    return pd.DataFrame(rows)


def markdown(t: pd.DataFrame) -> str:
    """A pipe table, proportions to 3 decimals (no tabulate dependency)."""

    def cell(v: object) -> str:
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(t.columns) + " |", "|" + "---|" * len(t.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in t.itertuples(index=False)]
    return "\n".join(lines)


def _seeds(text: str) -> list[int]:
    a, _, b = text.partition("-")
    return list(range(int(a), int(b or a) + 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", default="8001-8020")
    ap.add_argument("--method", nargs="+", default=["taylor"])
    ap.add_argument("--offset", type=int, default=1)
    ap.add_argument(
        "--every",
        type=int,
        default=3,
        help="every n-th province of the frame (1: every province; 60 have 2021 scores)",
    )
    ap.add_argument("--dist", default="t", help="t (default) or normal (the old rank draws)")
    a = ap.parse_args()
    provinces = study_provinces(every=a.every, offset=a.offset)
    for method in a.method:
        r = run(_seeds(a.seeds), provinces, method, dist=a.dist)
        print(
            f"\n## {method}, {a.dist} draws: {r['seed'].nunique()} surveys of "
            f"{len(provinces)} provinces (every {a.every}, offset {a.offset}), seeds {a.seeds}"
        )
        print(markdown(coverage(r)), "", markdown(calibration(r)), sep="\n")


if __name__ == "__main__":
    main()
