"""Calibration of weights: post-stratification, raking (IPF) and linear calibration (GREG).

Every function takes a weight *matrix* ``W`` (n, R): the full-sample weights as one column,
or all replicate weights at once, so replicates are re-calibrated in the same vectorised
pass (Wolter 2007 sec. 4.4; Lumley 2010 sec. 7.4).

- Post-stratification (Holt & Smith 1979): ``w* = w N_g / N̂_g`` in each cell ``g``.
- Raking (Deming & Stephan 1940; Deville, Särndal & Sautory 1993): cycle over margins,
  ``w ← w T_mc / Σ_{k∈c} w``; R's ``rake()`` convergence rule: stop when the largest change
  of the joint table of all margin variables between two cycles is below ``epsilon`` (times
  ``Σ w`` when ``epsilon < 1``).
- GREG / linear calibration (Deville & Särndal 1992): ``w = d (1 + xᵀλ)``,
  ``λ = (Σ d x xᵀ)⁻¹ (t_x − Σ d x)``.

The Taylor variance after any of these uses the residuals of the influence values on the
calibration variables (``taylor.CalibrationStep``); raking is asymptotically the GREG with
the margin dummies (Deville & Särndal 1992), which is what R's ``calibrate(...,
calfun="raking")`` uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from scoring.design.structure import FloatArray, IntArray, codes
from scoring.design.taylor import group_sum
from survey.errors import DesignError, Problem


@dataclass(frozen=True)
class Cells:
    """Integer cell codes of rows and the population count of each cell."""

    column: str
    code: IntArray
    labels: tuple[str, ...]
    target: FloatArray

    def dummies(self) -> sp.csr_matrix:
        n = self.code.shape[0]
        return sp.csr_matrix((np.ones(n), (np.arange(n), self.code)), shape=(n, len(self.labels)))


@dataclass(frozen=True)
class CalibrationRecord:
    """What a calibration did: its kind, iterations and the largest remaining margin error.

    Attributes
    ----------
    kind : str
        ``poststratify``, ``rake`` or ``greg``.
    iterations : int
        Iterations used (1 for post-stratification).
    converged : bool
        Whether the margins were met within the tolerance.
    max_error : float
        The largest remaining difference from a margin.
    """

    kind: str
    iterations: int
    converged: bool
    max_error: float


def cells(
    df: pd.DataFrame, column: str | Sequence[str], population: Mapping[object, float]
) -> Cells:
    """Match the cells present in ``df[column]`` to the population counts (R semantics)."""
    cols = [column] if isinstance(column, str) else list(column)
    name = "*".join(cols)
    for c in cols:
        if c not in df.columns:
            raise DesignError(
                f"calibration column {c!r} is not in the data; columns: {list(df.columns)[:12]}."
            )
    if len(cols) == 1:
        keys = df[cols[0]].astype(str)
        pop = {str(k): float(v) for k, v in population.items()}
    else:
        keys = df[cols[0]].astype(str)
        for c in cols[1:]:
            keys = keys + "." + df[c].astype(str)
        pop = {
            ".".join(str(p) for p in (k if isinstance(k, tuple) else (k,))): float(v)
            for k, v in population.items()
        }
    code, labels = codes(keys)
    present = set(labels)
    missing = [lab for lab in labels if lab not in pop]
    if missing:
        raise DesignError.with_problems(
            f"{name}: sample cell(s) {missing[:5]} have no population count; give a count for "
            "every cell present in the sample.",
            [
                Problem(f"/{name}/{m}", "cell_without_population", f"cell {m} missing")
                for m in missing
            ],
        )
    absent = [k for k, v in pop.items() if k not in present and v > 0]
    if absent:
        raise DesignError(
            f"{name}: population cell(s) {absent[:5]} have no sampled unit; merge them with a "
            "neighbouring cell (R: postStratify fails unless partial=TRUE)."
        )
    return Cells(name, code, labels, np.array([pop[lab] for lab in labels]))


def poststratify(w: FloatArray, c: Cells) -> FloatArray:
    """``W`` (n, R) post-stratified to the cell counts."""
    est = group_sum(c.code, w, len(c.labels))
    factor = np.divide(c.target[:, None], est, out=np.zeros_like(est), where=est != 0)
    out: FloatArray = w * factor[c.code]
    return out


def rake(
    w: FloatArray, margins: Sequence[Cells], epsilon: float, max_iter: int
) -> tuple[FloatArray, CalibrationRecord]:
    """IPF on all columns of ``W`` at once until R's convergence rule holds."""
    joint = pd.DataFrame({m.column: m.code for m in margins})
    joint_code, joint_labels = (
        codes(joint) if len(margins) > 1 else (margins[0].code, margins[0].labels)
    )
    n_joint = len(joint_labels)
    tol = epsilon * w.sum(axis=0) if epsilon < 1 else np.full(w.shape[1], epsilon)
    old = group_sum(joint_code, w, n_joint)
    out = w
    for iteration in range(1, max_iter + 1):
        for m in margins:
            out = poststratify(out, m)
        new = group_sum(joint_code, out, n_joint)
        delta = np.max(np.abs(new - old), axis=0)
        old = new
        if np.all(delta < tol):
            err = max(
                float(np.max(np.abs(group_sum(m.code, out, len(m.labels)) - m.target[:, None])))
                for m in margins
            )
            scale = max(float(np.max(m.target)) for m in margins)
            if err > 1e-6 * scale:
                raise DesignError(
                    f"raking stopped changing after {iteration} iterations but misses a margin "
                    f"by {err:.6g}: the margins are inconsistent (their population totals "
                    f"{[float(m.target.sum()) for m in margins]} must agree).",
                    code="rake_inconsistent_margins",
                )
            return out, CalibrationRecord("rake", iteration, True, err)
    raise DesignError(
        f"raking did not converge in {max_iter} iterations (last change {float(np.max(delta)):.3g}"
        f" > tolerance {float(np.max(tol)):.3g}); check that the margins are consistent "
        "(same population total) or raise max_iter.",
        code="rake_not_converged",
    )


def model_matrix(
    df: pd.DataFrame, columns: Sequence[str], totals: Mapping[str, float]
) -> tuple[FloatArray, FloatArray, list[str]]:
    """Numeric columns as they are, ``(Intercept)`` as ones, categorical as ``col=level``."""
    blocks: list[FloatArray] = []
    names: list[str] = []
    for col in columns:
        if col in ("(Intercept)", "1"):
            blocks.append(np.ones((len(df), 1)))
            names.append("(Intercept)")
        elif col not in df.columns:
            raise DesignError(f"calibration variable {col!r} is not in the data.")
        elif pd.api.types.is_numeric_dtype(df[col]):
            values = df[col].to_numpy(dtype=np.float64)
            if np.isnan(values).any():
                raise DesignError(f"calibration variable {col!r} has missing values.")
            blocks.append(values[:, None])
            names.append(col)
        else:
            code, labels = codes(df[col].astype(str))
            blocks.append(np.eye(len(labels))[code])
            names.extend(f"{col}={lab}" for lab in labels)
    absent = [nm for nm in names if nm not in totals]
    if absent:
        raise DesignError(
            f"calibrate: no population total for {absent}; give totals for {names} "
            "(categorical columns as 'col=level')."
        )
    return np.hstack(blocks), np.array([float(totals[nm]) for nm in names]), names


def greg(w: FloatArray, x: FloatArray, target: FloatArray) -> tuple[FloatArray, CalibrationRecord]:
    """Linear calibration of every column of ``W`` (n, R) to the totals ``t_x``."""
    gram = np.einsum("np,nr,nq->rpq", x, w, x)
    gap = target[None, :] - w.T @ x
    try:
        solved = np.linalg.solve(gram, gap[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError as exc:
        raise DesignError(
            "calibrate: the calibration variables are collinear in the sample (singular "
            "Σ d x xᵀ); drop a redundant column."
        ) from exc
    out: FloatArray = w * (1.0 + x @ solved.T)
    err = float(np.max(np.abs(out.T @ x - target[None, :])))
    return out, CalibrationRecord("calibrate", 1, True, err)
