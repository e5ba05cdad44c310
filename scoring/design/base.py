"""The estimator front end shared by Taylor and replicate designs.

``mean``, ``total`` and ``ratio`` turn column names and a ``by`` column into arrays and
domain codes, ask the concrete design for estimates and variances (all variables and all
domains in one vectorised pass) and return a result frame (``results.frame``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.design import estimators, results
from scoring.design.structure import FloatArray, IntArray, Stage
from survey.errors import DesignError


def as_list(names: str | Sequence[str]) -> list[str]:
    return [names] if isinstance(names, str) else list(names)


class Estimation(ABC):
    """Data, weights and structure common to every design; estimators on top."""

    _data: pd.DataFrame
    _w: FloatArray
    _stage1: Stage
    _stratum: IntArray
    _lonely: str

    @property
    def data(self) -> pd.DataFrame:
        """The rows of the design (do not modify; designs are immutable)."""
        return self._data

    @property
    def weights(self) -> FloatArray:
        """A copy of the analysis weights."""
        return self._w.copy()

    @property
    def n_rows(self) -> int:
        return int(self._w.shape[0])

    @property
    def variance_method(self) -> str:
        return "taylor"

    def values(self, names: str | Sequence[str]) -> FloatArray:
        """Columns as an (n, K) float matrix; missing values stay NaN."""
        cols = as_list(names)
        absent = [c for c in cols if c not in self._data.columns]
        if absent:
            raise DesignError(
                f"variable(s) {absent} not in the data; available: {list(self._data.columns)[:20]}."
            )
        try:
            frame = self._data[cols]
            if not all(pd.api.types.is_numeric_dtype(t) for t in frame.dtypes):
                frame = frame.apply(pd.to_numeric, errors="raise")
            out: FloatArray = np.ascontiguousarray(
                frame.to_numpy(dtype=np.float64, na_value=np.nan)
            )
            return out
        except (ValueError, TypeError) as exc:
            raise DesignError(f"variables {cols} must be numeric: {exc}") from exc

    def domain_codes(self, by: str | Sequence[str] | None) -> tuple[IntArray, pd.DataFrame]:
        """Integer domain codes (-1 where a ``by`` column is missing) and the domains.

        The domains are a frame with one row per code (in code order, sorted by the ``by``
        columns) and one column per ``by`` column, each with the input's dtype (an int64
        province stays int64, a category a category), so that results merge back onto the
        data. Without ``by``: one domain and a frame without columns.
        """
        if by is None:
            return np.zeros(self.n_rows, dtype=np.intp), pd.DataFrame(index=pd.RangeIndex(1))
        cols = as_list(by)
        absent = [c for c in cols if c not in self._data.columns]
        if absent:
            raise DesignError(
                f"domain column(s) {absent} not in the data; available: "
                f"{list(self._data.columns)[:20]}."
            )
        frame = self._data[cols]
        group = frame.groupby(cols, sort=True, observed=True, dropna=True).ngroup()
        code: IntArray = np.asarray(group.fillna(-1).to_numpy(), dtype=np.intp)
        live = code >= 0
        keys = (
            frame.loc[live]
            .assign(_domain=code[live])
            .drop_duplicates("_domain")
            .sort_values("_domain")
            .drop(columns="_domain")
            .reset_index(drop=True)
        )
        return code, keys

    def domain_df(self, domain: IntArray | None = None, n_domains: int | None = None) -> FloatArray:
        """PSUs − strata among rows with positive weight in each domain (R's ``degf``)."""
        if domain is None:
            domain = np.zeros(self.n_rows, dtype=np.intp)
        d = int(domain.max()) + 1 if n_domains is None else n_domains
        live = (self._w > 0) & (domain >= 0)
        dom = domain[live].astype(np.int64)
        psus = _distinct(dom, self._stage1.unit[live], self._stage1.n_units, d)
        strata = _distinct(dom, self._stratum[live], int(self._stratum.max()) + 1, d)
        out: FloatArray = (psus - strata).astype(np.float64)
        return out

    @property
    def design_df(self) -> int:
        return int(self.domain_df()[0])

    @abstractmethod
    def _estimate(
        self, kind: str, y: FloatArray, x: FloatArray | None, domain: IntArray, n_domains: int
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(est, var, n_obs), each (D, K)."""

    def _deff(
        self, kind: str, y: FloatArray, est: FloatArray, var: FloatArray, domain: IntArray, d: int
    ) -> FloatArray:
        """Design effect against SRS without replacement (R's ``deff=TRUE``)."""
        mean_est = est if kind == "mean" else estimators.means(y, self._w, domain, d)[0]
        v_srs, n_hat = estimators.srs_variance_of_mean(y, self._w, domain, d, mean_est)
        if kind == "total":
            v_srs = v_srs * n_hat * n_hat
        out: FloatArray = var / v_srs
        return out

    def _run(
        self,
        kind: str,
        names: list[str],
        y: FloatArray,
        x: FloatArray | None,
        by: str | Sequence[str] | None,
        confidence: float,
        ci_dist: str,
        deff: bool,
    ) -> pd.DataFrame:
        results.check_confidence(confidence)
        results.check_ci_dist(ci_dist)
        domain, domains = self.domain_codes(by)
        d = len(domains)
        est, var, n_obs = self._estimate(kind, y, x, domain, d)
        dd = self._deff(kind, y, est, var, domain, d) if deff else None
        return results.frame(
            names,
            domains,
            est,
            var,
            self.domain_df(domain, d),
            n_obs,
            confidence=confidence,
            ci_dist=ci_dist,
            statistic=kind,
            variance=self.variance_method,
            deff=dd,
        )

    def mean(
        self,
        variables: str | Sequence[str],
        by: str | Sequence[str] | None = None,
        confidence: float = 0.95,
        ci_dist: str = "t",
        deff: bool = False,
    ) -> pd.DataFrame:
        """Hájek means of ``variables`` (overall or by domain) with SE, CI, df, n."""
        names = as_list(variables)
        return self._run("mean", names, self.values(names), None, by, confidence, ci_dist, deff)

    def total(
        self,
        variables: str | Sequence[str],
        by: str | Sequence[str] | None = None,
        confidence: float = 0.95,
        ci_dist: str = "t",
        deff: bool = False,
    ) -> pd.DataFrame:
        """Horvitz–Thompson totals of ``variables`` (overall or by domain)."""
        names = as_list(variables)
        return self._run("total", names, self.values(names), None, by, confidence, ci_dist, deff)

    def ratio(
        self,
        numerator: str | Sequence[str],
        denominator: str | Sequence[str],
        by: str | Sequence[str] | None = None,
        confidence: float = 0.95,
        ci_dist: str = "t",
    ) -> pd.DataFrame:
        """Ratios Σwy/Σwx; numerator and denominator lists pair up (or one denominator)."""
        nums, dens = as_list(numerator), as_list(denominator)
        if len(dens) == 1:
            dens = dens * len(nums)
        if len(dens) != len(nums):
            raise DesignError(
                f"ratio: {len(nums)} numerators but {len(dens)} denominators; give one "
                "denominator or one per numerator."
            )
        names = [f"{a}/{b}" for a, b in zip(nums, dens, strict=True)]
        return self._run(
            "ratio", names, self.values(nums), self.values(dens), by, confidence, ci_dist, False
        )


def _distinct(domain: IntArray, code: IntArray, n_codes: int, n_domains: int) -> IntArray:
    """The number of distinct ``code`` values (0..n_codes-1) in each domain: a presence
    table by ``bincount`` when it is small (PSUs × provinces), else by sorting."""
    key = domain * n_codes + code
    if n_domains * n_codes <= 4 * key.shape[0] + 4096:
        present = np.bincount(key, minlength=n_domains * n_codes) > 0
        counts: IntArray = present.reshape(n_domains, n_codes).sum(axis=1)
        return counts
    return np.bincount(np.unique(key) // n_codes, minlength=n_domains)
