"""``ReplicateDesign``: estimates whose variance comes from replicate weights.

Every estimator recomputes all variables, all domains and all replicates in one sparse
product: with weights ``w_k m_{psu(k), r}`` the replicate domain sums are
``(domain x variable, PSU) totals @ (PSU x R) multipliers``; after re-calibration the
weights are no longer PSU products and the ``(domain x variable, row) @ (row x R)`` product
is used. ``with_replicates(fn)`` is R's ``withReplicates``: ``fn`` receives the whole
``(n, R)`` weight matrix (the full sample as ``(n, 1)``) and returns estimates with the
replicates on the last axis, so callers can use matrix products. Variance:
``replicates.replicate_variance`` (Wolter 2007; Rao & Wu 1988; Lumley 2010 sec. 2.5).
Degrees of freedom are the design's (PSUs − strata), not R's rank-based ``degf``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from scoring.design import calibration, estimators
from scoring.design.base import Estimation
from scoring.design.calibration import CalibrationRecord
from scoring.design.replicates import replicate_variance, variance_last_axis
from scoring.design.structure import FloatArray, IntArray
from scoring.design.taylor import group_sum


@dataclass(frozen=True)
class ReplicateEstimate:
    """Result of ``with_replicates``: full-sample estimate, replicate estimates, variance.

    Attributes
    ----------
    est : numpy.ndarray
        The full-sample estimate.
    se, var : numpy.ndarray
        Its replicate standard error and variance.
    replicates : numpy.ndarray
        The replicate estimates, replicates on the last axis.
    method : str
        The replicate method (``bootstrap``, ``jk1``, …).
    """

    est: FloatArray
    se: FloatArray
    var: FloatArray
    replicates: FloatArray  # (..., R)
    method: str

    def to_frame(self) -> pd.DataFrame:
        out = pd.DataFrame(
            {"est": np.ravel(self.est), "se": np.ravel(self.se), "var": np.ravel(self.var)}
        )
        out.attrs["variance"] = self.method
        return out


class ReplicateDesign(Estimation):
    """Replicate-weight design: same estimators as ``SurveyDesign``; immutable."""

    _method: str
    _mult: FloatArray | None  # (U, R) PSU multipliers, or None when weights are full
    _full: FloatArray | None  # (n, R) replicate weights after re-calibration
    _scale: float
    _rscale: FloatArray
    _mse: bool
    _history: tuple[CalibrationRecord, ...]

    @classmethod
    def _from_design(
        cls,
        design: Estimation,
        *,
        history: tuple[CalibrationRecord, ...],
        method: str,
        mult: FloatArray,
        full: FloatArray | None,
        scale: float,
        rscale: FloatArray,
        mse: bool,
    ) -> ReplicateDesign:
        """The replicate design of ``design`` (a ``SurveyDesign``; this module never imports
        it): its rows, weights and stages, with PSU multipliers ``mult`` (U, R), or ``full``
        replicate weights (n, R) when the design was calibrated (each replicate re-calibrated
        the same way)."""
        out = object.__new__(cls)
        out._data = design._data
        out._w = design._w
        out._stage1 = design._stage1
        out._stratum = design._stratum
        out._lonely = design._lonely
        out._method = method
        out._scale = scale
        out._rscale = rscale
        out._mse = mse
        out._history = history
        out._mult, out._full = (None, full) if full is not None else (mult, None)
        return out

    @property
    def variance_method(self) -> str:
        return self._method

    @property
    def n_replicates(self) -> int:
        return int(self._rscale.shape[0])

    @property
    def scale(self) -> float:
        return self._scale

    @property
    def rscale(self) -> FloatArray:
        return self._rscale.copy()

    @property
    def calibration_history(self) -> tuple[CalibrationRecord, ...]:
        return self._history

    def replicate_weights(self) -> FloatArray:
        """The (n, R) replicate weight matrix."""
        if self._full is not None:
            return self._full.copy()
        assert self._mult is not None
        out: FloatArray = self._w[:, None] * self._mult[self._stage1.unit]
        return out

    def _sums(self, values: FloatArray, domain: IntArray, d: int) -> FloatArray:
        """Replicate domain sums Σ_{k∈d} W_kr v_kj as (D, K, R)."""
        n, k = values.shape
        live = domain >= 0
        if self._mult is not None:
            units = self._stage1.n_units
            key = np.where(live, domain.astype(np.int64) * units + self._stage1.unit, -1)
            keep = key >= 0
            pairs, inv = np.unique(key[keep], return_inverse=True)
            z = group_sum(inv.ravel(), values[keep], pairs.shape[0], self._w[keep])
            # (domain x variable, PSU) totals, sparse, @ (PSU x R) multipliers; scipy's
            # single-threaded kernel is steadier than threaded BLAS on a shared machine
            rows = ((pairs // units)[:, None] * k + np.arange(k)[None, :]).ravel()
            cols = np.repeat(pairs % units, k)
            b = sp.csr_matrix((z.ravel(), (rows, cols)), shape=(d * k, units))
            sums: FloatArray = np.asarray(b @ self._mult).reshape(d, k, -1)
            return sums
        idx = np.flatnonzero(live)
        rows = (domain[idx][:, None] * k + np.arange(k)[None, :]).ravel()
        cols = np.repeat(idx, k)
        s = sp.csr_matrix((values[idx].ravel(), (rows, cols)), shape=(d * k, n))
        assert self._full is not None
        out = np.asarray(s @ self._full)
        return out.reshape(d, k, -1)

    def _estimate(
        self, kind: str, y: FloatArray, x: FloatArray | None, domain: IntArray, n_domains: int
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        if kind == "ratio":
            assert x is not None
            est, _, n_obs = estimators.ratios(y, x, self._w, domain, n_domains)
            observed = ~np.isnan(y) & ~np.isnan(x)
            num = self._sums(np.where(observed, y, 0.0), domain, n_domains)
            den: FloatArray | None = self._sums(np.where(observed, x, 0.0), domain, n_domains)
        else:
            fn = estimators.means if kind == "mean" else estimators.totals
            est, _, n_obs, _ = fn(y, self._w, domain, n_domains)
            observed = ~np.isnan(y)
            num = self._sums(np.where(observed, y, 0.0), domain, n_domains)
            if kind != "mean":
                den = None
            elif observed.all():  # one weight sum per domain serves every column
                den = self._sums(np.ones((y.shape[0], 1)), domain, n_domains)
            else:
                den = self._sums(observed.astype(np.float64), domain, n_domains)
        if den is None:
            theta = num
        elif np.all(den > 0):  # every domain has weight in every replicate: no NaN possible
            num *= 1.0 / den
            return est, variance_last_axis(num, est, self._scale, self._rscale, self._mse), n_obs
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                theta = num / den
        var = replicate_variance(theta, est, self._scale, self._rscale, self._mse, axis=-1)
        return est, var, n_obs

    def with_replicates(self, fn: Callable[[FloatArray], FloatArray]) -> ReplicateEstimate:
        """R's ``withReplicates``: ``fn(W)`` on the (n, R) weights, replicates on the last axis."""
        full = np.asarray(fn(self._w[:, None]), dtype=np.float64)[..., 0]
        reps = np.asarray(fn(self.replicate_weights()), dtype=np.float64)
        var = replicate_variance(
            np.moveaxis(reps, -1, 0), full, self._scale, self._rscale, self._mse
        )
        return ReplicateEstimate(full, np.sqrt(var), var, reps, self._method)

    # ------------------------------------------------------------------- calibration
    def _recalibrated(
        self, apply: Callable[[FloatArray], tuple[FloatArray, CalibrationRecord]]
    ) -> ReplicateDesign:
        new_w, record = apply(self._w[:, None])
        new_full, _ = apply(self.replicate_weights())
        out = object.__new__(ReplicateDesign)
        out.__dict__.update(self.__dict__)
        out._w = new_w[:, 0]
        out._mult, out._full = None, new_full
        out._history = (*self._history, record)
        return out

    def poststratify(
        self, column: str | Sequence[str], population: Mapping[object, float]
    ) -> ReplicateDesign:
        """Post-stratify the full-sample and every replicate weight."""
        cells = calibration.cells(self._data, column, population)
        return self._recalibrated(
            lambda w: (
                calibration.poststratify(w, cells),
                CalibrationRecord("poststratify", 1, True, 0.0),
            )
        )

    def rake(
        self,
        margins: Mapping[str, Mapping[object, float]],
        epsilon: float = 1e-10,
        max_iter: int = 1000,
    ) -> ReplicateDesign:
        """Rake the full-sample and every replicate weight (IPF, vectorised over replicates)."""
        cells = [calibration.cells(self._data, col, pop) for col, pop in margins.items()]
        return self._recalibrated(lambda w: calibration.rake(w, cells, epsilon, max_iter))

    def calibrate(self, columns: Sequence[str], totals: Mapping[str, float]) -> ReplicateDesign:
        """GREG-calibrate the full-sample and every replicate weight."""
        x, target, _ = calibration.model_matrix(self._data, columns, totals)
        return self._recalibrated(lambda w: calibration.greg(w, x, target))
