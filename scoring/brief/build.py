"""``build_brief``: where a province stands, where it loses points, what it takes, what
changed, as one frozen record (docs/brief.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.brief.changes import Changes, province_changes
from scoring.brief.field import Field
from scoring.brief.gaps import REFERENCES, Gap, decompose, group_of, indicator_terms, reference
from scoring.brief.targets import (
    TOP,
    TOP_N,
    Plan,
    next_group,
    placement_probability,
    plan,
    points_for_probability,
    threshold,
)
from scoring.index.groups import GROUP_LABELS, ranks
from scoring.index.results import PROB_COLUMNS, IndexScores
from scoring.index.uncertainty import posterior_rank_uncertainty
from survey.rng import RngLike, as_generator

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class DimensionStanding:
    """Where the province stands on one dimension.

    Attributes
    ----------
    dimension : str
        The dimension's code.
    score : float
        Its score (1–10).
    rank : float
        Its rank among the scored provinces.
    group : str or None
        Its performance group.
    target : str or None
        The next group up.
    points : float
        Points to reach it, other provinces fixed (0 when already high or no group).
    feasible : bool
        Whether that is within the headroom of its sub-dimensions.
    """

    dimension: str
    score: float
    rank: float
    group: str | None
    target: str | None  # the next group up
    points: float  # to reach it, other provinces fixed (0 when already high / no group)
    feasible: bool  # within the headroom of its sub-dimensions


@dataclass(frozen=True)
class Standing:
    """Where the province stands on the aggregate.

    Attributes
    ----------
    score, lci, uci : float
        The aggregate and its CI.
    rank : int
        Its rank.
    rank_lci, rank_uci : float
        The rank interval.
    group : str or None
        Its performance group.
    group_probabilities : dict of str to float or None
        The probability of each group (with standard errors).
    provinces : int
        Provinces ranked.
    median : float
        The median aggregate.
    to_median : float
        Median − score.
    next_group : str or None
        The next group up.
    to_next_group : float
        Points needed to reach it, boundaries recomputed (0: already there).
    next_group_boundary : float
        The current quartile the province has to pass.
    to_top10 : float
        Points needed to rank 10 or better (0 when in the top 10).
    top10_cushion : float
        In the top 10: points it may lose before dropping out (else NaN).
    group_cushion : float
        Points it may lose before leaving its group (NaN in the low group).
    top10_probability : float or None
        With standard errors: the probability of a top-10 rank now.
    dimensions : tuple of DimensionStanding
        The same per dimension.
    """

    score: float
    lci: float
    uci: float
    rank: int
    rank_lci: float
    rank_uci: float
    group: str | None
    group_probabilities: dict[str, float] | None
    provinces: int
    median: float
    to_median: float  # median − score (points to the current median)
    next_group: str | None
    to_next_group: float  # points needed, boundaries recomputed (0: already there)
    next_group_boundary: float  # the current quartile the province has to pass
    to_top10: float  # points needed to rank 10 or better (0 when in the top 10)
    top10_cushion: float  # in the top 10: points it may lose before dropping out (else nan)
    group_cushion: float  # points it may lose before leaving its group (nan in the low group)
    top10_probability: float | None  # with standard errors: probability of a top-10 rank now
    dimensions: tuple[DimensionStanding, ...]


@dataclass(frozen=True, eq=False)
class Brief:
    """A province's action brief (docs/brief.md).

    Attributes
    ----------
    province : str
        The subject's code.
    field : Field
        The provinces it is ranked among.
    standing : Standing
        Where it stands.
    gaps : tuple of Gap
        Its gap to each reference (next group, top 10, best, median).
    plans : tuple of Plan
        The smallest improvement reaching each target.
    changes : Changes or None
        What changed since the previous result.
    uncertain : bool
        Whether the scores carry standard errors.
    notes : tuple of str, default ()
        What a reader must know.
    """

    province: str
    field: Field
    standing: Standing
    gaps: tuple[Gap, ...]
    plans: tuple[Plan, ...]
    changes: Changes | None
    uncertain: bool  # the scores carry standard errors
    notes: tuple[str, ...] = ()

    def gap(self, key: str) -> Gap | None:
        return next((g for g in self.gaps if g.reference.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN → ``None``)."""
        out: dict[str, Any] = _clean(_as_dict(self))
        return out


def _row(scores: IndexScores, province: str) -> dict[str, Any]:
    frame = scores.composite
    rec = {str(k): v for k, v in frame[frame["province"] == province].iloc[0].items()}
    return {k: (np.nan if v is pd.NA else v) for k, v in rec.items()}


def _quartile(values: FloatArray, q: float) -> float:
    return float(np.percentile(values[np.isfinite(values)], 100 * q))


def _standing(
    f: Field, scores: IndexScores | None, uncertain: bool, draws: int, rng: RngLike
) -> Standing:
    agg = f.aggregate()
    x = float(agg[f.subject])
    others = agg[f.others()]
    rank = int(ranks(agg[:, None])[f.subject, 0])
    group = group_of(agg, f.subject)
    lci = uci = rank_lci = rank_uci = np.nan
    probs: dict[str, float] | None = None
    if scores is not None and not f.substituted:
        row = _row(scores, f.province)
        lci, uci = float(row["lci"]), float(row["uci"])
        rank_lci, rank_uci = float(row["rank_lci"]), float(row["rank_uci"])
        if uncertain and pd.notna(row[PROB_COLUMNS[0]]):
            probs = {g: float(row[c]) for g, c in zip(GROUP_LABELS, PROB_COLUMNS, strict=True)}
    elif uncertain:  # a pilot among published provinces: the draws score() makes
        gen = as_generator(rng)
        level = 0.95 if scores is None else scores.confidence  # the CIs' level beside it
        lo, hi, pr = posterior_rank_uncertainty(
            agg[:, None], f.se[:, None], f.df, "t", draws, gen, level
        )
        rank_lci, rank_uci = float(lo[f.subject, 0]), float(hi[f.subject, 0])
        probs = {g: float(p) for g, p in zip(GROUP_LABELS, pr[f.subject, 0], strict=True)}
    if scores is not None and f.substituted:
        row = _row(scores, f.province)
        lci, uci = float(row["lci"]), float(row["uci"])
    up = next_group(group)
    to_next = boundary = np.nan
    if up is not None:
        to_next = threshold(others, up).needed(x)
        q = {"high": 0.75, "high-average": 0.5, "low-average": 0.25}[up]
        boundary = _quartile(agg, q)
    top = threshold(others, TOP)
    cushion = x - top.value if top.reached(x) else np.nan
    group_cushion = np.nan
    if group is not None and group != GROUP_LABELS[-1]:
        group_cushion = x - threshold(others, group).value
    top_p = (
        placement_probability(agg, f.se, f.subject, TOP, df=f.df, draws=draws, rng=rng)
        if uncertain
        else None
    )
    median = _quartile(agg, 0.5)
    return Standing(
        score=x,
        lci=lci,
        uci=uci,
        rank=rank,
        rank_lci=rank_lci,
        rank_uci=rank_uci,
        group=group,
        group_probabilities=probs,
        provinces=len(agg),
        median=median,
        to_median=median - x,
        next_group=up,
        to_next_group=to_next,
        next_group_boundary=boundary,
        to_top10=top.needed(x),
        top10_cushion=cushion,
        group_cushion=group_cushion,
        top10_probability=top_p,
        dimensions=_dimension_standing(f),
    )


def _dimension_standing(f: Field) -> tuple[DimensionStanding, ...]:
    st = f.structure
    table = f.dimensions
    x_dim = f.dims(f.sub[f.subject])
    headroom = np.maximum(f.best() - f.sub[f.subject], 0.0)
    owner = np.array(st.subdimension_dimension)
    out = []
    for j, d in enumerate(st.dimensions):
        col = table[d].to_numpy(np.float64)
        where = list(table.index).index(f.province)
        rank = float(ranks(col[:, None])[where, 0])
        group = group_of(col, where)
        up = next_group(group)
        points, feasible = 0.0, True
        if up is not None:
            rest = np.delete(col, where)
            points = threshold(rest, up).needed(float(x_dim[j]))
            feasible = points <= float(headroom[owner == d].sum())
        out.append(DimensionStanding(d, float(x_dim[j]), rank, group, up, points, feasible))
    return tuple(out)


def build_brief(
    field_: Field,
    *,
    scores: IndexScores | None = None,
    previous: IndexScores | None = None,
    current: IndexScores | None = None,
    definitions: tuple[Any, Any] | None = None,
    draws: int = 4000,
    rng: RngLike = None,
) -> Brief:
    """The brief of ``field_``'s subject.

    ``scores``: the subject's own scores (CI, rank interval, group probabilities, and with
    microdata the indicator terms); ``current``/``previous``: the two results to compare
    for "what changed" (``current`` defaults to ``scores``).

    Parameters
    ----------
    field_ : Field
        The provinces the subject is ranked among, with the subject.
    scores : IndexScores or None, default None
        The subject's own scores.
    previous : IndexScores or None, default None
        The earlier result for "what changed".
    current : IndexScores or None, default None
        The later result for "what changed"; ``None``: ``scores``.
    definitions : tuple or None, default None
        ``(current, previous)`` maps indicator code → definition (province_changes).
    draws : int, default 4000
        Draws behind the probabilities.
    rng : int, numpy.random.Generator or None, default None
        Random source of the draws; ``None`` is seed 0.

    Returns
    -------
    Brief
        Standing, gaps, plans and changes.
    """
    f = field_
    uncertain = bool((f.se > 0).any())
    standing = _standing(f, scores, uncertain, draws, rng)
    terms = None
    subject_terms = None
    notes = []
    if scores is not None and len(scores.indicators) and not f.substituted:
        if f.structure.indicators:
            terms = indicator_terms(scores, f.structure)
        else:
            notes.append(
                f"no breakdown by indicator: the scores' questionnaire {scores.structure!r} is "
                "not a bundled one, so its indicators' place in the index is unknown here "
                "(pass its structure to Field.from_scores)"
            )
    gaps = []
    for key in REFERENCES:
        ref = reference(f, key)
        if ref is not None:
            gaps.append(decompose(f, ref, terms=terms, subject_terms=subject_terms))
    x_sub = f.sub[f.subject]
    headroom = f.best() - x_sub
    agg = f.aggregate()
    others = agg[f.others()]
    targets = [t for t in (standing.next_group, TOP) if t is not None]
    plans = []
    for target in targets:
        if target == TOP and standing.to_top10 == 0:
            continue
        p = plan(standing.score, others, headroom, target)
        if uncertain:
            prob = placement_probability(
                agg, f.se, f.subject, target, p.points, df=f.df, draws=draws, rng=rng
            )
            now = placement_probability(
                agg, f.se, f.subject, target, 0.0, df=f.df, draws=draws, rng=rng
            )
            p80 = points_for_probability(
                agg, f.se, f.subject, target, 0.8, df=f.df, draws=draws, rng=rng
            )
            p = Plan(
                **{**p.__dict__, "probability": prob, "probability_now": now, "points_80": p80}
            )
        plans.append(p)
    changes = None
    base = current if current is not None else scores
    if previous is not None and base is not None:
        changes = province_changes(base, previous, f.province, definitions=definitions)
    return Brief(
        f.province, f, standing, tuple(gaps), tuple(plans), changes, uncertain, tuple(notes)
    )


# ----- serialisation ----------------------------------------------------------------------
def _as_dict(obj: Any) -> Any:
    if isinstance(obj, Brief):
        f = obj.field
        st = f.structure
        return {
            "province": obj.province,
            "provinces": len(f.provinces),
            "substituted": f.substituted,
            "uncertain": obj.uncertain,
            "standing": _as_dict(obj.standing),
            "gaps": [_as_dict(g) for g in obj.gaps],
            "plans": [
                {
                    "target": p.target,
                    "threshold": p.threshold.value,
                    "strict": p.threshold.strict,
                    "score": p.score,
                    "points": p.points,
                    "feasible": p.feasible,
                    "fraction": p.fraction,
                    "probability": p.probability,
                    "probability_now": p.probability_now,
                    "points_80": p.points_80,
                    "subdimensions": [
                        {
                            "subdimension": s,
                            "dimension": d,
                            "current": float(f.sub[f.subject, j]),
                            "best": float(f.best()[j]),
                            "headroom": float(p.headroom[j]),
                            "focused": float(p.focused[j]),
                            "balanced": float(p.balanced[j]),
                        }
                        for j, (s, d) in enumerate(
                            zip(st.subdimensions, st.subdimension_dimension, strict=True)
                        )
                    ],
                }
                for p in obj.plans
            ],
            "changes": None
            if obj.changes is None
            else {
                "adjust": obj.changes.adjust,
                "tested": obj.changes.tested,
                "changed_dimensions": list(obj.changes.changed_dimensions),
                "rows": obj.changes.table.to_dict("records"),
                "not_compared": obj.changes.not_compared.to_dict("records"),
            },
            "notes": list(obj.notes),
        }
    if isinstance(obj, Gap):
        return {
            "reference": obj.reference.key,
            "reference_provinces": list(obj.reference.provinces),
            "total": obj.total,
            "subject_score": obj.subject_score,
            "reference_score": obj.reference_score,
            "dimensions": obj.dimensions.to_dict("records"),
            "subdimensions": obj.subdimensions.to_dict("records"),
            "indicators": None if obj.indicators is None else obj.indicators.to_dict("records"),
        }
    if isinstance(obj, Standing | DimensionStanding):
        return {k: _as_dict(v) for k, v in obj.__dict__.items()}
    if isinstance(obj, tuple | list):
        return [_as_dict(v) for v in obj]
    return obj


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if obj is pd.NA or obj is None:
        return None
    if isinstance(obj, np.bool_ | bool):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        v = float(obj)
        return v if np.isfinite(v) else None
    return obj


__all__ = ["TOP_N", "Brief", "DimensionStanding", "Standing", "build_brief"]
