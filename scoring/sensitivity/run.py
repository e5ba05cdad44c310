"""The whole audit in one call: uncertainty, Sobol' indices, one-at-a-time removal and
structure diagnostics, returned as one frozen record with a JSON-ready form.

This is the function the CLI (``papi sensitivity``) and the API's job runner call.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.sensitivity.data import TOP, IndexData
from scoring.sensitivity.diagnostics import DiagnosticsResult, diagnostics
from scoring.sensitivity.engine import Design
from scoring.sensitivity.montecarlo import UncertaintyResult, uncertainty
from scoring.sensitivity.oat import OatResult, one_at_a_time
from scoring.sensitivity.sobol import SobolResult, index_sobol
from scoring.sensitivity.spec import Spec
from survey.rng import RngLike, seed_of, spawn

StageProgress = Callable[[str, int, int], None]
"""``(stage, done, total)`` with stage ``monte_carlo`` or ``sobol``."""


@dataclass(frozen=True)
class SensitivityResult:
    """Everything an audit produces; ``.to_json()`` gives the documented JSON document.

    Attributes
    ----------
    spec : Spec
        The uncertain choices audited.
    uncertainty : UncertaintyResult
        Monte Carlo rank intervals and group probabilities.
    sobol : SobolResult
        Sobol' indices of the choices.
    oat : OatResult
        The one-at-a-time removal table.
    diagnostics : DiagnosticsResult
        Structure diagnostics (Cronbach's alpha, PCA, correlation flags).
    factors : tuple of str
        The names of the uncertain choices.
    seed : int or None
        The integer seed used (survey.rng.seed_of; docs/glossary.md, "Random seeds").
    notes : tuple of str
        What a reader must know about the data.
    """

    spec: Spec
    uncertainty: UncertaintyResult
    sobol: SobolResult
    oat: OatResult
    diagnostics: DiagnosticsResult
    factors: tuple[str, ...]
    seed: int | None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Per-province rank statistics of the aggregate and every dimension."""
        return self.uncertainty.to_frame()

    def to_json(self) -> dict[str, Any]:
        u = self.uncertainty.provinces
        agg = u[u["output"] == TOP]
        groups = ["high", "high_average", "low_average", "low"]
        p_cols = [f"p_{g}" for g in groups]

        def province_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
            rows = []
            for rec in frame.to_dict("records"):
                rows.append(
                    {
                        "province": rec["province"],
                        "name": rec["name"],
                        "nominal_score": _num(rec["nominal_score"]),
                        "nominal_rank": _num(rec["nominal_rank"]),
                        "nominal_group": _num(rec["nominal_group"]),
                        "median_rank": _num(rec["median_rank"]),
                        "rank_q05": _num(rec["rank_q05"]),
                        "rank_q95": _num(rec["rank_q95"]),
                        "mean_abs_shift": _num(rec["mean_abs_shift"]),
                        "p_group": {
                            g.replace("_", "-"): _num(rec[c])
                            for g, c in zip(groups, p_cols, strict=True)
                        },
                    }
                )
            return rows

        overall = _records(self.uncertainty.overall)
        sobol = [
            {
                "output": r["output"],
                "factor": r["factor"],
                "S1": _num(r["S1"]),
                "S1_ci": [_num(r["S1_lci"]), _num(r["S1_uci"])],
                "ST": _num(r["ST"]),
                "ST_ci": [_num(r["ST_lci"]), _num(r["ST_uci"])],
            }
            for r in self.sobol.table.to_dict("records")
        ]
        dims = {d: province_rows(u[u["output"] == d]) for d in u["output"].unique() if d != TOP}
        return {
            "runs": self.uncertainty.runs,
            "seed": self.seed,
            "spec": self.spec.model_dump(mode="json"),
            "factors": list(self.factors),
            "notes": list(self.notes),
            "provinces": province_rows(agg),
            "dimensions": dims,
            "overall": {**overall[0], "by_output": overall},
            "sobol": [r for r in sobol if r["output"] == "mean_abs_shift"],
            "sobol_provinces": [r for r in sobol if r["output"] != "mean_abs_shift"],
            "sobol_runs": self.sobol.n_runs,
            "oat": [
                {
                    **{k: _num(v) for k, v in r.items()},
                    "rank_changes": {
                        str(p): _num(v) for p, v in self.oat.shifts[r["dropped"]].items()
                    },
                }
                for r in self.oat.summary.to_dict("records")
            ],
            "diagnostics": {
                "alpha": _records(self.diagnostics.alpha),
                "pca": _records(self.diagnostics.pca),
                "correlation_flags": _records(self.diagnostics.flags),
            },
        }


def run_sensitivity(
    data: IndexData,
    spec: Spec | None = None,
    *,
    runs: int = 1000,
    sobol_n: int = 512,
    rng: RngLike = None,
    progress: StageProgress | None = None,
) -> SensitivityResult:
    """Audit ``data`` under ``spec``: Monte Carlo runs, Sobol' indices, the removal table
    and the diagnostics (docs/sensitivity.md).

    Parameters
    ----------
    data : IndexData
        The audit's leaves: :func:`published_input` or :func:`microdata_input`.
    spec : Spec or None, default None
        The uncertain choices; ``None``: PAPI's own choices only.
    runs : int, default 1000
        Monte Carlo runs.
    sobol_n : int, default 512
        Sobol' base sample, a power of 2 (N(d+2) runs).
    rng : int, numpy.random.Generator or None, default None
        Random source; ``None`` is seed 0. The seed used is the result's ``seed``.
    progress : callable or None, default None
        Called as ``progress(stage, done, total)`` while the runs go.

    Returns
    -------
    SensitivityResult
        Rank intervals, group probabilities, Sobol' indices, removals, diagnostics.
    """
    spec = spec or Spec()
    design = Design(data, spec)
    seed = seed_of(rng)
    mc_rng, sobol_rng = spawn(seed, 2)
    mc = uncertainty(
        design,
        runs,
        mc_rng,
        progress=None if progress is None else lambda d, t: progress("monte_carlo", d, t),
    )
    sob = index_sobol(
        design,
        sobol_n,
        sobol_rng,
        progress=None if progress is None else lambda d, t: progress("sobol", d, t),
    )
    return SensitivityResult(
        spec=spec,
        uncertainty=mc,
        sobol=sob,
        oat=one_at_a_time(design),
        diagnostics=diagnostics(data),
        factors=tuple(f.name for f in design.factors),
        seed=seed,
        notes=data.notes,
    )


def _num(v: Any) -> Any:
    """JSON-safe scalar: NaN → None, numpy scalars → Python."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list):
        return [_num(x) for x in v]
    if isinstance(v, dict):
        return {k: _num(x) for k, x in v.items()}
    return v


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _num(v) for k, v in r.items()} for r in frame.to_dict("records")]
