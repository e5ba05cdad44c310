"""Coverage of 95% CIs of every level on simulated surveys with known truth, by variance option.

Each run simulates a PAPI survey of a set of provinces (survey.simulate, calibrated to the
published 2021 scores: the expected score of every province is known), scores it once per
variance option, and records for the aggregate, the dimensions and the sub-dimensions (those
with every indicator scored: an available-case mean estimates another quantity) whether the
CI covers the truth, with the SE and the estimate (for the Monte Carlo SD). Used by the slow
test (test_index_coverage.py) and, for the figures in docs/scoring.md and
docs/simulation.md, run as::

    python -m tests.scoring.index.coverage_study --seeds 7301-7500 \\
        --provinces P03 P08 P12 P19 P24 P31 P36 P46 P52 P57
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from scoring import score
from survey.simulate import simulate
from tests.scoring.index.rank_study import binom_ci, markdown

OPTIONS: dict[str, dict[str, object]] = {
    "R": {"share_correction": False},
    "share": {"share_correction": True},
    "ps": {"share_correction": False, "poststratified": True},
    "share+ps": {"share_correction": True, "poststratified": True},
    "unweighted": {"weighted": False, "share_correction": False},
}
"""Variance options compared: keyword arguments of ``score`` (weighted Taylor unless said)."""

LEVELS = ("aggregate", "dimension", "subdimension")


def one_survey(
    seed: int, provinces: list[str], options: Mapping[str, Mapping[str, object]]
) -> pd.DataFrame:
    """One row per (option, province, level, code): est, se, lci, uci, truth, covered."""
    sim = simulate(2021, rng=seed, provinces=provinces)
    truth = sim.truth_at("province")
    frames = []
    for name, kwargs in options.items():
        s = score(sim.responses, "papi-2021", **kwargs)  # type: ignore[arg-type]
        gaps = s.indicators.groupby(["province", "subdimension"])["est"].apply(
            lambda e: bool(e.isna().any())
        )
        for tier, key, measure in (
            ("composite", None, "aggregate"),
            ("dimensions", "dimension", "dimension"),
            ("subdimensions", "subdimension", "subdimension"),
        ):
            f = s.tier(tier)
            f = f.loc[f["province"] != "VN"].copy()
            f["code"] = "aggregate" if key is None else f[key]
            t = truth.loc[truth["measure"] == measure, ["province", "code", "value"]]
            if key is None:
                t = t.assign(code="aggregate")
            f = f.merge(t, on=["province", "code"], how="inner").dropna(subset=["se"])
            if tier == "subdimensions":
                full = [not gaps.loc[(p, c)] for p, c in zip(f["province"], f["code"], strict=True)]
                f = f.loc[full]
            frames.append(
                f.loc[:, ["province", "code", "est", "se", "lci", "uci", "value"]].assign(
                    option=name, level=measure
                )
            )
    out = pd.concat(frames, ignore_index=True)
    out["seed"] = seed
    out["covered"] = (out["lci"] <= out["value"]) & (out["value"] <= out["uci"])
    return out


def run(
    seeds: Iterable[int],
    provinces: list[str],
    options: Mapping[str, Mapping[str, object]] = OPTIONS,
) -> pd.DataFrame:
    return pd.concat([one_survey(s, provinces, options) for s in seeds], ignore_index=True)


def summary(r: pd.DataFrame, by: tuple[str, ...] = ("option", "level")) -> pd.DataFrame:
    """Coverage with a Clopper–Pearson 95% interval per group (cells of one survey are not
    independent, so the interval is somewhat too narrow), and the root mean square SE over
    the Monte Carlo SD of the estimates (1 = unbiased SEs)."""
    rows = []
    for key, g in r.groupby(list(by), sort=False):
        k, n = int(g["covered"].sum()), len(g)
        lo, hi = binom_ci(k, n)
        cell = g.groupby(["province", "code"])
        ratio = np.sqrt((cell["se"].apply(lambda s: float((s**2).mean()))).mean()) / np.sqrt(
            cell["est"].var().mean()
        )
        rows.append(
            {
                **dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True)),
                "n": n,
                "coverage": k / n,
                "lci": lo,
                "uci": hi,
                "se_over_sd": float(ratio),
            }
        )
    return pd.DataFrame(rows)


def _seeds(text: str) -> list[int]:
    a, _, b = text.partition("-")
    return list(range(int(a), int(b or a) + 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", default="7301-7310")
    ap.add_argument("--provinces", nargs="+", default=["P12", "P46"])
    ap.add_argument("--options", nargs="+", default=list(OPTIONS), choices=list(OPTIONS))
    ap.add_argument("--out", help="also write every cell to this CSV")
    a = ap.parse_args()
    r = run(_seeds(a.seeds), a.provinces, {k: OPTIONS[k] for k in a.options})
    if a.out:
        r.to_csv(a.out, index=False)
    print(f"{r['seed'].nunique()} surveys of {', '.join(a.provinces)}, seeds {a.seeds}\n")
    print(markdown(summary(r)))


if __name__ == "__main__":
    main()
