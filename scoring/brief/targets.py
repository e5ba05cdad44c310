"""What it takes: the smallest improvement that places a province in a target position.

Targets: a performance group (``high``, ``high-average``, ``low-average``: reaching that
group or a better one) or ``top10`` (rank 10 or better). Placement is decided by the one
home of the rule, :mod:`scoring.index.groups` (quartiles P25/P50/P75 of the scored
provinces, ranks with ties sharing the better rank), recomputed with the improved score in
the set: raising a province's score moves the quartiles too.

Threshold (others held fixed). With the other provinces' scores ``o`` fixed, whether the
subject is placed is a monotone function of its own score ``x``: a type-7 percentile moves
by at most as much as one of its inputs, so ``x − P_q(x)`` never decreases. The set of
scores that place it is therefore ``[t, ∞)`` or ``(t, ∞)``, and ``t`` is one of the other
provinces' scores (the fixed point of ``x = P_q(x)`` is an order statistic of ``o``).
:func:`threshold` finds ``t`` exactly by evaluating the rule at every other province's
score and just above it (one vectorised call), and says whether ``t`` itself is enough.

Smallest improvement. The aggregate is the sum of the sub-dimension scores, so any
improvement whose points add up to ``t − x`` (plus :data:`MARGIN` where ``t`` itself is not
enough, and to clear floating-point rounding) places the province, and none with fewer
points does. Each sub-dimension may rise at most to the best score any province of the
field reaches on it (its *headroom*). Two allocations of that minimal total are given:

- ``focused``: the fewest sub-dimensions: largest headroom first, each raised to the best
  province's score until the total is reached (no allocation of the same total touches
  fewer sub-dimensions);
- ``balanced``: the same fraction ``θ = points / Σ headroom`` of the headroom everywhere.

Both reach the target, and taking 1% off any one sub-dimension's improvement misses it
(tests/scoring/brief). When the headroom does not add up to the points needed, the target
cannot be reached by matching the best province on every sub-dimension: ``feasible`` is
false and no allocation is given.

Uncertainty. Where the scores carry standard errors, the probability that the improved
score is placed is the share of draws ``est + se · T`` (every province, the subject's
estimate raised by the improvement) in which it is placed, ``T`` Student t on each
province's design df (normal where the df is infinite): the draws of
:func:`scoring.design.results.reference_draws`, the distribution the CIs use. These are
draws of the estimates a survey would give around given scores (the question is whether a
future survey shows the improvement), not of the true scores given today's estimates, so
``score``'s empirical-Bayes draws (rank intervals, group probabilities) do not apply here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scoring.design.results import reference_draws
from scoring.index.groups import GROUP_LABELS, group_codes, ranks
from survey.errors import ScoringError
from survey.rng import RngLike

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

TOP_N = 10
TOP = "top10"
TARGETS: tuple[str, ...] = (*GROUP_LABELS[:3], TOP)
MARGIN = 1e-9
"""Points added to every required improvement so that the recomputed sum clears the
boundary despite floating-point rounding (and a strict boundary is exceeded)."""


def placed(values: FloatArray, subject: int, target: str) -> BoolArray:
    """Whether province ``subject`` (last axis = provinces) is placed at ``target``."""
    if target == TOP:
        r = ranks(values, axis=-1)[..., subject]
        return np.asarray(r <= TOP_N)
    if target not in GROUP_LABELS:
        raise ScoringError(
            f"unknown target {target!r}; expected one of {', '.join(TARGETS)}",
            code="brief_target_unknown",
        )
    codes = group_codes(values, axis=-1)[..., subject]
    return np.asarray((codes >= 0) & (codes <= GROUP_LABELS.index(target)))


@dataclass(frozen=True)
class Threshold:
    """The least score that places a province at ``target`` among fixed others:
    ``score >= value`` (``strict`` false) or ``score > value`` (``strict`` true).

    Attributes
    ----------
    target : str
        A group or ``top10``.
    value : float
        The boundary.
    strict : bool
        Whether the score must exceed it.
    """

    target: str
    value: float
    strict: bool

    def reached(self, score: float) -> bool:
        return score > self.value if self.strict else score >= self.value

    def needed(self, score: float) -> float:
        """Points to add to ``score`` to be placed (0 when it already is)."""
        if self.reached(score):
            return 0.0
        return self.value - score + MARGIN


def threshold(others: FloatArray, target: str) -> Threshold:
    """The exact threshold of ``target`` for one more province among ``others`` (fixed).

    Parameters
    ----------
    others : numpy.ndarray
        The other provinces' aggregates.
    target : str
        A group or ``top10``.

    Returns
    -------
    Threshold
        The least placing score.

    Raises
    ------
    ScoringError
        The target cannot be reached (cannot happen for a valid target).
    """
    o = np.asarray(others, dtype=np.float64)
    c = np.unique(o[np.isfinite(o)])
    if c.size == 0:
        return Threshold(target, -np.inf, False)
    nxt = np.append(c[1:], c[-1] + 1.0)
    probes = np.concatenate([[c[0] - 1.0], c, (c + nxt) / 2.0])
    values = np.column_stack([np.broadcast_to(o, (probes.size, o.size)), probes])
    ok = placed(values, o.size, target)
    if ok[0]:
        return Threshold(target, -np.inf, False)
    at, right = ok[1 : 1 + c.size], ok[1 + c.size :]
    first = int(np.argmax(at | right))
    if not (at | right)[first]:  # cannot happen: above everyone is rank 1 and high
        raise ScoringError(f"target {target} unreachable", code="brief_target_unreachable")
    return Threshold(target, float(c[first]), strict=not bool(at[first]))


def next_group(group: str | None) -> str | None:
    """The group one step up (``None`` for ``high`` or no group)."""
    if group not in GROUP_LABELS or group == GROUP_LABELS[0]:
        return None
    return GROUP_LABELS[GROUP_LABELS.index(group) - 1]


def focused(points: float, headroom: FloatArray) -> FloatArray:
    """``points`` on the fewest sub-dimensions: largest headroom first (ties in code order),
    each raised by its full headroom, the last by what remains."""
    h = np.maximum(np.asarray(headroom, dtype=np.float64), 0.0)
    order = np.argsort(-h, kind="stable")
    before = np.concatenate([[0.0], np.cumsum(h[order])[:-1]])
    take = np.clip(points - before, 0.0, h[order])
    out = np.zeros_like(h)
    out[order] = take
    return out


def balanced(points: float, headroom: FloatArray) -> tuple[FloatArray, float]:
    """The same fraction ``θ`` of every sub-dimension's headroom; returns ``(δ, θ)``."""
    h = np.maximum(np.asarray(headroom, dtype=np.float64), 0.0)
    total = float(h.sum())
    theta = points / total if total > 0 else (0.0 if points <= 0 else np.inf)
    return h * min(theta, 1.0), theta


@dataclass(frozen=True)
class Plan:
    """The smallest improvement (points per sub-dimension) placing the subject at
    ``target``; allocations are empty (NaN) when not ``feasible``.

    Attributes
    ----------
    target : str
        A group or ``top10``.
    threshold : Threshold
        The score to reach.
    score : float
        The subject's aggregate now.
    points : float
        The improvement's total.
    feasible : bool
        Whether the sub-dimensions' headroom allows it.
    headroom : numpy.ndarray
        Per sub-dimension, the gap to the best score the field reaches on it.
    focused : numpy.ndarray
        The fewest sub-dimensions: largest headroom first.
    balanced : numpy.ndarray
        The same fraction of every headroom.
    fraction : float
        That fraction, ``points / Σ headroom``.
    probability : float or None, default None
        With standard errors: of being placed after the improvement.
    probability_now : float or None, default None
        Of being placed now.
    points_80 : float or None, default None
        The least improvement placing it there with probability 0.8.
    """

    target: str
    threshold: Threshold
    score: float
    points: float
    feasible: bool
    headroom: FloatArray
    focused: FloatArray
    balanced: FloatArray
    fraction: float
    probability: float | None = None  # of being placed after the improvement (with SEs)
    probability_now: float | None = None
    points_80: float | None = None  # least improvement placing it there with probability 0.8


def plan(
    score: float,
    others: FloatArray,
    headroom: FloatArray,
    target: str,
) -> Plan:
    """The plan for one target (probabilities are added by :func:`with_probabilities`).

    Parameters
    ----------
    score : float
        The subject's aggregate.
    others : numpy.ndarray
        The other provinces' aggregates.
    headroom : numpy.ndarray
        Per sub-dimension headroom.
    target : str
        A group or ``top10``.

    Returns
    -------
    Plan
        The smallest improvement and its two allocations.
    """
    t = threshold(others, target)
    points = t.needed(score)
    h = np.maximum(np.asarray(headroom, dtype=np.float64), 0.0)
    feasible = points <= float(h.sum())
    bal, theta = balanced(points, h)
    empty = np.full_like(h, np.nan)
    return Plan(
        target=target,
        threshold=t,
        score=score,
        points=points,
        feasible=feasible,
        headroom=h,
        focused=focused(points, h) if feasible else empty,
        balanced=bal if feasible else empty,
        fraction=theta,
    )


def order_statistic(m: int, target: str) -> tuple[int, bool]:
    """``(k, strict)``: with ``m`` other provinces, the threshold of ``target`` is the
    ``k``-th smallest of their scores (0-based), to be exceeded when ``strict``. The rule
    depends only on the order of the scores, so it is read off scores ``0 … m − 1``."""
    t = threshold(np.arange(m, dtype=np.float64), target)
    if not np.isfinite(t.value):
        return -1, False
    return int(t.value), t.strict


def _draws(
    centre: FloatArray, se: FloatArray, df: FloatArray | None, draws: int, rng: RngLike
) -> FloatArray:
    """(draws, provinces) of ``est + se · T``, T on each province's df (``None``: infinite)."""
    nu = np.full(len(centre), np.inf) if df is None else np.asarray(df, dtype=np.float64)
    out: FloatArray = reference_draws(
        centre[:, None], np.asarray(se, dtype=np.float64)[:, None], nu[:, None], "t", draws, rng
    )[..., 0]
    return out


def points_for_probability(
    est: FloatArray,
    se: FloatArray,
    subject: int,
    target: str,
    probability: float = 0.8,
    *,
    df: FloatArray | None = None,
    draws: int = 4000,
    rng: RngLike = None,
) -> float:
    """The least improvement placing the subject at ``target`` in a share ``probability``
    of the draws of :func:`placement_probability` (same draws for the same ``rng``): in
    each draw the points needed are exact (the draw's order statistic), and this is their
    ``probability`` quantile (the smallest value reached by that share of draws)."""
    centre = np.asarray(est, dtype=np.float64)
    values = _draws(centre, se, df, draws, rng)
    x = values[:, subject]
    others = np.sort(np.delete(values, subject, axis=1), axis=1)
    k, _strict = order_statistic(others.shape[1], target)
    if k < 0:
        return 0.0
    needed = np.maximum(others[:, k] - x, 0.0) + MARGIN * (others[:, k] >= x)
    return float(np.quantile(needed, probability, method="inverted_cdf"))


def placement_probability(
    est: FloatArray,
    se: FloatArray,
    subject: int,
    target: str,
    shift: float = 0.0,
    *,
    df: FloatArray | None = None,
    draws: int = 4000,
    rng: RngLike = None,
) -> float:
    """Share of draws ``est + se · z`` (the subject's ``est`` raised by ``shift``) in which
    the subject is placed at ``target``."""
    centre = np.asarray(est, dtype=np.float64).copy()
    centre[subject] += shift
    values = _draws(centre, se, df, draws, rng)
    return float(placed(values, subject, target).mean())
