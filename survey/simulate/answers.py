"""Answer every item for all respondents at once, in questionnaire order.

Each item is one vectorised step: its ``relevant`` condition is evaluated on the columns drawn
so far (``survey.conditions.frame_eval.evaluate_frame``, the same semantics as validation), its values are
drawn by inverse CDF from pre-drawn uniforms (so each province's answers come from its own
stream), then don't-know and refusal answers are set where the item allows them. Columns follow
docs/data-layout.md: numbers as float with NaN for missing, a special answer as its code,
multiple choice as 0/1 columns ``<item>_<code>``, dates and text as strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from survey.conditions.expressions import referenced_items
from survey.conditions.frame_eval import evaluate_frame
from survey.questionnaire.schema import Item, Questionnaire
from survey.simulate.plans import ChoicePlan, MultiPlan

FloatArray = npt.NDArray[np.float64]
SPECIAL_RATES = {"dont_know": 0.04, "refused": 0.012}
UNIFORMS_PER_ITEM = 3


def uniforms_needed(q: Questionnaire) -> dict[str, int]:
    """Uniform columns each item consumes (three, plus one per multiple-choice option)."""
    return {
        it.id: UNIFORMS_PER_ITEM + (len(q.choices_of(it)) if it.type == "multiple_choice" else 0)
        for it in q.items
    }


@dataclass
class Context:
    """What the generator reads: respondents' province/village rows, latents, demographics."""

    q: Questionnaire
    plans: dict[str, ChoicePlan | MultiPlan]
    latent: dict[str, int]  # item -> latent column
    prov: npt.NDArray[np.int64]  # respondent -> province row
    t_resp: FloatArray  # respondent × latent column (the village's t)
    uniforms: FloatArray  # columns × respondents
    offsets: dict[str, int]
    fixed: dict[str, npt.NDArray[Any]]  # columns known from the design and demographics
    interview_dates: npt.NDArray[np.datetime64]


def _t(ctx: Context, plan: ChoicePlan | MultiPlan) -> FloatArray:
    if plan.varies:
        return ctx.t_resp[:, ctx.latent[plan.item.id]]
    return plan.t[ctx.prov]


def _choice(ctx: Context, plan: ChoicePlan, u: FloatArray) -> FloatArray:
    comp = u[0] < _t(ctx, plan)
    dist = np.where(comp[:, None], plan.d1[ctx.prov], plan.d0[ctx.prov])
    cdf = np.cumsum(dist, axis=1)
    idx = np.minimum((u[1][:, None] > cdf).sum(axis=1), len(plan.codes) - 1)
    out: FloatArray = plan.codes[idx]
    return out


def _multi(ctx: Context, plan: MultiPlan, u: FloatArray) -> FloatArray:
    n_opt = len(plan.codes)
    extra = u[UNIFORMS_PER_ITEM:]
    chosen = extra < plan.p_other[:, None]  # options × respondents
    if plan.hit.any():
        success = u[0] < _t(ctx, plan)
        hits = np.flatnonzero(plan.hit)
        pick = hits[np.minimum((u[1] * len(hits)).astype(np.int64), len(hits) - 1)]
        chosen[:, ~success] &= ~plan.hit[:, None]
        chosen[pick[success], np.flatnonzero(success)] = True
    fallback_pool = np.flatnonzero(~plan.hit) if (~plan.hit).any() else np.arange(n_opt)
    empty = ~chosen.any(axis=0)
    fb = fallback_pool[
        np.minimum((u[2] * len(fallback_pool)).astype(np.int64), len(fallback_pool) - 1)
    ]
    chosen[fb[empty], np.flatnonzero(empty)] = True
    return chosen.T.astype(np.float64)  # respondents × options


def _numeric(item: Item, u: FloatArray) -> FloatArray:
    mean = float(item.meta.get("sim_mean", 0.0))
    sd = float(item.meta.get("sim_sd", 1.0))
    lo = float(item.min) if isinstance(item.min, int | float) else -np.inf
    hi = float(item.max) if isinstance(item.max, int | float) else np.inf
    if "sim_mean" not in item.meta and np.isfinite(lo) and np.isfinite(hi):
        mean, sd = (lo + hi) / 2, (hi - lo) / 6
    values = np.clip(mean + sd * special.ndtri(np.clip(u[1], 1e-12, 1 - 1e-12)), lo, hi)
    out: FloatArray = np.round(values) if item.type == "integer" else np.round(values, 2)
    return out


def _dates(ctx: Context, item: Item, u: FloatArray) -> npt.NDArray[np.object_]:
    hint = item.meta.get("sim_days_before_interview")
    if hint is not None:
        a, b = int(hint[0]), int(hint[1])
        days = a + np.floor(u[1] * (b - a + 1)).astype(np.int64)
        dates = ctx.interview_dates - days.astype("timedelta64[D]")
    else:
        dates = ctx.interview_dates
    return np.asarray(pd.DatetimeIndex(dates).strftime("%Y-%m-%d"), dtype=object)


def _text(item: Item, u: FloatArray) -> npt.NDArray[np.object_]:
    examples = list(item.meta.get("sim_text") or ["-"])
    idx = np.minimum((u[1] * len(examples)).astype(np.int64), len(examples) - 1)
    out: npt.NDArray[np.object_] = np.asarray(examples, dtype=object)[idx]
    return out


def interview_dates(q: Questionnaire, year: int, u: FloatArray) -> npt.NDArray[np.datetime64]:
    """Fieldwork dates in the survey year: July-December within the interview-date item's
    bounds (a questionnaire may serve several years), else August-November."""
    item = next((it for it in q.items if it.type == "date" and not it.meta), None)
    lo = dt.date.fromisoformat(str(item.min)) if item and item.min else dt.date(year, 8, 1)
    hi = dt.date.fromisoformat(str(item.max)) if item and item.max else dt.date(year, 11, 30)
    season = (max(lo, dt.date(year, 7, 1)), min(hi, dt.date(year, 12, 31)))
    if season[0] <= season[1]:
        lo, hi = season
    span = (hi - lo).days + 1
    days = np.floor(u * span).astype(np.int64)
    return np.datetime64(lo.isoformat(), "D") + days.astype("timedelta64[D]")


class AnswerTable:
    """Columns of answers, filled item by item."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.n = ctx.prov.shape[0]
        self.columns: dict[str, npt.NDArray[Any]] = {}

    def _view(self, item_ids: frozenset[str]) -> pd.DataFrame:
        cols: dict[str, npt.NDArray[Any]] = {}
        for item_id in item_ids:
            if self.ctx.q.item(item_id).type == "multiple_choice":
                prefix = f"{item_id}_"
                cols.update({k: v for k, v in self.columns.items() if k.startswith(prefix)})
            if item_id in self.columns:
                cols[item_id] = self.columns[item_id]
        return pd.DataFrame(cols, index=pd.RangeIndex(self.n))

    def relevant(self, item: Item) -> npt.NDArray[np.bool_]:
        if not item.relevant:
            return np.ones(self.n, dtype=bool)
        node = self.ctx.q.condition(item.relevant)
        return evaluate_frame(node, self._view(referenced_items(node)), self.ctx.q)

    def fill(self) -> dict[str, npt.NDArray[Any]]:
        for item in self.ctx.q.items:
            self._item(item)
        return self.columns

    def _constrained(self, item: Item, active: npt.NDArray[np.bool_], u: FloatArray) -> FloatArray:
        """Numeric draws that satisfy the item's constraint: failing rows are redrawn from
        shifted uniforms (a vectorised rejection step), then set to the item's minimum."""
        values = _numeric(item, u)
        if not item.constraint:
            return values
        node = self.ctx.q.condition(item.constraint)
        view = self._view(referenced_items(node))
        for attempt in range(1, 21):
            view[item.id] = np.where(active, values, np.nan)
            bad = active & ~evaluate_frame(node, view, self.ctx.q, current=item.id)
            if not bad.any():
                return values
            shifted = u.copy()
            shifted[1] = np.mod(u[1] + 0.6180339887 * attempt, 1.0)
            values = np.where(bad, _numeric(item, shifted), values)
        lowest = float(item.min) if isinstance(item.min, int | float) else values
        return np.where(bad, lowest, values)

    def _specials(self, item: Item, rel: npt.NDArray[np.bool_], u: FloatArray) -> FloatArray:
        codes = np.full(self.n, np.nan)
        cum = 0.0
        for name, code in self.ctx.q.allowed_special(item).items():
            rate = float(item.meta.get(f"sim_p_{name}", SPECIAL_RATES.get(name, 0.0)))
            hit = rel & (u[2] >= cum) & (u[2] < cum + rate)
            codes[hit] = code
            cum += rate
        return codes

    def _item(self, item: Item) -> None:
        ctx = self.ctx
        off = ctx.offsets[item.id]
        u = ctx.uniforms[
            off : off
            + UNIFORMS_PER_ITEM
            + (len(ctx.q.choices_of(item)) if item.type == "multiple_choice" else 0)
        ]
        rel = self.relevant(item)
        spec = self._specials(item, rel, u)
        is_special = ~np.isnan(spec)
        plan = ctx.plans.get(item.id)
        if item.type == "multiple_choice" and isinstance(plan, MultiPlan):
            options = _multi(ctx, plan, u)
            keep = rel & ~is_special
            for j, code in enumerate(plan.codes):
                self.columns[f"{item.id}_{int(code)}"] = np.where(keep, options[:, j], np.nan)
            if is_special.any():
                self.columns[item.id] = spec
            return
        values: npt.NDArray[Any]
        if item.id in ctx.fixed:
            values = ctx.fixed[item.id]
            is_special[:] = False
        elif isinstance(plan, ChoicePlan):
            values = _choice(ctx, plan, u)
        elif item.type in ("integer", "decimal"):
            values = self._constrained(item, rel & ~is_special, u)
        elif item.type == "date":
            values = _dates(ctx, item, u)
        else:
            values = _text(item, u)
        if values.dtype == object:
            out = np.where(rel & ~is_special, values, np.asarray(None, dtype=object))
            if is_special.any():
                # as responses_to_frame does: a special code in a text/date column is a string
                out[is_special] = [str(int(c)) for c in spec[is_special]]
            self.columns[item.id] = out
        else:
            out_f = np.where(rel, values.astype(np.float64), np.nan)
            self.columns[item.id] = np.where(is_special, spec, out_f)
