"""How each item is answered: targets from the published scores, per province.

Every choice item (yes/no, single choice, rating) is drawn from a two-component mixture

    P(answer = c | unit) = t_u · D1[c] + (1 − t_u) · D0[c]

with province-level component distributions D1, D0 over its codes and a latent ``t_u`` that
varies by district, commune and village around the province's ``t`` (``effects.py``) with
E[t_u] = t. Every indicator functional (the share of some codes, the mean of a rating, a count
of criteria) is then *linear* in ``t_u``, so its expectation is exact whatever the unit-level
variation: this is how each province's expected sub-dimension scores equal the published ones.

Targets (docs/method.md "Arithmetic", inverted): for indicator i of sub-dimension s, ``r_i = k_d · sub_s``
(the published score on its 1..10 scale), ``x_i = L + (r_i − 1)(U − L)/9``. Then

- share of codes A: ``t = x``, D1 uniform on A, D0 on the other codes (as their ``sim_probs``
  hint weighs them, else uniform; a second share of the
  same item on disjoint codes B takes mass ``x_B / (1 − x_A)`` of D0);
- mean of a rating on [a, b]: ``q = (x − a)/(b − a)``, ``t = q``, D1 = a + Bin(b − a, (1+q)/2),
  D0 = a + Bin(b − a, q/2) (mean exactly a + (b − a) q, a realistic spread);
- share and mean on the same item: D1 on A and D0 off A, two-point distributions at the ends
  of each set placed to give the mean;
- checklist of N criteria with expected count x: each criterion a share target ``x / N``.

Items that no indicator reads follow their ``meta`` hints (sim_p_yes, sim_probs, ...), else a
uniform distribution. Multiple-choice shares: "some code of A selected" with probability t_u.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from survey.questionnaire.schema import Indicator, Item, Questionnaire

FloatArray = npt.NDArray[np.float64]
EPS = 1e-6


@dataclass
class ChoicePlan:
    """A choice item: codes, per-province t (P,), D1 and D0 (P × C), and whether t varies."""

    item: Item
    codes: FloatArray
    t: FloatArray
    d1: FloatArray
    d0: FloatArray
    varies: bool
    sign: float  # +1 when a higher t is better governance, −1 worse, 0 for non-target items


@dataclass
class MultiPlan:
    """A multiple-choice item: with probability t_u some code of ``hit`` is selected."""

    item: Item
    codes: FloatArray
    hit: npt.NDArray[np.bool_]
    t: FloatArray
    p_other: FloatArray  # per-option selection probability off the success draw
    varies: bool
    sign: float


@dataclass
class Targets:
    """Share / mean constraints collected on one item for every province."""

    shares: list[tuple[frozenset[int], FloatArray, float]] = field(default_factory=list)
    means: list[FloatArray] = field(default_factory=list)
    sign: float = 0.0


def indicator_x(ind: Indicator, r: FloatArray) -> FloatArray:
    """Invert the goalposts: the x that gives score r (docs/method.md "Arithmetic")."""
    return ind.low + (r - 1.0) * (ind.high - ind.low) / 9.0


def _pinned_x(q: Questionnaire, ind: Indicator) -> float | None:
    """A share of 'yes' on a screening item with a realistic rate (``sim_p_yes``)."""
    if ind.kind != "share" or ind.item is None or tuple(ind.codes or ()) != (1,):
        return None
    hint = q.item(ind.item).meta.get("sim_p_yes")
    return None if hint is None else float(hint)


def indicator_scores(q: Questionnaire, sub_code: str, s: FloatArray) -> list[FloatArray]:
    """Per-indicator targets r_i whose mean is the sub-dimension's score ``s`` (1..10).

    A screening item with a realistic eligibility rate (``sim_p_yes``) above its target keeps
    that rate, so that the questions it opens reach a realistic number of respondents; the
    other indicators of the sub-dimension share the difference, so the mean of r stays
    exactly ``s``. Where that would push them out of [1, 10], the screeners are moved toward
    ``s`` just enough. Otherwise all indicators take ``s``.
    """
    sub = next(x for x in q.structure.subdimensions if x.code == sub_code)
    n = len(sub.indicators)
    pins = [_pinned_x(q, ind) for ind in sub.indicators]
    pinned = np.array([p is not None for p in pins])
    if not pinned.any() or pinned.all():
        return [s.copy() for _ in sub.indicators]
    # a screener keeps at least its realistic rate: raising it opens the questions it gates
    # to more respondents; lowering it would only starve them (so then it keeps its target)
    r_pin = np.array(
        [
            1.0 + 9.0 * (np.maximum(p, indicator_x(ind, s)) - ind.low) / (ind.high - ind.low)
            for ind, p in zip(sub.indicators, pins, strict=True)
            if p is not None
        ]
    )
    dev = (r_pin - s[None, :]).sum(axis=0)  # Σ (r_pin − s), per province
    n_free = n - int(pinned.sum())
    # free indicators take s − λ·dev/n_free; keep them within [1, 10]
    room = np.where(dev > 0, (s - 1.0) * n_free, (10.0 - s) * n_free)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.clip(np.where(dev != 0, room / np.abs(dev), 1.0), 0.0, 1.0)
    out: list[FloatArray] = []
    k = 0
    for is_pin in pinned:
        if is_pin:
            out.append(s + lam * (r_pin[k] - s))
            k += 1
        else:
            out.append(s - lam * dev / n_free)
    return out


def collect_targets(q: Questionnaire, r_by_sub: pd.DataFrame) -> dict[str, Targets]:
    """Item → constraints, from sub-dimension targets (provinces × sub-dimension codes, 1..10)."""
    out: dict[str, Targets] = {}
    for sub in q.structure.subdimensions:
        s = np.clip(r_by_sub[sub.code].to_numpy(np.float64), 1.0, 10.0)
        for ind, r in zip(sub.indicators, indicator_scores(q, sub.code, s), strict=True):
            x = indicator_x(ind, r)
            sign = 1.0 if ind.direction == "positive" else -1.0
            if ind.kind == "share" and ind.item is not None:
                tg = out.setdefault(ind.item, Targets())
                tg.shares.append((frozenset(ind.codes or ()), x, sign))
            elif ind.kind == "mean":
                for item_id in ind.items or ():
                    tg = out.setdefault(item_id, Targets())
                    tg.means.append(x)
                    tg.sign = tg.sign or sign
            else:
                n = len(ind.criteria or ())
                for crit in ind.criteria or ():
                    tg = out.setdefault(crit.item, Targets())
                    tg.shares.append((frozenset(crit.codes), x / n, sign))
    for tg in out.values():
        if tg.shares:
            tg.sign = tg.shares[0][2]
    return out


def _uniform_on(mask: npt.NDArray[np.bool_], n_prov: int) -> FloatArray:
    row = mask / max(mask.sum(), 1)
    return np.tile(row.astype(np.float64), (n_prov, 1))


def _binomial(codes: FloatArray, p: FloatArray) -> FloatArray:
    """Rows of a + Bin(b − a, p) over the consecutive codes a..b (one row per p)."""
    k = codes - codes[0]
    return np.asarray(stats.binom.pmf(k[None, :], len(codes) - 1, p[:, None]), dtype=np.float64)


def _two_point(mask: npt.NDArray[np.bool_], codes: FloatArray, lam: FloatArray) -> FloatArray:
    """Mass 1 − λ on the set's smallest code and λ on its largest."""
    lo, hi = codes[mask].min(), codes[mask].max()
    out = np.zeros((len(lam), len(codes)))
    out[:, codes == lo] += (1 - lam)[:, None]
    out[:, codes == hi] += lam[:, None]
    return out


def choice_plan(q: Questionnaire, item: Item, tg: Targets | None, n_prov: int) -> ChoicePlan:
    codes = np.array([c.code for c in q.choices_of(item)], dtype=np.float64)
    ones = np.ones(n_prov)
    if tg is None:
        return _hint_plan(item, codes, n_prov)
    if tg.shares:
        a_set, x_a, _ = tg.shares[0]
        in_a = np.isin(codes, list(a_set))
        t = np.clip(x_a, EPS, 1 - EPS) if (~in_a).any() else ones
        d1 = _uniform_on(in_a, n_prov)
        d0 = _off_target(item, in_a, n_prov)
        if tg.means and item.scale is not None:
            m = np.mean(tg.means, axis=0)
            lo_a, hi_a = codes[in_a].min(), codes[in_a].max()
            lo_b, hi_b = codes[~in_a].min(), codes[~in_a].max()
            lam = (m - t * lo_a - (1 - t) * lo_b) / (t * (hi_a - lo_a) + (1 - t) * (hi_b - lo_b))
            lam = np.clip(np.nan_to_num(lam, nan=0.5), 0.0, 1.0)
            d1, d0 = _two_point(in_a, codes, lam), _two_point(~in_a, codes, lam)
        for b_set, x_b, _ in tg.shares[1:]:
            in_b = np.isin(codes, list(b_set)) & ~in_a
            rest = ~in_a & ~in_b
            share_b = np.clip(x_b / np.maximum(1 - t, EPS), 0.0, 1.0)
            d0 = share_b[:, None] * _uniform_on(in_b, n_prov) + (1 - share_b)[:, None] * (
                _uniform_on(rest, n_prov) if rest.any() else _uniform_on(in_b, n_prov)
            )
        return ChoicePlan(item, codes, t, d1, d0, True, tg.sign)
    m = np.mean(tg.means, axis=0)
    qv = np.clip((m - codes[0]) / (codes[-1] - codes[0]), EPS, 1 - EPS)
    return ChoicePlan(
        item, codes, qv, _binomial(codes, (1 + qv) / 2), _binomial(codes, qv / 2), True, tg.sign
    )


def _off_target(item: Item, in_a: npt.NDArray[np.bool_], n_prov: int) -> FloatArray:
    """D0 of a share target: the other codes, in proportion to ``sim_probs`` if the item has
    them (e.g. "did not send any" far more often than "sent, no reply"), else uniform."""
    probs = item.meta.get("sim_probs")
    if probs is None or len(probs) != len(in_a):
        return _uniform_on(~in_a, n_prov)
    row = np.where(in_a, 0.0, np.asarray(probs, dtype=np.float64))
    if row.sum() <= 0:
        return _uniform_on(~in_a, n_prov)
    return np.tile(row / row.sum(), (n_prov, 1))


def _hint_plan(item: Item, codes: FloatArray, n_prov: int) -> ChoicePlan:
    meta = item.meta
    if "sim_p_yes" in meta and item.type == "yes_no":
        p = float(meta["sim_p_yes"])
        yes = codes == 1
        return ChoicePlan(
            item, codes, np.full(n_prov, p), _uniform_on(yes, n_prov), _uniform_on(~yes, n_prov),
            True, 0.0,
        )  # fmt: skip
    if "sim_probs" in meta and len(meta["sim_probs"]) == len(codes):
        probs = np.asarray(meta["sim_probs"], dtype=np.float64)
        row = np.tile(probs / probs.sum(), (n_prov, 1))
    else:
        row = np.full((n_prov, len(codes)), 1.0 / len(codes))
    return ChoicePlan(item, codes, np.ones(n_prov), row, row, False, 0.0)


def multi_plan(q: Questionnaire, item: Item, tg: Targets | None, n_prov: int) -> MultiPlan:
    codes = np.array([c.code for c in q.choices_of(item)], dtype=np.float64)
    hint = item.meta.get("sim_p_select")
    if hint is not None and len(hint) == len(codes):
        p_other = np.asarray(hint, dtype=np.float64)
    else:
        p_other = np.full(len(codes), 0.3)
    if tg is None or not tg.shares:
        return MultiPlan(
            item, codes, np.zeros(len(codes), bool), np.ones(n_prov), p_other, False, 0.0
        )
    hit = np.isin(codes, list(tg.shares[0][0]))
    t = np.clip(tg.shares[0][1], EPS, 1 - EPS) if (~hit).any() else np.ones(n_prov)
    return MultiPlan(item, codes, hit, t, p_other, True, tg.sign)
