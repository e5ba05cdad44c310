"""Taylor-linearisation variance for stratified multistage designs, vectorised over domains.

Formula (Lumley 2010, sec. 2.2 and appendix C; Wolter 2007, ch. 6; Särndal, Swensson &
Wretman 1992, sec. 4.3): with weighted influence values ``x_k = w_k u_k`` and unit totals
``z_gi`` of stage-``s`` unit ``i`` in group ``g`` (stage 1: the strata; stage ``s > 1``: the
stage-``s-1`` unit),

    v = Σ_s Σ_g m_g (1 − n_g/N_g) n_g/(n_g − 1) Σ_i (z_gi − z̄_g)²

where ``m_g`` is the product of the earlier stages' sampling fractions (R's ``multistage``)
and later stages appear only when fpcs are given. A certainty group (``n_g = N_g``)
contributes nothing at its own stage. A lonely group (``n_g = 1``): R's
``survey.lonely.psu``: ``remove``/``certainty`` contribute zero, ``adjust`` contributes
``(1 − f) z²`` (centred at the grand mean, which is zero for centred influence values).

Domains are estimated on the full design (Lumley 2010 sec. 3.4): the influence values are
zero outside the domain and units without domain members count with zero totals. We never
materialise those zeros: ``Σ_i (z − z̄)² = Σ_i z² − (Σ_i z)² / n_g`` needs only the units
that have members, found with one sort of the (domain, unit) pairs and summed with a sparse
product. R loops over strata in interpreted code; this is why we wrote our own kernel.

Calibrated designs (Deville & Särndal 1992): each calibration step ``s`` replaces ``x`` by
its residual ``x − w⁽ˢ⁾ X_s β``, ``β = (X_s' D_s X_s)⁻¹ X_s' (d_s / w⁽ˢ⁾) x``, with ``d_s``
the weights before and ``w⁽ˢ⁾`` after the step; this is R's ``svyrecvar`` for
``postStratify`` and ``calibrate`` (``qr.resid`` on the pre-calibration weights).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from scoring.design.structure import FloatArray, IntArray, Stage

_CHUNK_CELLS = 4_000_000  # rows x columns materialised at once for calibrated domains


@dataclass(frozen=True, eq=False)
class CalibrationStep:
    """The linear model of one calibration step, kept for the residual variance."""

    x: sp.csr_matrix  # (n, p) auxiliary variables (dummies for cells and margins)
    before: FloatArray  # (n,) weights before the step
    after: FloatArray  # (n,) weights after the step

    @cached_property
    def _projector(self) -> tuple[sp.csr_matrix, FloatArray | sp.csr_matrix]:
        """``X' diag(d/w)`` and the pseudo-inverse of ``X' D X`` (computed once per step).

        Cell dummies (one non-zero per row: post-strata) give a diagonal ``X' D X``.
        """
        ratio = np.divide(
            self.before, self.after, out=np.zeros_like(self.before), where=self.after != 0
        )
        xt_ratio = sp.csr_matrix(self.x.multiply(ratio[:, None]).T)
        gram = sp.csr_matrix(self.x.T @ self.x.multiply(self.before[:, None]).tocsr())
        if np.all(np.diff(self.x.indptr) == 1):
            diag = gram.diagonal()
            inv = np.divide(1.0, diag, out=np.zeros_like(diag), where=diag != 0)
            return xt_ratio, sp.diags(inv).tocsr()
        return xt_ratio, np.linalg.pinv(np.asarray(gram.todense()))

    def nested_in(self, domain: IntArray) -> bool:
        """True when each calibration column is non-zero within a single domain only."""
        coo = self.x.tocoo()
        keep = coo.data != 0
        pairs = np.unique(
            coo.col[keep].astype(np.int64) * (int(domain.max()) + 1) + domain[coo.row[keep]]
        )
        return bool(np.unique(pairs // (int(domain.max()) + 1)).shape[0] == pairs.shape[0])

    def residualise(self, xw: FloatArray) -> FloatArray:
        """Residual of weighted influence values ``xw`` (n, K) after this step."""
        xt_ratio, gram_pinv = self._projector
        beta = np.asarray(gram_pinv @ np.asarray(xt_ratio @ xw))
        fitted = np.asarray(self.x @ beta)
        out: FloatArray = xw - self.after[:, None] * fitted
        return out


def group_sum(
    codes: IntArray, values: FloatArray, n_groups: int, weights: FloatArray | None = None
) -> FloatArray:
    """Sum the rows of ``values`` (n, K), times ``weights``, within groups: a sparse product."""
    n = codes.shape[0]
    data = np.ones(n) if weights is None else weights
    ind = sp.csr_matrix((data, (codes, np.arange(n))), shape=(n_groups, n))
    out: FloatArray = np.asarray(ind @ values)
    return out


def _stage_variance(
    stage: Stage,
    xw: FloatArray,
    domain: IntArray | None,
    n_domains: int,
    lonely: str,
    weights: FloatArray | None,
) -> FloatArray:
    units = stage.n_units
    key = stage.unit if domain is None else domain.astype(np.int64) * units + stage.unit
    pairs, inverse = np.unique(key, return_inverse=True)
    z = group_sum(inverse.ravel(), xw, pairs.shape[0], weights)  # (P, K) per domain
    groups = stage.n_groups
    dg = (pairs // units) * groups + stage.unit_group[pairs % units]
    cells, cell_of_pair = np.unique(dg, return_inverse=True)
    cell_of_pair = cell_of_pair.ravel()
    s1 = group_sum(cell_of_pair, z, cells.shape[0])
    s2 = group_sum(cell_of_pair, z * z, cells.shape[0])
    g = cells % groups
    n_g = stage.n_group[g]
    pop = stage.pop_group[g]
    keep = np.where(np.isinf(pop), 1.0, (pop - n_g) / np.where(np.isinf(pop), 1.0, pop))
    keep = np.where(keep < 1e-7, 0.0, keep) * stage.multiplier[g]
    many = n_g > 1
    scale = np.where(many, keep * n_g / np.where(many, n_g - 1, 1.0), 0.0)
    centred = np.maximum(s2 - s1 * s1 / n_g[:, None], 0.0)
    contrib = scale[:, None] * centred
    if lonely == "adjust":
        contrib += np.where(many, 0.0, keep)[:, None] * s2
    return group_sum(cells // groups, contrib, n_domains)


def stratified_variance(
    stages: Sequence[Stage],
    xw: FloatArray,
    domain: IntArray | None = None,
    n_domains: int = 1,
    lonely: str = "fail",
    weights: FloatArray | None = None,
) -> FloatArray:
    """Variance (D, K) of the totals of ``weights * xw`` (n, K) per domain.

    ``xw`` is already weighted when ``weights`` is None.
    """
    out = np.zeros((n_domains, xw.shape[1]))
    for stage in stages:
        out += _stage_variance(stage, xw, domain, n_domains, lonely, weights)
    return out


def calibrated_variance(
    stages: Sequence[Stage],
    steps: Sequence[CalibrationStep],
    xw: FloatArray,
    domain: IntArray | None,
    n_domains: int,
    lonely: str,
) -> FloatArray:
    """As ``stratified_variance`` after residualising on every calibration step.

    When every calibration variable is non-zero inside one domain only (post-strata within
    provinces, domains the provinces) a domain's residual stays inside the domain, so the
    compact ``(n, K)`` values are residualised once. Otherwise a domain's residual spreads
    outside it and domains are materialised in chunks (``n x (chunk·K)`` at a time).
    """
    n, k = xw.shape
    if domain is not None and all(step.nested_in(domain) for step in steps):
        res = xw
        for step in steps:
            res = step.residualise(res)
        return stratified_variance(stages, res, domain, n_domains, lonely)
    if domain is None:
        res = xw
        for step in steps:
            res = step.residualise(res)
        return stratified_variance(stages, res, None, 1, lonely)
    out = np.empty((n_domains, k))
    chunk = max(1, _CHUNK_CELLS // max(1, n * k))
    for start in range(0, n_domains, chunk):
        ds = np.arange(start, min(n_domains, start + chunk))
        member = (domain[:, None] == ds[None, :]).astype(np.float64)  # (n, c)
        wide = (member[:, :, None] * xw[:, None, :]).reshape(n, ds.shape[0] * k)
        for step in steps:
            wide = step.residualise(wide)
        var = stratified_variance(stages, wide, None, 1, lonely)
        out[ds] = var.reshape(ds.shape[0], k)
    return out
