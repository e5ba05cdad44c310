"""Study: CI widths of the 2025 two-tier design against the 2018 three-district design.

Simulates national PAPI surveys calibrated to 2024 in both geographies with the same seeds —
2018: 63 provinces, 3 (small) or 6 (medium, large) districts as PSUs, 12 or 24 villages;
2025: 34 provinces, 6 or 12 communes/wards as PSUs, 12 or 24 villages — scores each with
Taylor-linearised 95% CIs (Student's t on the design df), and prints, per design and group of
provinces, the median design df, the median CI width of the aggregate (8–80) and of the
dimensions (1–10), and the share of CIs that cover the simulation's truth. Groups: the 11
provinces the reform left unchanged (same population and same villages in both designs: only
the PSUs differ), the merged provinces (2025) against their former provinces (2018).

Run: ``python bench/geography_ci_widths.py [--seeds 4] [--json]`` (docs/geography.md has
the table this printed).
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd

from scoring import score
from survey.geography import crosswalk
from survey.simulate import simulate


def one(seed: int, geography: str) -> pd.DataFrame:
    sim = simulate(2024, rng=seed, geography=geography)
    s = score(sim.responses, sim.questionnaire, variance="taylor", replicates=10, rng=seed)
    truth = sim.truth_at("province")
    truth = truth.set_index(["province", "code"])["value"]
    rows = []
    for tier, key in (("composite", None), ("dimensions", "dimension")):
        t = s.tier(tier)
        t = t.loc[t["province"] != "VN"].copy()
        t["code"] = "PAPI" if key is None else t[key]
        t["truth"] = truth.reindex(pd.MultiIndex.from_frame(t[["province", "code"]])).to_numpy()
        t["width"] = t["uci"] - t["lci"]
        t["covered"] = (t["lci"] <= t["truth"]) & (t["truth"] <= t["uci"])
        t["tier"] = tier
        rows.append(t[["province", "code", "tier", "df", "width", "covered", "truth"]])
    out = pd.concat(rows, ignore_index=True).dropna(subset=["truth", "width"])
    out["geography"] = geography
    out["seed"] = seed
    return out


def groups(table: pd.DataFrame) -> pd.Series:
    cw = crosswalk()
    size = cw.groupby("new")["former"].size()
    unchanged_new = set(size.index[size == 1])
    unchanged_old = set(cw.loc[cw["new"].isin(unchanged_new), "former"])
    is_unchanged = table["province"].isin(unchanged_new | unchanged_old)
    return pd.Series(np.where(is_unchanged, "unchanged (11)", "merged"), index=table.index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    parts = [one(seed, g) for seed in range(args.seeds) for g in ("2018", "2025")]
    table = pd.concat(parts, ignore_index=True)
    table["group"] = groups(table)
    summary = (
        table.groupby(["tier", "group", "geography"])
        .agg(
            provinces=("province", "nunique"),
            df=("df", "median"),
            width=("width", "median"),
            coverage=("covered", "mean"),
            n=("covered", "size"),
        )
        .reset_index()
    )
    if args.json:
        print(summary.to_json(orient="records", indent=1))
        return
    print(f"{args.seeds} simulated national surveys per design (2024 calibration, Taylor CIs)")
    print(summary.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(json.dumps({"seeds": args.seeds, "rows": len(table)}))


if __name__ == "__main__":
    main()
