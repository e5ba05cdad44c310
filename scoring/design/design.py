"""``SurveyDesign``: a stratified multistage design with Taylor-linearisation variance.

Usage (R's ``svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)``)::

    d = SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")
    d.mean("api00")                 # est 644.17, se 23.54 (R's svymean)

Low-level vectorised API (used by the index scorer):

- ``d.domain_means(Y, domain)`` -> ``(est (D,K), u (n,K), n_obs (D,K), df (D,))``: Hájek
  means with per-column item non-response and their influence values;
- ``d.domain_and_overall_means(Y, domain, D)``: ``domain_means`` by domain and over all
  rows from one pass (the index scorer's provinces and nation);
- ``d.domain_totals(Y, domain)``: the same for totals;
- ``d.taylor_variance(u, domain)`` -> ``(D,K)``: multiply ``u`` by the weights, form unit
  totals per domain on the full design and apply the stratified (multistage) variance;
- ``d.replicate_weights_and_scales(method, replicates, rng)`` -> ``(W (n,R), scale, rscale,
  mse)`` and
  ``scoring.design.replicate_variance``.

Why our own code rather than a library: R's ``survey`` is the reference but loops over
strata in interpreted code, and no maintained Python package is fast for many indicators x
63 provinces x 1,000 replicates (``bench/design_bench.py``: R ``svyby`` and ``svy`` take
seconds where this takes tens of milliseconds, with identical numbers).

Domain codes are integers 0..D-1 (negative: in no domain). The domain ``df`` is PSUs −
strata among rows with positive weight in the domain (R's ``degf`` of the domain subset;
``svyby`` itself reports no df and R's ``confint`` is normal by default). Formulas and
sources: ``taylor`` (Lumley 2010; Wolter 2007), ``estimators``, ``calibration``
(Deville & Särndal 1992), ``replicates`` (Rao & Wu 1988).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from scoring.design import calibration, estimators
from scoring.design import replicates as reps
from scoring.design.base import Estimation, as_list
from scoring.design.calibration import CalibrationRecord
from scoring.design.replicate_design import ReplicateDesign
from scoring.design.structure import FloatArray, IntArray, Stage, build_stages, check_lonely
from scoring.design.taylor import CalibrationStep, calibrated_variance, stratified_variance
from survey.errors import DesignError
from survey.rng import RngLike

Replay = Callable[[FloatArray], FloatArray]


def fpc_weights(stages: Sequence[Stage]) -> FloatArray:
    """Sampling weights implied by the fpc, as R's ``svydesign(fpc=...)`` without weights:
    the product over stages of ``N_g / n_g`` (population over sampled units of the row's
    stratum or parent unit), i.e. equal-probability sampling within every stratum."""
    w = np.ones(stages[0].unit.shape[0])
    for stage in stages:
        group = stage.unit_group[stage.unit]
        w = w * (stage.pop_group / stage.n_group)[group]
    return w


class SurveyDesign(Estimation):
    """A survey design with R ``survey`` semantics; immutable (calibration returns a copy).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent, with the design columns and the variables.
    weights : str or None, default None
        Sampling weight column; ``None``: from the fpcs (equal probability within strata)
        or 1.
    strata : str or None, default None
        Strata column; ``None``: unstratified.
    psu : str, sequence of str or None, default None
        Cluster column of each stage (R's ``id=~psu+ssu``); ``None``: element sampling.
    fpc : str, sequence of str or None, default None
        Population count (or sampling fraction) per stage; ``None``: with replacement, the
        first stage only ("ultimate cluster").
    lonely_psu : {"fail", "adjust", "remove", "certainty"}, default "fail"
        A stratum with one PSU: fail (as R), or R's ``survey.lonely.psu`` options.

    Raises
    ------
    DesignError
        A design column missing from ``df``, negative or missing weights, a single PSU, or
        a lone PSU with ``lonely_psu="fail"``.
    """

    _stages: tuple[Stage, ...]
    _strata_labels: tuple[str, ...]
    _steps: tuple[CalibrationStep, ...]
    _replays: tuple[Replay, ...]
    _base_w: FloatArray
    _history: tuple[CalibrationRecord, ...]

    def __init__(
        self,
        df: pd.DataFrame,
        weights: str | None = None,
        strata: str | None = None,
        psu: str | Sequence[str] | None = None,
        fpc: str | Sequence[str] | None = None,
        lonely_psu: str = "fail",
    ) -> None:
        data = df.reset_index(drop=True)
        for col in [
            weights,
            strata,
            *([] if psu is None else as_list(psu)),
            *([] if fpc is None else as_list(fpc)),
        ]:
            if col is not None and col not in data.columns:
                raise DesignError(
                    f"design column {col!r} is not in the data; columns: {list(data.columns)[:20]}."
                )
        if weights is None:
            w = np.ones(len(data))
        else:
            w = data[weights].to_numpy(dtype=np.float64)
            if np.isnan(w).any() or (w < 0).any():
                raise DesignError(
                    f"weights {weights!r} must be non-negative numbers without missing values."
                )
        stages_psu: list[str | None] = [None] if psu is None else list(as_list(psu))
        fpcs = None if fpc is None else as_list(fpc)
        stages, stratum, labels = build_stages(data, strata, stages_psu, fpcs)
        if strata is None and stages[0].n_units == 1:
            raise DesignError("the design has only one PSU; a variance cannot be estimated.")
        check_lonely(stages, lonely_psu)
        if weights is None and fpc is not None:
            w = fpc_weights(stages)
        self._data = data
        self._w = w
        self._stages = stages
        self._stage1 = stages[0]
        self._stratum = stratum
        self._strata_labels = labels
        self._lonely = lonely_psu
        self._steps = ()
        self._replays = ()
        self._base_w = w
        self._history = ()

    # ----------------------------------------------------------------- low-level API
    def _domain(self, domain: IntArray | None, n_domains: int | None) -> tuple[IntArray, int]:
        if domain is None:
            return np.zeros(self.n_rows, dtype=np.intp), 1
        dom = np.asarray(domain, dtype=np.intp)
        if dom.shape != (self.n_rows,):
            raise DesignError(f"domain codes must have shape ({self.n_rows},), got {dom.shape}.")
        return dom, int(dom.max()) + 1 if n_domains is None else n_domains

    def taylor_variance(
        self, u: FloatArray, domain: IntArray | None = None, n_domains: int | None = None
    ) -> FloatArray:
        """Variance (D, K) of Σ w u per domain for influence values ``u`` (n, K)."""
        dom, d = self._domain(domain, n_domains)
        u2 = np.asarray(u, dtype=np.float64)
        u2 = u2[:, None] if u2.ndim == 1 else u2
        outside = dom < 0
        w = np.where(outside, 0.0, self._w) if outside.any() else self._w
        dom0 = np.maximum(dom, 0)
        if self._steps:
            xw = u2 * w[:, None]
            return calibrated_variance(self._stages, self._steps, xw, dom0, d, self._lonely)
        return stratified_variance(self._stages, u2, dom0, d, self._lonely, w)

    def calibration_residuals(self, u: FloatArray) -> FloatArray:
        """``w · u`` (n, K) residualised on every calibration step, in order: the values whose
        PSU totals the Taylor variance of a calibrated design sums (taylor.CalibrationStep);
        ``w · u`` itself for an uncalibrated design. For influence values nested in domains
        whose calibration cells nest in them too (post-strata within provinces)."""
        u2 = np.asarray(u, dtype=np.float64)
        res: FloatArray = (u2[:, None] if u2.ndim == 1 else u2) * self._w[:, None]
        for step in self._steps:
            res = step.residualise(res)
        return res

    def domain_means(
        self,
        y: FloatArray,
        domain: IntArray | None = None,
        n_domains: int | None = None,
        *,
        u_t: FloatArray | None = None,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Hájek means (D, K), influence values (n, K), observed counts (D, K), df (D,);
        with ``u_t`` (K, n), the influence values are also written into it transposed
        (cheaper than transposing them afterwards, estimators.means)."""

        def estimator(
            y2: FloatArray, w: FloatArray, dom: IntArray, d: int
        ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
            return estimators.means(y2, w, dom, d, u_t)

        return self._domain_estimate(estimator, y, domain, n_domains)

    def domain_and_overall_means(
        self,
        y: FloatArray,
        domain: IntArray,
        n_domains: int,
        *,
        u_t: FloatArray | None = None,
        overall_u_t: FloatArray | None = None,
        executor: Executor | None = None,
    ) -> tuple[
        tuple[FloatArray, FloatArray, FloatArray, FloatArray],
        tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    ]:
        """``domain_means(y, domain, n_domains, u_t=u_t)`` and ``domain_means(y,
        u_t=overall_u_t)`` (all rows as one domain), the same numbers from one pass over
        ``y`` (``y`` (n, K); estimators.means_and_overall, which shares its rows with a
        thread of ``executor`` when given one)."""
        dom, d = self._domain(domain, n_domains)
        y2 = np.asarray(y, dtype=np.float64)
        by_domain, overall = estimators.means_and_overall(
            y2, self._w, dom, d, u_t, overall_u_t, executor
        )
        return (
            (*by_domain[:3], self.domain_df(dom, d)),
            (*overall[:3], self.domain_df()),
        )

    def domain_totals(
        self, y: FloatArray, domain: IntArray | None = None, n_domains: int | None = None
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Totals (D, K), influence values (n, K), observed counts (D, K), df (D,)."""
        return self._domain_estimate(estimators.totals, y, domain, n_domains)

    def _domain_estimate(
        self,
        estimator: Callable[
            [FloatArray, FloatArray, IntArray, int],
            tuple[FloatArray, FloatArray, FloatArray, FloatArray],
        ],
        y: FloatArray,
        domain: IntArray | None,
        n_domains: int | None,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """``estimator`` (estimators.means or .totals) of ``y`` (n,) or (n, K) per domain,
        with the domains' degrees of freedom in place of the weight sums."""
        dom, d = self._domain(domain, n_domains)
        y2 = np.asarray(y, dtype=np.float64)
        y2 = y2[:, None] if y2.ndim == 1 else y2
        est, u, n_obs, _ = estimator(y2, self._w, dom, d)
        return est, u, n_obs, self.domain_df(dom, d)

    def replicate_weights_and_scales(
        self,
        method: str = "bootstrap",
        replicates: int | None = None,
        rng: RngLike = None,
        rho: float | None = None,
        mse: bool = False,
        hadamard: NDArray[np.int_] | None = None,
    ) -> tuple[FloatArray, float, FloatArray, bool]:
        """Replicate weights (n, R), re-calibrated like the design, with the variance's
        ``scale`` and ``rscale`` and ``mse`` as given (the arguments of
        ``replicate_variance``); ``replicates(...)`` wraps the same weights in a
        ``ReplicateDesign``, whose ``replicate_weights()`` is the matrix alone."""
        mult, scale, rscale = reps.multipliers(
            method,
            self._stage1,
            replicates=replicates,
            rng=rng,
            rho=rho,
            hadamard=hadamard,
            lonely=self._lonely,
        )
        return self._replayed(mult), scale, rscale, mse

    def _replayed(self, mult: FloatArray) -> FloatArray:
        """The base weights times the PSU multipliers ``mult`` (U, R), re-calibrated by every
        calibration step of this design: replicate weights (n, R)."""
        w = self._base_w[:, None] * mult[self._stage1.unit]
        for replay in self._replays:
            w = replay(w)
        return w

    # ------------------------------------------------------------- estimator backend
    def _estimate(
        self, kind: str, y: FloatArray, x: FloatArray | None, domain: IntArray, n_domains: int
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        if kind == "mean":
            est, u, n_obs, _ = estimators.means(y, self._w, domain, n_domains)
        elif kind == "total":
            est, u, n_obs, _ = estimators.totals(y, self._w, domain, n_domains)
        else:
            assert x is not None
            est, u, n_obs = estimators.ratios(y, x, self._w, domain, n_domains)
        return est, self.taylor_variance(u, domain, n_domains), n_obs

    # ------------------------------------------------------------------- calibration
    @property
    def calibration_history(self) -> tuple[CalibrationRecord, ...]:
        """One record per calibration applied (kind, iterations, converged, max error)."""
        return self._history

    def _calibrated(
        self, new_w: FloatArray, x: object, replay: Replay, record: CalibrationRecord
    ) -> SurveyDesign:
        out = object.__new__(SurveyDesign)
        out.__dict__.update(self.__dict__)
        xs = x if sp.issparse(x) else sp.csr_matrix(np.asarray(x))
        step = CalibrationStep(sp.csr_matrix(xs), self._w, new_w)
        out._w = new_w
        out._steps = (*self._steps, step)
        out._replays = (*self._replays, replay)
        out._history = (*self._history, record)
        return out

    def poststratify(
        self, column: str | Sequence[str], population: Mapping[object, float]
    ) -> SurveyDesign:
        """Post-stratify to population cell counts ``{cell: N}`` (tuples for several columns)."""
        cells = calibration.cells(self._data, column, population)

        def replay(w: FloatArray) -> FloatArray:
            return calibration.poststratify(w, cells)

        new_w = replay(self._w[:, None])[:, 0]
        err = float(np.max(np.abs(np.bincount(cells.code, new_w) - cells.target)))
        record = CalibrationRecord("poststratify", 1, True, err)
        return self._calibrated(new_w, cells.dummies(), replay, record)

    def rake(
        self,
        margins: Mapping[str, Mapping[object, float]],
        epsilon: float = 1e-10,
        max_iter: int = 1000,
    ) -> SurveyDesign:
        """Rake (IPF) to margins ``{column: {level: N}}``; see ``calibration_history``."""
        if not margins:
            raise DesignError("rake needs at least one margin {column: {level: N}}.")
        cells = [calibration.cells(self._data, col, pop) for col, pop in margins.items()]

        def replay(w: FloatArray) -> FloatArray:
            return calibration.rake(w, cells, epsilon, max_iter)[0]

        new_w, record = calibration.rake(self._w[:, None], cells, epsilon, max_iter)
        x = sp.hstack([c.dummies() for c in cells]).tocsr()
        return self._calibrated(new_w[:, 0], x, replay, record)

    def calibrate(self, columns: Sequence[str], totals: Mapping[str, float]) -> SurveyDesign:
        """Linear (GREG) calibration to population ``totals`` of ``columns``.

        ``"(Intercept)"`` calibrates to the population size; categorical columns expand to
        ``col=level`` dummies, each needing a total.
        """
        x, target, _ = calibration.model_matrix(self._data, columns, totals)

        def replay(w: FloatArray) -> FloatArray:
            return calibration.greg(w, x, target)[0]

        new_w, record = calibration.greg(self._w[:, None], x, target)
        return self._calibrated(new_w[:, 0], x, replay, record)

    # -------------------------------------------------------------------- replicates
    def replicates(
        self,
        method: str = "bootstrap",
        replicates: int | None = None,
        rng: RngLike = None,
        rho: float | None = None,
        mse: bool = False,
        hadamard: NDArray[np.int_] | None = None,
    ) -> ReplicateDesign:
        """A replicate-weight design (JK1, JKn, BRR, Fay, Rao–Wu bootstrap)."""
        mult, scale, rscale = reps.multipliers(
            method,
            self._stage1,
            replicates=replicates,
            rng=rng,
            rho=rho,
            hadamard=hadamard,
            lonely=self._lonely,
        )
        return ReplicateDesign._from_design(
            self,
            history=self.calibration_history,
            method=method,
            mult=mult,
            full=self._replayed(mult) if self._replays else None,
            scale=scale,
            rscale=rscale,
            mse=mse,
        )
