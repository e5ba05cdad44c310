"""Raw weight schemes of an audit: PAPI's equal weights, user weights, PCA weights.

PCA weights follow the OECD/JRC *Handbook on Constructing Composite Indicators* (2008,
§6.1): within each group (the children of one parent) the weight of a child is its squared
loading on the first principal component of the standardised children across provinces
(statsmodels ``PCA``; one component instead of the Handbook's rotated factors, because PAPI's
groups have two to four children). The children's values are those of the nominal index
(goalposts, arithmetic means, the spec's nominal full-sample estimates). A group of one
child, or one whose children do not vary, weighs 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from statsmodels.multivariate.pca import PCA

from scoring.sensitivity.aggregate import aggregate
from scoring.sensitivity.normalise import normalise
from scoring.sensitivity.spec import Aggregation, Spec

if TYPE_CHECKING:
    from scoring.sensitivity.data import IndexData

FloatArray = NDArray[np.float64]


def base_weights(data: IndexData, spec: Spec) -> FloatArray:
    """``(schemes, weights)``: one row of raw weights per scheme of ``spec``."""
    codes = [c for lv in data.levels for c in lv.children]
    rows = []
    for scheme in spec.weights.schemes:
        if scheme == "equal":
            rows.append(np.ones(len(codes)))
        elif scheme == "user":
            rows.append(np.array([spec.weights.user.get(c, 1.0) for c in codes]))
        else:
            rows.append(pca_weights(data, data.estimates.index(spec.estimates[0])))
    return np.vstack(rows)


def nominal_levels(data: IndexData, est: int = 0) -> list[FloatArray]:
    """Nominal values of the children of every level, each ``(provinces, children)``, from
    the full-sample estimates of kind ``est`` (an index into ``data.estimates``)."""
    x = normalise(data.values[est, :1], "goalposts", data.lo, data.hi)
    out = []
    for level in data.levels:
        out.append(x[0])
        x = aggregate(x, np.ones((1, len(level.children))), level.membership(), _MEAN)
    return out


def pca_weights(data: IndexData, est: int = 0) -> FloatArray:
    """Squared first-component loadings within every group, concatenated over levels."""
    parts = []
    for level, x in zip(data.levels, nominal_levels(data, est), strict=True):
        w = np.ones(len(level.children))
        owner = np.asarray(level.parent_of)
        for g in range(len(level.parents)):
            idx = np.flatnonzero(owner == g)
            block = x[:, idx]
            block = block[~np.isnan(block).any(axis=1)]
            if len(idx) < 2 or len(block) <= len(idx) or np.any(block.std(axis=0) == 0):
                continue
            pc = PCA(block, ncomp=1, standardize=True, method="eig")
            load = np.asarray(pc.loadings)[:, 0]
            w[idx] = load**2 / np.sum(load**2)
        parts.append(w)
    return np.concatenate(parts)


_MEAN = Aggregation(method="arithmetic")
