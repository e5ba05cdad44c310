"""Variance-based sensitivity: Sobol' first-order and total-order indices with SALib.

Estimators (docs/variance.md, "Composite indicators and sensitivity"; Saltelli et al. 2010, *Comput. Phys. Commun.* 181:259–270, Table
2): from matrices A, B and A_B^(i), ``S_i = mean(y_B (y_ABi − y_A)) / V`` (Saltelli 2010)
and ``S_Ti = mean((y_A − y_ABi)²) / (2V)`` (Jansen 1999), N(d + 2) model runs; confidence
intervals by SALib's bootstrap (``num_resamples``, normal approximation at ``confidence``).
Sampling (``SALib.sample.sobol``, scrambled Sobol' sequence) and estimation
(``SALib.analyze.sobol``) are SALib's; this module only wires them to vectorised models and
to factor *groups* (the ±x% noise on every weight is one factor, ``weight_noise``). Small
negative estimates mean "about zero". An output that never varies gets NaN indices.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from scoring.sensitivity.engine import Design
from scoring.sensitivity.montecarlo import Progress, stack
from scoring.sensitivity.ranking import rank_desc
from survey.errors import ScoringError
from survey.rng import RngLike, as_generator

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SobolResult:
    """Sobol' indices: one row per output × factor.

    Attributes
    ----------
    table : pandas.DataFrame
        ``output``, ``factor``, ``S1``, ``ST`` and their CIs (``*_lci``, ``*_uci``).
    n_base : int
        The base sample.
    n_runs : int
        Model runs, ``n_base (d + 2)``.
    confidence : float
        The confidence level of the CIs.
    """

    table: pd.DataFrame
    n_base: int
    n_runs: int
    confidence: float

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def indices(self, output: str) -> pd.DataFrame:
        """The rows of one output, indexed by factor."""
        return self.table[self.table["output"] == output].set_index("factor")


def sobol_indices(
    model: Callable[[FloatArray], FloatArray],
    names: Sequence[str],
    *,
    n: int = 1024,
    bounds: Sequence[tuple[float, float]] | None = None,
    groups: Sequence[str] | None = None,
    outputs: Sequence[str] | None = None,
    rng: RngLike = None,
    num_resamples: int = 100,
    confidence: float = 0.95,
) -> SobolResult:
    """First and total Sobol' indices of a vectorised ``model`` (rows of X → outputs).

    Parameters
    ----------
    model : callable
        Maps an ``(runs, len(names))`` array to ``(runs,)`` or ``(runs, outputs)``.
    names : sequence of str
        The factors.
    n : int, default 1024
        The base sample, a power of 2: the model runs ``n (d + 2)`` times, d being the
        number of factors (of groups, when ``groups`` is given).
    bounds : sequence of (float, float) or None, default None
        Each factor's range; ``None``: [0, 1].
    groups : sequence of str or None, default None
        A group per factor; indices are then per group.
    outputs : sequence of str or None, default None
        Names of the model's outputs; ``None``: ``y0``, ``y1``, …
    rng : int, numpy.random.Generator or None, default None
        Random source; ``None`` is seed 0.
    num_resamples : int, default 100
        Bootstrap resamples for the CIs (SALib).
    confidence : float, default 0.95
        Confidence level of the CIs (SALib's ``conf_level``).

    Returns
    -------
    SobolResult
        First and total indices with CIs.

    Raises
    ------
    ScoringError
        ``n`` not a power of 2.
    """
    if n < 2 or n & (n - 1):
        raise ScoringError(
            f"the Sobol' base sample n={n} is not a power of 2; expected 2, 4, …, 512, 1024 "
            "(Sobol' sequences lose their balance otherwise)",
            code="sobol_sample_size",
        )
    gen = as_generator(rng)
    problem: dict[str, object] = {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [list(b) for b in (bounds or [(0.0, 1.0)] * len(names))],
    }
    if groups is not None:
        problem["groups"] = list(groups)
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=int(gen.integers(2**31)))
    y = np.asarray(model(x), dtype=np.float64)
    y = y[:, None] if y.ndim == 1 else y
    labels = list(outputs) if outputs is not None else [f"y{i}" for i in range(y.shape[1])]
    factors = list(dict.fromkeys(groups if groups is not None else names))
    rows = []
    for i, label in enumerate(labels):
        yi = y[:, i]
        if not np.all(np.isfinite(yi)) or np.ptp(yi) == 0:
            est = dict.fromkeys(("S1", "S1_conf", "ST", "ST_conf"), np.full(len(factors), np.nan))
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                res = sobol_analyze.analyze(
                    problem,
                    yi,
                    calc_second_order=False,
                    num_resamples=num_resamples,
                    conf_level=confidence,
                    seed=int(gen.integers(2**31)),
                )
            est = {
                k: np.asarray(res[k], dtype=np.float64) for k in ("S1", "S1_conf", "ST", "ST_conf")
            }
        for fi, factor in enumerate(factors):
            s1, s1c, st, stc = (est[k][fi] for k in ("S1", "S1_conf", "ST", "ST_conf"))
            rows.append(
                {
                    "output": label,
                    "factor": factor,
                    "S1": s1,
                    "S1_lci": s1 - s1c,
                    "S1_uci": s1 + s1c,
                    "ST": st,
                    "ST_lci": st - stc,
                    "ST_uci": st + stc,
                }
            )
    return SobolResult(pd.DataFrame(rows), n, len(x), confidence)


def index_sobol(
    design: Design,
    n: int = 512,
    rng: RngLike = None,
    *,
    progress: Progress | None = None,
    num_resamples: int = 100,
) -> SobolResult:
    """Sobol' indices of the audit's factors for two kinds of output: the mean absolute
    rank shift of the aggregate (``mean_abs_shift``) and every scored province's aggregate
    score (``score:P01`` …) and rank (``rank:P01`` …; scores under different normalisations
    live on different scales, ranks do not). Empty when no choice is uncertain.

    Parameters
    ----------
    design : Design
        The audit's choices on its data.
    n : int, default 512
        The base sample, a power of 2.
    rng : int, numpy.random.Generator or None, default None
        Random source; ``None`` is seed 0.
    progress : callable or None, default None
        Called as ``progress(done, total)``.
    num_resamples : int, default 100
        Bootstrap resamples for the CIs.

    Returns
    -------
    SobolResult
        The indices of every output.
    """
    if not design.factors:
        return SobolResult(pd.DataFrame(columns=_COLUMNS), n, 0, 0.95)
    nominal = stack(design.evaluate(design.nominal()))[0, :, 0]
    r0 = rank_desc(nominal)
    scored = np.flatnonzero(~np.isnan(nominal))
    names = [f"{g}.{i}" for i, g in enumerate(design.groups())]
    chunk = design.chunk

    def model(cube: FloatArray) -> FloatArray:
        out = np.empty((len(cube), 1 + 2 * len(scored)))
        for start in range(0, len(cube), chunk):  # a few chunks, each vectorised
            part = design.evaluate(design.decode(cube[start : start + chunk])).aggregate
            ranks = rank_desc(part, axis=1)
            out[start : start + chunk, 0] = np.nanmean(np.abs(ranks - r0)[:, scored], axis=1)
            out[start : start + chunk, 1 : 1 + len(scored)] = part[:, scored]
            out[start : start + chunk, 1 + len(scored) :] = ranks[:, scored]
            if progress is not None:
                progress(min(start + chunk, len(cube)), len(cube))
        return out

    provinces = np.asarray(design.data.provinces)[scored]
    return sobol_indices(
        model,
        names,
        n=n,
        groups=design.groups(),
        outputs=[
            "mean_abs_shift",
            *(f"score:{p}" for p in provinces),
            *(f"rank:{p}" for p in provinces),
        ],
        rng=rng,
        num_resamples=num_resamples,
    )


_COLUMNS = ["output", "factor", "S1", "S1_lci", "S1_uci", "ST", "ST_lci", "ST_uci"]
