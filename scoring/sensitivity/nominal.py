"""CIs and rank intervals of an index outside PAPI's arithmetic, from bootstrap replicates.

``scoring.score`` gives CIs, rank intervals and groups for PAPI's own index (goalposts,
arithmetic means, equal weights, any indicators or sub-dimensions dropped). Another
normalisation, a geometric aggregation or unequal weights are the sensitivity engine's
(:class:`~scoring.sensitivity.Design`); :func:`nominal_uncertainty` gives the same
uncertainty for the engine's nominal choices, built on the leaves of
:func:`~scoring.sensitivity.microdata_input` *with* Rao–Wu bootstrap replicates:

- the whole index (normalisation across provinces included: a min–max or rank
  normalisation moves with every replicate) is recomputed on the full-sample leaves and on
  each replicate's leaves, in one :meth:`Design.evaluate` of ``1 + R`` runs (run ``r``
  draws replicate ``r``, as the audit's sampling-error choice does);
- the SE is the replicates' spread by the one rule of ``scoring.score``'s replicate
  methods, ``scoring.design.replicate_variance`` (with the replicates' own ``scale`` and
  ``rscale``, ``IndexData.replicate_scale``);
- the CI is ``est ± q · se``, ``q`` from ``scoring.design.results.quantile`` on the
  province's design df (Student t by default), as ``score`` makes its CIs;
- rank intervals and group probabilities come from ``score``'s empirical-Bayes draws of
  the true scores given the estimates and SEs (``scoring.index.uncertainty``:
  ``posterior_rank_uncertainty``, the call ``score`` makes), and the point ranks and
  groups from ``scoring.index.groups``.

Taylor linearisation has no counterpart here: a rank normalisation is not a smooth function
of the means, and the replicates cover every choice alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.design.replicates import replicate_variance
from scoring.design.results import quantile
from scoring.index.groups import group_labels, ranks_and_groups
from scoring.index.uncertainty import posterior_rank_uncertainty
from scoring.sensitivity.data import TOP
from scoring.sensitivity.engine import Design
from survey.errors import SpecError
from survey.rng import DEFAULT_REPLICATES, RngLike, as_generator

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class NominalUncertainty:
    """Scores of the engine's nominal choices with their sampling uncertainty.

    Arrays are (provinces, codes), ``codes`` the aggregate then the dimensions.

    Attributes
    ----------
    provinces : tuple of str
        The province codes (rows).
    codes : tuple of str
        ``TOP`` (the aggregate) and the dimension codes (columns).
    est, se, lci, uci : numpy.ndarray
        Full-sample score, replicate SE and CI bounds.
    df : numpy.ndarray
        The design df of each province (provinces,), the CI quantile's.
    rank, rank_lci, rank_uci : numpy.ndarray
        Rank (1 = best) and rank interval; NaN for an unscored province.
    group : numpy.ndarray
        Performance-group label (object array; ``None`` when unscored).
    group_probs : numpy.ndarray
        Probability of each of the four groups (provinces, codes, 4).
    replicates : int
        Bootstrap replicates behind the SEs.
    draws : int
        Posterior draws behind the rank intervals and group probabilities.
    confidence : float
        Level of the CIs and rank intervals.
    ci_dist : str
        Distribution of the CI quantile (``t`` or ``normal``).
    """

    provinces: tuple[str, ...]
    codes: tuple[str, ...]
    est: FloatArray
    se: FloatArray
    lci: FloatArray
    uci: FloatArray
    df: FloatArray
    rank: FloatArray
    rank_lci: FloatArray
    rank_uci: FloatArray
    group: NDArray[np.object_]
    group_probs: FloatArray
    replicates: int
    draws: int
    confidence: float
    ci_dist: str

    def table(self) -> pd.DataFrame:
        """One row per (code, province): province, code, est, se, lci, uci, rank,
        rank_lci, rank_uci, group (codes in order, provinces in order within a code)."""
        p, c = self.est.shape
        cols = {
            "province": np.tile(np.asarray(self.provinces, dtype=object), c),
            "code": np.repeat(np.asarray(self.codes, dtype=object), p),
        }
        for name in ("est", "se", "lci", "uci", "rank", "rank_lci", "rank_uci", "group"):
            cols[name] = np.asarray(getattr(self, name)).T.reshape(-1)
        return pd.DataFrame(cols)


def replicate_scores(design: Design) -> FloatArray:
    """The nominal index on the full-sample leaves and on every replicate's:
    ``(1 + R, provinces, 1 + D)`` (run 0 the full sample, run ``r`` replicate ``r``; the
    aggregate first, then the dimensions), evaluated ``design.chunk`` runs at a time.

    Parameters
    ----------
    design : Design
        The engine's design on leaves with replicates (``microdata_input(...,
        replicates=R)``).

    Returns
    -------
    numpy.ndarray
        The scores of every run.
    """
    runs = design.data.replicates + 1
    out = np.empty((runs, len(design.data.provinces), 1 + len(design.data.dimensions)))
    step = design.chunk
    for lo in range(0, runs, step):
        hi = min(lo + step, runs)
        choices = replace(design.nominal(hi - lo), rep=np.arange(lo, hi, dtype=np.int64))
        res = design.evaluate(choices)
        out[lo:hi, :, 0] = res.aggregate
        out[lo:hi, :, 1:] = res.dimensions
    return out


def nominal_uncertainty(
    design: Design,
    *,
    confidence: float = 0.95,
    ci_dist: str = "t",
    draws: int = DEFAULT_REPLICATES,
    rng: RngLike = None,
) -> NominalUncertainty:
    """Scores, bootstrap SEs and CIs, ranks, rank intervals and groups of ``design``'s
    nominal choices (the first alternative of each), per province, for the aggregate and
    every dimension (module docstring).

    Parameters
    ----------
    design : Design
        The engine's design, on ``microdata_input`` leaves with replicates > 0.
    confidence : float, default 0.95
        Level of the CIs and rank intervals.
    ci_dist : {"t", "normal"}, default "t"
        CI quantile: Student t on the province's design df, or normal.
    draws : int, default 1000
        Posterior draws behind the rank intervals and group probabilities.
    rng : int, numpy.random.Generator or None, default None
        Random source of the draws; ``None`` is seed 0.

    Returns
    -------
    NominalUncertainty
        The scores and their uncertainty.

    Raises
    ------
    SpecError
        Leaves without replicates or without design df (not from ``microdata_input``).
    """
    data = design.data
    if data.replicates == 0 or data.replicate_scale is None or data.df is None:
        raise SpecError(
            "CIs of the engine's scores need microdata leaves with bootstrap replicates; "
            "build them with microdata_input(..., replicates=R) and R > 0",
            code="spec_inapplicable",
        )
    values = replicate_scores(design)
    est, reps = values[0], values[1:]
    rs = data.replicate_scale
    with np.errstate(invalid="ignore"):  # an unscored province is NaN in every replicate
        var = replicate_variance(reps, est, rs.scale, rs.rscale, rs.mse)
    se: FloatArray = np.where(np.isnan(est), np.nan, np.sqrt(var))
    df = np.asarray(data.df[int(design.est_index[0])], dtype=np.float64)
    q = quantile(confidence, df, ci_dist)[:, None]
    rank, groups = ranks_and_groups(est)
    rank_lci, rank_uci, probs = posterior_rank_uncertainty(
        est, se, df, ci_dist, draws, as_generator(rng), confidence
    )
    return NominalUncertainty(
        provinces=tuple(data.provinces),
        codes=(TOP, *data.dimensions),
        est=est,
        se=se,
        lci=est - q * se,
        uci=est + q * se,
        df=df,
        rank=np.asarray(rank, dtype=np.float64),
        rank_lci=rank_lci,
        rank_uci=rank_uci,
        group=np.asarray(group_labels(groups), dtype=object),
        group_probs=probs,
        replicates=data.replicates,
        draws=draws,
        confidence=confidence,
        ci_dist=ci_dist,
    )
