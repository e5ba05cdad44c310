"""PNG plots of a sensitivity audit (matplotlib, Agg backend), drawn from its JSON document
(``SensitivityResult.to_json()``), so that a stored result can be plotted again.

- ``rank_intervals``: every province's 5–95% rank interval and median rank against its
  nominal rank (the JRC audits' standard chart; points on the diagonal did not move);
- ``sobol_bars``: first-order and total Sobol' indices of each factor for the mean absolute
  rank shift, with their bootstrap confidence intervals.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

GROUP_COLOURS = {
    "high": "#1a9850",
    "high-average": "#91cf60",
    "low-average": "#fc8d59",
    "low": "#d73027",
}


def rank_intervals(result: Mapping[str, Any], path: Path, *, title: str | None = None) -> Path:
    """Median rank and 5–95% interval against the nominal rank of the aggregate."""
    rows = [r for r in result["provinces"] if r["nominal_rank"] is not None]
    rows.sort(key=lambda r: r["nominal_rank"])
    nominal = np.array([r["nominal_rank"] for r in rows], dtype=float)
    med = np.array([r["median_rank"] for r in rows], dtype=float)
    lo = np.array([r["rank_q05"] for r in rows], dtype=float)
    hi = np.array([r["rank_q95"] for r in rows], dtype=float)
    colours = [GROUP_COLOURS.get(r.get("nominal_group") or "", "#4a6fa5") for r in rows]
    fig, ax = plt.subplots(figsize=(7.5, 6.5), dpi=110)
    n = len(rows)
    ax.plot([1, n], [1, n], color="#999999", lw=0.8, zorder=1)
    ax.vlines(nominal, lo, hi, colors=colours, lw=2.2, alpha=0.8, zorder=2)
    ax.scatter(nominal, med, s=14, color="black", zorder=3, label="median rank")
    for x, y, r in zip(nominal, hi, rows, strict=True):
        ax.annotate(
            r.get("name") or r["province"], (x, y), xytext=(0, -2), textcoords="offset points",
            rotation=90, fontsize=5, ha="center", va="top", color="#444444",
        )  # fmt: skip
    ax.set_xlim(0, n + 1)
    ax.set_ylim(n + 12, -1)
    ax.set_xlabel("nominal rank (PAPI's own choices)")
    ax.set_ylabel("rank over the Monte Carlo runs (5–95% interval, median)")
    runs = result.get("runs")
    ax.set_title(title or f"Rank uncertainty of the aggregate ({runs} runs)")
    handles = [
        Line2D([], [], color=c, lw=2.2, label=f"nominal group: {g}")
        for g, c in GROUP_COLOURS.items()
    ]
    ax.legend(handles=[*handles, ax.collections[-1]], fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def sobol_bars(result: Mapping[str, Any], path: Path, *, title: str | None = None) -> Path:
    """S1 and ST (with CIs) of each factor for the mean absolute rank shift."""
    rows = result.get("sobol") or []
    fig, ax = plt.subplots(figsize=(7.5, 3.8), dpi=110)
    if not rows:
        ax.text(0.5, 0.5, "no uncertain choice: nothing to attribute", ha="center", va="center")
        ax.set_axis_off()
    else:
        factors = [r["factor"] for r in rows]
        x = np.arange(len(factors))
        for shift, key, colour in ((-0.2, "S1", "#4a6fa5"), (0.2, "ST", "#d98c1f")):
            est = np.array([np.nan if r[key] is None else r[key] for r in rows], dtype=float)
            ci = np.array(
                [[np.nan if v is None else v for v in r[f"{key}_ci"]] for r in rows], dtype=float
            )
            err = np.abs(np.vstack([est - ci[:, 0], ci[:, 1] - est]))
            ax.bar(x + shift, est, width=0.4, color=colour, label=key)
            ax.errorbar(x + shift, est, yerr=err, fmt="none", ecolor="black", lw=0.8, capsize=2)
        ax.set_xticks(x, factors, rotation=20, ha="right", fontsize=8)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylabel("Sobol' index")
        ax.legend(fontsize=8)
    ax.set_title(title or "What drives the rank shifts: first-order (S1) and total (ST) indices")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def write_plots(result: Mapping[str, Any], directory: Path) -> list[Path]:
    """Both plots into ``directory`` (created): ``rank_intervals.png``, ``sobol.png``."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        rank_intervals(result, directory / "rank_intervals.png"),
        sobol_bars(result, directory / "sobol.png"),
    ]
