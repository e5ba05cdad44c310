"""District, commune and village variation of the latent item parameters, expectation kept exact.

Each latent ``t`` (one per item that varies, see ``plans.py``) is drawn down the hierarchy

    t_child = (1 − w) · B + w · (t_parent + s · min(t_parent, 1 − t_parent) · (2 Z − 1))
    B ~ Beta(κ t_parent, κ (1 − t_parent)),   Z ~ Beta(κ, κ)

B is item-specific (a beta-binomial hierarchy: Skellam 1948; Williams 1982); Z is shared by all
items of one dimension in the unit (a well-run commune tends to do well across a dimension),
with sign s = ±1 by the item's direction. Both terms have conditional mean ``t_parent`` and lie
in [0, 1], so E[t_village] = t_province exactly, with no clipping. With w = ½ the share of the
Bernoulli variance t(1 − t) that one level adds is about ``¼/(κ+1) + ¼/(2κ+1)`` (at t = ½);
the defaults κ = 10 (district), 14 (commune), 10 (village) give an intra-village correlation of
about 0.09 on the probability scale (docs/method.md "Sampling design"; the simulator asks for a realistic ICC; 0.05-0.15 is
typical of governance items in cluster surveys).

Draws come from each province's own stream, so a province's effects do not depend on which
other provinces are simulated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Variation:
    """Concentrations κ per level (larger = less variation) and the shared weight w.

    Attributes
    ----------
    district, commune, village : float
        The concentration κ of each level's unit effects.
    shared_weight : float
        The weight w of the effect shared by all indicators of a unit.
    """

    district: float = 10.0
    commune: float = 14.0
    village: float = 10.0
    shared_weight: float = 0.5


@dataclass(frozen=True)
class UnitLatents:
    """Latent t per unit (rows) and latent column (K); ids give each row's unit."""

    districts: pd.Index
    communes: pd.Index
    villages: pd.Index
    t_district: FloatArray
    t_commune: FloatArray
    t_village: FloatArray


def _child(
    gen: np.random.Generator,
    parent: FloatArray,
    kappa: float,
    w: float,
    sign: FloatArray,
    dim: npt.NDArray[np.int64],
    varies: npt.NDArray[np.bool_],
) -> FloatArray:
    a = np.maximum(kappa * parent, 1e-9)
    b = np.maximum(kappa * (1.0 - parent), 1e-9)
    own = gen.beta(a, b)
    z = gen.beta(kappa, kappa, size=(parent.shape[0], int(dim.max()) + 1 if dim.size else 1))
    spread = np.minimum(parent, 1.0 - parent)
    shared = parent + sign * spread * (2.0 * z[:, dim] - 1.0)
    out = (1.0 - w) * own + w * shared
    return np.where(varies, np.clip(out, 0.0, 1.0), parent)


def draw_latents(
    villages: pd.DataFrame,
    t_province: FloatArray,
    province_index: pd.Index,
    gens: list[np.random.Generator],
    sign: FloatArray,
    dim: npt.NDArray[np.int64],
    varies: npt.NDArray[np.bool_],
    variation: Variation,
) -> UnitLatents:
    """Draw t for every sampled district, commune and village (province streams ``gens``).

    ``villages``: the sample (sorted by province, district, commune); ``t_province``: P × K.
    """
    w = variation.shared_weight
    d_ids = pd.Index(villages["district"].unique())
    c_ids = pd.Index(villages["commune"].unique())
    v_ids = pd.Index(villages["village"])
    d_prov = province_index.get_indexer(pd.Index(villages.drop_duplicates("district")["province"]))
    c_par = d_ids.get_indexer(pd.Index(villages.drop_duplicates("commune")["district"]))
    v_par = c_ids.get_indexer(pd.Index(villages["commune"]))
    c_prov, v_prov = d_prov[c_par], d_prov[c_par][v_par]
    k = t_province.shape[1]
    t_d = np.empty((len(d_ids), k))
    t_c = np.empty((len(c_ids), k))
    t_v = np.empty((len(v_ids), k))
    for p, gen in enumerate(gens):  # one stream per province (independent, reproducible)
        rows_d = np.flatnonzero(d_prov == p)
        t_d[rows_d] = _child(
            gen, t_province[np.full(len(rows_d), p)], variation.district, w, sign, dim, varies
        )
        rows_c = np.flatnonzero(c_prov == p)
        t_c[rows_c] = _child(gen, t_d[c_par[rows_c]], variation.commune, w, sign, dim, varies)
        rows_v = np.flatnonzero(v_prov == p)
        t_v[rows_v] = _child(gen, t_c[v_par[rows_v]], variation.village, w, sign, dim, varies)
    return UnitLatents(d_ids, c_ids, v_ids, t_d, t_c, t_v)
