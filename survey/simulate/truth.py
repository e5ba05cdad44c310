"""Expected scores at every level (province, district, commune, village): the simulation's truth.

Every indicator's expected value is linear in the latents of its items (``plans.py``):
``x = f(D0) + (f(D1) − f(D0)) · t`` for a share of codes or a rating mean ``f``, ``t`` itself for a
multiple-choice share, a mean over the items of a mean indicator and a sum over the criteria of
a checklist. Then the published arithmetic (docs/method.md "Arithmetic"): ``r = 1 + 9 (x − L)/(U − L)``,
sub-dimension ``mean r / k_d``, dimension = sum, aggregate = sum. At the province level this
reproduces the published scores the simulation was calibrated to.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.questionnaire.schema import Indicator, Questionnaire
from survey.simulate.plans import ChoicePlan, MultiPlan

FloatArray = npt.NDArray[np.float64]


def _item_x(
    plan: ChoicePlan | MultiPlan,
    codes: tuple[int, ...] | None,
    t: FloatArray,
    prov: npt.NDArray[np.int64],
) -> FloatArray:
    if isinstance(plan, MultiPlan):
        return t
    if codes is None:  # a rating's mean
        f1 = plan.d1[prov] @ plan.codes
        f0 = plan.d0[prov] @ plan.codes
    else:
        hit = np.isin(plan.codes, list(codes)).astype(np.float64)
        f1 = plan.d1[prov] @ hit
        f0 = plan.d0[prov] @ hit
    return f0 + (f1 - f0) * t


def _indicator_x(
    ind: Indicator,
    plans: dict[str, ChoicePlan | MultiPlan],
    latent_of: dict[str, int],
    t: FloatArray,
    prov: npt.NDArray[np.int64],
) -> FloatArray:
    def one(item_id: str, codes: tuple[int, ...] | None) -> FloatArray:
        plan = plans[item_id]
        col = t[:, latent_of[item_id]] if plan.varies else plan.t[prov]
        return _item_x(plan, codes, col, prov)

    if ind.kind == "share" and ind.item is not None:
        return one(ind.item, ind.codes)
    if ind.kind == "mean":
        means: FloatArray = np.mean([one(i, None) for i in ind.items or ()], axis=0)
        return means
    counts: FloatArray = np.sum([one(c.item, c.codes) for c in ind.criteria or ()], axis=0)
    return counts


def expected_scores(
    q: Questionnaire,
    plans: dict[str, ChoicePlan | MultiPlan],
    latent_of: dict[str, int],
    t: FloatArray,
    prov: npt.NDArray[np.int64],
) -> tuple[list[str], list[str], FloatArray]:
    """Codes, their measure and a units × codes matrix: indicators (x), sub-dimensions
    (published scale), dimensions, the aggregate ``PAPI``."""
    codes: list[str] = []
    measures: list[str] = []
    cols: list[FloatArray] = []

    def put(code: str, measure: str, value: FloatArray) -> FloatArray:
        codes.append(code)
        measures.append(measure)
        cols.append(value)
        return value

    dims = []
    for dim in q.structure.dimensions:
        subs = []
        for sub in dim.subdimensions:
            r = []
            for ind in sub.indicators:
                x = put(ind.code, "indicator", _indicator_x(ind, plans, latent_of, t, prov))
                r.append(1.0 + 9.0 * (x - ind.low) / (ind.high - ind.low))
            subs.append(put(sub.code, "subdimension", np.mean(r, axis=0) / dim.k))
        dims.append(put(dim.code, "dimension", np.sum(subs, axis=0)))
    put("PAPI", "aggregate", np.sum(dims, axis=0))
    return codes, measures, np.column_stack(cols)


def truth_table(
    q: Questionnaire,
    levels: dict[str, tuple[pd.Index, npt.NDArray[np.int64], FloatArray]],
    plans: dict[str, ChoicePlan | MultiPlan],
    latent_of: dict[str, int],
    province_codes: pd.Index,
    unscored: pd.DataFrame,
) -> pd.DataFrame:
    """Long table: level, province, unit, measure, code, value (published scales).

    ``levels`` maps a level name to (unit ids, province row of each unit, latents);
    ``unscored`` (provinces × sub-dimensions, bool) blanks sub-dimensions a province was not
    scored on, and then their dimension and the aggregate.
    """
    dim_of = {s.code: d.code for d in q.structure.dimensions for s in d.subdimensions}
    gaps = unscored.reindex(province_codes).fillna(False).astype(bool)
    parts: dict[str, list[npt.NDArray[np.object_]]] = {
        k: [] for k in ("level", "province", "unit", "measure", "code")
    }
    values: list[FloatArray] = []
    for level, (ids, prov, t) in levels.items():
        codes, measures, m = expected_scores(q, plans, latent_of, t, prov)
        col = {c: j for j, c in enumerate(codes)}
        for sub_code in gaps.columns:
            miss = gaps[sub_code].to_numpy()[prov]
            for c in (sub_code, dim_of[sub_code], "PAPI"):
                m[miss, col[c]] = np.nan
        n_units, n_codes = m.shape
        parts["level"].append(np.full(n_units * n_codes, level, dtype=object))
        parts["province"].append(np.repeat(np.asarray(province_codes[prov], dtype=object), n_codes))
        parts["unit"].append(np.repeat(np.asarray(ids, dtype=object), n_codes))
        parts["measure"].append(np.tile(np.asarray(measures, dtype=object), n_units))
        parts["code"].append(np.tile(np.asarray(codes, dtype=object), n_units))
        values.append(m.ravel())
    out = pd.DataFrame({k: np.concatenate(v) for k, v in parts.items()})
    out["value"] = np.concatenate(values)
    return out
