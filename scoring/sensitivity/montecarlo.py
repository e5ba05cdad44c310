"""Uncertainty analysis: the index rebuilt under random choices, ranks summarised.

The JRC audit recipe (Saisana, Saltelli & Tarantola 2005, *JRSS A* 168(2):307–323; OECD/JRC
Handbook 2008, §7.1; docs/variance.md, "Composite indicators and sensitivity"): draw every uncertain choice, rebuild the index, rank;
per unit report the nominal rank, the median and the 5th/95th percentiles of its rank, and
the mean absolute shift from the nominal rank. We add PAPI's performance groups
(docs/method.md "Performance groups": P25/P50/P75 among the scored provinces of each run) and how often the
top (``high``) and bottom (``low``) groups change. Runs are processed in chunks, each one
array operation (:meth:`Design.evaluate`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.index.groups import GROUP_LABELS, group_codes
from scoring.sensitivity.data import TOP
from scoring.sensitivity.engine import Design, Outputs
from scoring.sensitivity.ranking import quantiles, rank_desc
from survey.rng import RngLike, as_generator

FloatArray = NDArray[np.float64]
Progress = Callable[[int, int], None]


def stack(out: Outputs) -> FloatArray:
    """``(runs, provinces, 1 + D)``: the aggregate, then every dimension."""
    return np.concatenate([out.aggregate[:, :, None], out.dimensions], axis=2)


def output_names(design: Design) -> tuple[str, ...]:
    return (TOP, *design.data.dimensions)


@dataclass(frozen=True)
class UncertaintyResult:
    """Per province and output (``PAPI``, ``D1``…): rank statistics over ``runs`` runs.

    Attributes
    ----------
    provinces : pandas.DataFrame
        Rank intervals, median ranks and group probabilities per province and output.
    overall : pandas.DataFrame
        Summaries over provinces (mean absolute rank shift, group changes) per output.
    runs : int
        Monte Carlo runs.
    """

    provinces: pd.DataFrame
    overall: pd.DataFrame
    runs: int

    def to_frame(self) -> pd.DataFrame:
        return self.provinces.copy()


def uncertainty(
    design: Design,
    runs: int = 1000,
    rng: RngLike = None,
    *,
    progress: Progress | None = None,
    chunk: int | None = None,
) -> UncertaintyResult:
    """Monte Carlo over the choices of ``design`` (``runs`` random points of its cube).

    Parameters
    ----------
    design : Design
        The audit's choices on its data.
    runs : int, default 1000
        Monte Carlo runs.
    rng : int, numpy.random.Generator or None, default None
        Random source; ``None`` is seed 0.
    progress : callable or None, default None
        Called as ``progress(done, total)``.
    chunk : int or None, default None
        Runs evaluated at once; ``None``: the design's choice.

    Returns
    -------
    UncertaintyResult
        Rank statistics per province and output.
    """
    gen = as_generator(rng)
    chunk = chunk or design.chunk
    nominal = stack(design.evaluate(design.nominal()))
    r0, g0 = rank_desc(nominal, axis=1)[0], group_codes(nominal, axis=1)[0]
    cube = gen.random((runs, design.n_columns))
    p, k = nominal.shape[1:]
    ranks = np.empty((runs, p, k))
    groups = np.empty((runs, p, k), dtype=np.int8)
    for start in range(0, runs, chunk):  # a few chunks, each vectorised over its runs
        s = stack(design.evaluate(design.decode(cube[start : start + chunk])))
        ranks[start : start + chunk] = rank_desc(s, axis=1)
        groups[start : start + chunk] = group_codes(s, axis=1)
        if progress is not None:
            progress(min(start + chunk, runs), runs)
    return _summarise(design, nominal[0], r0, g0, ranks, groups)


def _summarise(
    design: Design,
    nominal: FloatArray,
    r0: FloatArray,
    g0: NDArray[np.int64],
    ranks: FloatArray,
    groups: NDArray[np.int8],
) -> UncertaintyResult:
    runs = ranks.shape[0]
    names = output_names(design)
    q05, med, q95 = quantiles(ranks, (0.05, 0.5, 0.95), axis=0)
    shift = np.abs(ranks - r0[None])
    ranked = ~np.isnan(shift)
    with np.errstate(invalid="ignore"):
        mean_shift = np.where(ranked, shift, 0.0).sum(axis=0) / ranked.sum(axis=0)
        valid = (groups >= 0).sum(axis=0)
        p_group = np.stack([(groups == g).sum(axis=0) / valid for g in range(4)], axis=-1)
    provinces = design.data.provinces
    label = np.array([*GROUP_LABELS, None], dtype=object)
    rows = {
        "output": np.repeat(np.array(names, dtype=object), len(provinces)),
        "province": np.tile(np.array(provinces, dtype=object), len(names)),
        "name": np.tile(
            np.array([design.data.names.get(p, p) for p in provinces], dtype=object), len(names)
        ),
        "nominal_score": nominal.T.ravel(),
        "nominal_rank": r0.T.ravel(),
        "nominal_group": label[g0.T.ravel()],
        "median_rank": med.T.ravel(),
        "rank_q05": q05.T.ravel(),
        "rank_q95": q95.T.ravel(),
        "mean_abs_shift": mean_shift.T.ravel(),
    }
    for gi, g in enumerate(GROUP_LABELS):
        rows[f"p_{g.replace('-', '_')}"] = p_group[:, :, gi].T.ravel()
    scored = g0 >= 0  # (provinces, outputs)
    top0, bottom0 = g0 == 0, g0 == 3
    top, bottom = groups == 0, groups == 3
    with np.errstate(invalid="ignore"):
        overall = pd.DataFrame(
            {
                "output": names,
                "runs": runs,
                "mean_abs_shift": np.where(ranked, shift, 0.0).sum(axis=(0, 1))
                / np.maximum(ranked.sum(axis=(0, 1)), 1),
                "p_group_change": ((groups != g0[None]) & scored[None]).sum(axis=(0, 1))
                / np.maximum(scored.sum(axis=0) * runs, 1),
                "p_top_group_changed": (top != top0[None]).any(axis=1).mean(axis=0),
                "p_bottom_group_changed": (bottom != bottom0[None]).any(axis=1).mean(axis=0),
                "mean_top_turnover": (top & ~top0[None]).sum(axis=1).mean(axis=0),
                "mean_bottom_turnover": (bottom & ~bottom0[None]).sum(axis=1).mean(axis=0),
            }
        )
    return UncertaintyResult(pd.DataFrame(rows), overall, runs)
