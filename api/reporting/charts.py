"""Charts for the HTML report, rendered by matplotlib (Agg) to inline SVG strings.

SVG keeps the report one self-contained file, crisp at any zoom, and searchable (province
names stay text).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

GROUP_COLOURS: dict[str, str] = {
    "high": "#1a9850",
    "high-average": "#91cf60",
    "low-average": "#fc8d59",
    "low": "#d73027",
}
NEUTRAL = "#4a6fa5"

plt.rcParams.update({"svg.fonttype": "none", "font.size": 8})


def to_svg(fig: Figure) -> str:
    """Serialise a figure as an inline ``<svg>`` element and close it."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def dot_whisker(
    frame: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    reference: float | None = None,
    reference_label: str = "",
    group_labels: Mapping[str, str] | None = None,
) -> str:
    """Sorted dot-and-whisker chart: one row per unit, the estimate and its CI.

    ``frame`` needs ``label``, ``est``, ``lci``, ``uci`` and optionally ``group``.
    """
    data = frame.dropna(subset=["est"]).sort_values("est", ascending=True)
    height = max(2.0, 0.16 * len(data) + 0.9)
    fig, ax = plt.subplots(figsize=(7.0, height))
    y = np.arange(len(data))
    groups = data["group"] if "group" in data else pd.Series([None] * len(data), index=data.index)
    colours = [GROUP_COLOURS.get(str(g), NEUTRAL) for g in groups]
    lo = (data["est"] - data["lci"]).to_numpy(dtype=float)
    hi = (data["uci"] - data["est"]).to_numpy(dtype=float)
    has_ci = np.isfinite(lo) & np.isfinite(hi)
    if has_ci.any():
        ax.errorbar(
            data["est"].to_numpy()[has_ci],
            y[has_ci],
            xerr=np.vstack([lo[has_ci], hi[has_ci]]),
            fmt="none",
            ecolor="#888888",
            elinewidth=0.9,
            capsize=1.5,
        )
    ax.scatter(data["est"], y, c=colours, s=14, zorder=3)
    ax.set_yticks(y)
    ax.set_yticklabels(data["label"].astype(str))
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left", fontsize=10)
    ax.grid(axis="x", color="#eeeeee")
    ax.set_ylim(-0.8, len(data) - 0.2)
    handles: list[Line2D] = []
    if reference is not None and np.isfinite(reference):
        # the reference line is named in the legend, beside the plot: a label on the line at
        # the top ran into the chart title
        ax.axvline(reference, color="#333333", linestyle="--", linewidth=0.8)
        if reference_label:
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#333333",
                    linestyle="--",
                    linewidth=0.8,
                    label=f"{reference_label} ({reference:.2f})",
                )
            )
    if group_labels and "group" in data:
        handles += [
            Line2D([], [], marker="o", linestyle="", color=c, label=group_labels.get(g, g))
            for g, c in GROUP_COLOURS.items()
            if (data["group"] == g).any()
        ]
    if handles:
        ax.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False
        )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return to_svg(fig)


def rank_intervals(frame: pd.DataFrame, *, title: str, xlabel: str, ylabel: str) -> str:
    """Rank interval (``rank_lo``..``rank_hi``) against the nominal ``rank`` of each unit."""
    data = frame.dropna(subset=["rank"]).sort_values("rank")
    fig, ax = plt.subplots(figsize=(7.0, 4.2))
    ax.vlines(data["rank"], data["rank_lo"], data["rank_hi"], color="#9ab", linewidth=2)
    ax.scatter(data["rank"], data["rank_mid"], s=10, color=NEUTRAL, zorder=3)
    top = float(np.nanmax(data[["rank", "rank_hi"]].to_numpy())) if len(data) else 1.0
    ax.plot([1, top], [1, top], color="#999999", linewidth=0.7, linestyle=":")
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left", fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return to_svg(fig)


def bars(
    names: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    errors: Mapping[str, Sequence[float]] | None = None,
) -> str:
    """Grouped horizontal bars (e.g. Sobol S1 and ST per factor), optional error bars."""
    n = len(names)
    k = max(1, len(series))
    fig, ax = plt.subplots(figsize=(7.0, max(2.0, 0.35 * n * k / 1.5 + 0.8)))
    height = 0.8 / k
    for j, (label, values) in enumerate(series.items()):
        y = np.arange(n) + j * height
        err = None if errors is None or label not in errors else np.asarray(errors[label])
        ax.barh(y, np.asarray(values, dtype=float), height=height, xerr=err, label=label)
    ax.set_yticks(np.arange(n) + height * (k - 1) / 2)
    ax.set_yticklabels(list(names))
    ax.invert_yaxis()
    ax.set_title(title, loc="left", fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return to_svg(fig)


def completion_bars(frame: pd.DataFrame, *, title: str, xlabel: str, target_label: str = "") -> str:
    """Completion against the quota: one horizontal bar per unit from 0 to its percentage
    (``label``, ``completed``, ``target``), the axis from 0 to 100% (further when a unit is
    over its quota), a line at 100% and ``completed/target`` written at each bar's end."""
    data = frame[frame["target"] > 0].copy()
    data["pct"] = 100.0 * data["completed"] / data["target"]
    data = data.sort_values(["pct", "label"], ascending=[True, False])
    fig, ax = plt.subplots(figsize=(7.0, max(1.6, 0.18 * len(data) + 0.9)))
    y = np.arange(len(data))
    pct = data["pct"].to_numpy(dtype=float)
    ax.barh(y, pct, height=0.6, color=[NEUTRAL if v >= 100.0 else "#9ab" for v in pct])
    top = max(100.0, float(pct.max()) if len(pct) else 100.0)
    ax.set_xlim(0.0, top * 1.12)
    ax.axvline(100.0, color="#333333", linestyle="--", linewidth=0.8)
    if target_label:
        ax.text(100.0, len(data) - 0.45, f" {target_label}", fontsize=7, va="bottom")
    for yi, v, done, target in zip(y, pct, data["completed"], data["target"], strict=True):
        ax.text(
            v, float(yi), f" {int(done)}/{int(target)}", va="center", fontsize=6.5, color="#444444"
        )
    ax.set_yticks(y)
    ax.set_yticklabels(data["label"].astype(str))
    ax.set_ylim(-0.6, len(data) - 0.4)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left", fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return to_svg(fig)


def histogram(values: Sequence[float], *, title: str, xlabel: str) -> str:
    """A histogram (e.g. interview durations)."""
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    fig, ax = plt.subplots(figsize=(7.0, 2.6))
    ax.hist(arr, bins=min(40, max(5, int(np.sqrt(max(arr.size, 1))))), color=NEUTRAL)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left", fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return to_svg(fig)
