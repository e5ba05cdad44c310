"""Structure diagnostics of the index: internal consistency, dimensionality, correlations.

- Cronbach's alpha (Cronbach 1951, *Psychometrika* 16:297; docs/variance.md, "Composite indicators and sensitivity"):
  ``α = k/(k−1) · (1 − Σ σ_jj / Σ_jl σ_jl)`` from the covariance matrix of the k items.
  With respondent-level data the covariances are design-weighted (weights normalised, the
  Hájek moments of Lumley 2010, *Complex Surveys* §2) and pairwise complete, because PAPI's
  items apply only to eligible respondents; written out here since no Python library
  offers a weighted, pairwise alpha.
- PCA per dimension (statsmodels ``PCA``, standardised): the share of variance of every
  component, and whether the first component's loadings share a sign — if not, one
  sub-dimension pulls against the others (OECD/JRC Handbook 2008, §3–4).
- Correlation flags between the leaves of one dimension across provinces: above 0.9
  (double counting) or negative (a leaf working against its dimension), the thresholds of
  the JRC audits (Saisana & Saltelli, JRC statistical audits).
Province-level statistics use the nominal leaves (goalposts, full-sample estimates — the
design-weighted ones when microdata carry weights) of the scored provinces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from statsmodels.multivariate.pca import PCA

from scoring.sensitivity.data import IndexData
from scoring.sensitivity.weights import nominal_levels

FloatArray = NDArray[np.float64]

HIGH_CORRELATION = 0.9


@dataclass(frozen=True)
class DiagnosticsResult:
    """Structure diagnostics of an index.

    Attributes
    ----------
    alpha : pandas.DataFrame
        Cronbach's alpha per sub-dimension and dimension.
    pca : pandas.DataFrame
        First-component share and loadings per dimension.
    flags : pandas.DataFrame
        Indicator pairs whose correlation is suspicious.
    """

    alpha: pd.DataFrame
    pca: pd.DataFrame
    flags: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.alpha.copy()


def cronbach_alpha(items: FloatArray, weights: FloatArray | None = None) -> float:
    """Cronbach's alpha of the columns of ``items``.

    Parameters
    ----------
    items : numpy.ndarray
        Rows: units; columns: items; NaN = not answered.
    weights : numpy.ndarray or None, default None
        Unit weights (design weights); ``None``: equal.

    Returns
    -------
    float
        Alpha; NaN with fewer than two items.
    """
    x = np.asarray(items, dtype=np.float64)
    k = x.shape[1]
    if k < 2:
        return float("nan")
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    present = (~np.isnan(x)).astype(np.float64)
    x0 = np.nan_to_num(x)
    wp = present * w[:, None]
    sw = wp.T @ present  # Σ w over units with both items
    sx = (wp * x0).T @ present  # Σ w x_j over those units
    sxy = (wp * x0).T @ (present * x0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_j = sx / sw
        cov = sxy / sw - mean_j * mean_j.T
    total = float(np.sum(cov))
    if not np.isfinite(total) or total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.trace(cov) / total))


def diagnostics(data: IndexData) -> DiagnosticsResult:
    """Alpha per sub-dimension and dimension, PCA per dimension, correlation flags.

    With microdata, ``data.units`` (respondent-level indicator values) give the alpha of
    each sub-dimension, design-weighted by ``data.unit_weights`` when present; otherwise
    alphas are computed across provinces.

    Parameters
    ----------
    data : IndexData
        The audit's leaves.

    Returns
    -------
    DiagnosticsResult
        Alphas, PCA and correlation flags.
    """
    units, unit_weights = data.units, data.unit_weights
    est = data.estimates.index("weighted") if "weighted" in data.estimates else 0
    values = nominal_levels(data, est)
    alpha_rows, pca_rows, flag_rows = [], [], []
    for level, x in zip(data.levels[:-1], values[:-1], strict=True):
        owner = np.asarray(level.parent_of)
        for g, parent in enumerate(level.parents):
            idx = np.flatnonzero(owner == g)
            block = x[:, idx]
            block = block[~np.isnan(block).any(axis=1)]
            children = [level.children[i] for i in idx]
            if units is not None and level.name == "subdimension":
                items = units[children].to_numpy(dtype=np.float64)
                n = int((~np.isnan(items)).any(axis=1).sum())
                a, basis = cronbach_alpha(items, unit_weights), "respondents"
                basis += "" if unit_weights is None else " (design-weighted)"
            else:
                a, n, basis = cronbach_alpha(block), len(block), "provinces"
            alpha_rows.append(
                {
                    "level": level.name,
                    "code": parent,
                    "k": len(idx),
                    "n": n,
                    "alpha": a,
                    "basis": basis,
                }
            )
            if level.name == "dimension":
                pca_rows.append(_pca_row(parent, children, block))
    leaves = values[0]
    dim_of = _leaf_dimension(data)
    for d in data.dimensions:
        cols = [i for i, o in enumerate(dim_of) if o == d]
        block = leaves[:, cols]
        block = block[~np.isnan(block).any(axis=1)]
        if len(cols) < 2 or len(block) < 3:
            continue
        r = np.atleast_2d(np.corrcoef(block, rowvar=False))
        for a_i, b_i in zip(*np.triu_indices(len(cols), k=1), strict=True):
            rv = float(r[a_i, b_i])
            if rv > HIGH_CORRELATION or rv < 0:
                flag_rows.append(
                    {
                        "dimension": d,
                        "a": data.leaves[cols[a_i]],
                        "b": data.leaves[cols[b_i]],
                        "r": rv,
                        "flag": "too_high" if rv > HIGH_CORRELATION else "negative",
                    }
                )
    return DiagnosticsResult(
        pd.DataFrame(alpha_rows),
        pd.DataFrame(pca_rows),
        pd.DataFrame(flag_rows, columns=["dimension", "a", "b", "r", "flag"]),
    )


def _pca_row(dimension: str, children: list[str], block: FloatArray) -> dict[str, object]:
    row: dict[str, object] = {"dimension": dimension, "k": len(children), "n": len(block)}
    sd = block.std(axis=0) if len(block) else np.zeros(len(children))
    if len(children) < 2 or len(block) <= len(children) or np.any(sd == 0):
        return {**row, "variance_explained": [], "pc1_loadings": {}, "loadings_same_sign": None}
    pc = PCA(block, standardize=True, method="eig")
    eig = np.asarray(pc.eigenvals, dtype=np.float64)
    load = np.asarray(pc.loadings, dtype=np.float64)[:, 0]
    return {
        **row,
        "variance_explained": (eig / eig.sum()).tolist(),
        "pc1_loadings": dict(zip(children, load.tolist(), strict=True)),
        "loadings_same_sign": bool(np.all(load > 0) or np.all(load < 0)),
    }


def _leaf_dimension(data: IndexData) -> list[str]:
    """The dimension of every leaf, following the chain of levels up to the dimensions."""
    owner = list(data.levels[0].parent_of)
    codes = data.levels[0].parents
    for level in data.levels[1:-1]:
        owner = [level.parent_of[level.children.index(codes[o])] for o in owner]
        codes = level.parents
    return [codes[o] for o in owner]
