"""Where the points are lost: the gap to a reference, decomposed exactly.

References (each a profile of sub-dimension scores, so that its aggregate is the sum of its
own sub-dimensions, as for a province):

- ``next_group``: the boundary province of the next group up, the province of that group
  with the lowest aggregate (the one a climber has to pass);
- ``top10``: the mean profile of the provinces ranked 1–10 (its aggregate is their mean);
- ``best``: the province ranked first;
- ``median``: the median province (the mean profile of the two middle ones when the count
  is even), whose aggregate is the median aggregate.

Decomposition. The aggregate is the sum of the dimensions, a dimension the sum of its
sub-dimensions, and with microdata a sub-dimension is ``Σ_i w_i r_i`` over its available
indicators (``r_i`` rescaled to 1–10, ``w_i = 1 / (m k)``: ``m`` available indicators, ``k``
sub-dimensions in the dimension; see scoring.index.levels). So

    gap = R − X = Σ_d (R_d − X_d) = Σ_s (R_s − X_s) = Σ_i (w_i^R r_i^R − w_i^X r_i^X)

holds term by term with no interaction: every contribution is the reference's term minus
the subject's. With the same indicators available on both sides, an indicator's
contribution ``w_i (r_i^R − r_i^X)`` is exactly the points the province would recover by
reaching the reference's level on it: indicators are ranked by it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.brief.field import Field
from scoring.index.groups import GROUP_LABELS, group_codes, ranks
from scoring.index.levels import AggregationWeights
from scoring.index.results import IndexScores
from scoring.index.structure import IndexStructure

FloatArray = NDArray[np.float64]

REFERENCES: tuple[str, ...] = ("next_group", "top10", "best", "median")


@dataclass(frozen=True)
class Reference:
    """A reference profile: which provinces it averages, with equal weight."""

    key: str
    provinces: tuple[str, ...]
    members: NDArray[np.intp]  # indices into the field


def reference(field: Field, key: str) -> Reference | None:
    """The reference profile ``key`` in ``field``.

    Parameters
    ----------
    field : Field
        The provinces and the subject.
    key : {"next_group", "top10", "best", "median"}
        Which reference.

    Returns
    -------
    Reference or None
        The provinces it averages; ``None``: no next group for a high province.

    Raises
    ------
    ValueError
        An unknown ``key``.
    """
    agg = field.aggregate()
    if key == "next_group":
        codes = group_codes(agg[:, None])[:, 0]
        mine = int(codes[field.subject])
        if mine <= 0:
            return None
        up = np.flatnonzero(codes == mine - 1)
        members = up[[int(np.argmin(agg[up]))]]
    elif key == "top10":
        members = np.flatnonzero(ranks(agg[:, None])[:, 0] <= 10)
    elif key == "best":
        members = np.flatnonzero(ranks(agg[:, None])[:, 0] == 1)[:1]
    elif key == "median":
        order = np.argsort(agg, kind="stable")
        n = order.size
        members = order[[(n - 1) // 2, n // 2]] if n % 2 == 0 else order[[n // 2]]
    else:
        raise ValueError(f"unknown reference {key!r}; expected one of {REFERENCES}")
    members = np.asarray(members, dtype=np.intp)
    return Reference(key, tuple(field.provinces[i] for i in members), members)


@dataclass(frozen=True)
class Gap:
    """``reference − subject`` at every level.

    Attributes
    ----------
    reference : Reference
        The reference profile.
    total : float
        Reference aggregate − subject aggregate.
    subject_score, reference_score : float
        The two aggregates.
    dimensions : pandas.DataFrame
        dimension, subject, reference, contribution.
    subdimensions : pandas.DataFrame
        subdimension, dimension, subject, reference, contribution.
    indicators : pandas.DataFrame or None
        The same per indicator (microdata only).
    """

    reference: Reference
    total: float  # reference aggregate − subject aggregate
    subject_score: float
    reference_score: float
    dimensions: pd.DataFrame  # dimension, subject, reference, contribution
    subdimensions: pd.DataFrame  # subdimension, dimension, subject, reference, contribution
    indicators: pd.DataFrame | None  # indicator, subdimension, dimension, …, contribution


def indicator_terms(scores: IndexScores, st: IndexStructure) -> tuple[list[str], FloatArray]:
    """``w_i r_i`` of every province × indicator (0 where not counted): the terms whose sums
    are the sub-dimension scores. Weights come from :class:`scoring.index.levels.AggregationWeights`
    (the rule ``score`` applies) on the indicators available, restricted to scored
    sub-dimensions."""
    frame = scores.indicators
    r = frame.pivot(index="province", columns="indicator", values="rescaled")
    r = r.reindex(columns=list(st.indicators))
    available = r.notna().to_numpy()
    sub_est = scores.subdimensions.pivot(index="province", columns="subdimension", values="est")
    sub_est = sub_est.reindex(index=r.index, columns=list(st.subdimensions))
    w = AggregationWeights.from_available(available, st, min_share=1e-9).w
    scored_ind = sub_est.notna().to_numpy() @ st.membership().T > 0
    terms = np.where(available & scored_ind, np.nan_to_num(r.to_numpy()) * w, 0.0)
    return [str(p) for p in r.index], terms


def decompose(
    field: Field,
    ref: Reference,
    *,
    terms: tuple[list[str], FloatArray] | None = None,
    subject_terms: FloatArray | None = None,
) -> Gap:
    """The gap of the field's subject to ``ref``, by dimension, sub-dimension and (with
    ``terms`` from :func:`indicator_terms` of the field's own scores) by indicator.

    Parameters
    ----------
    field : Field
        The provinces and the subject.
    ref : Reference
        The reference profile (:func:`reference`).
    terms : tuple or None, default None
        Indicator codes and ``w_i r_i`` of every province × indicator.
    subject_terms : numpy.ndarray or None, default None
        The subject's own terms in place of its row of ``terms``.

    Returns
    -------
    Gap
        The decomposition.
    """
    st = field.structure
    x_sub = field.sub[field.subject]
    r_sub = field.sub[ref.members].mean(axis=0)
    x_dim, r_dim = field.dims(x_sub), field.dims(r_sub)
    x_agg, r_agg = float(x_dim.sum()), float(r_dim.sum())
    dims = pd.DataFrame(
        {
            "dimension": list(st.dimensions),
            "subject": x_dim,
            "reference": r_dim,
            "contribution": r_dim - x_dim,
        }
    )
    subs = pd.DataFrame(
        {
            "subdimension": list(st.subdimensions),
            "dimension": list(st.subdimension_dimension),
            "subject": x_sub,
            "reference": r_sub,
            "contribution": r_sub - x_sub,
        }
    )
    inds = None
    if terms is not None and st.indicators:
        rows, values = terms
        index = {p: i for i, p in enumerate(rows)}
        mine = subject_terms if subject_terms is not None else values[index[field.province]]
        theirs = values[[index[field.provinces[i]] for i in ref.members]].mean(axis=0)
        sub_of = list(st.indicator_subdimension)
        dim_of = dict(zip(st.subdimensions, st.subdimension_dimension, strict=True))
        inds = pd.DataFrame(
            {
                "indicator": list(st.indicators),
                "subdimension": sub_of,
                "dimension": [dim_of[s] for s in sub_of],
                "subject": mine,
                "reference": theirs,
                "contribution": theirs - mine,
            }
        ).sort_values("contribution", ascending=False, kind="stable")
    return Gap(ref, r_agg - x_agg, x_agg, r_agg, dims, subs, inds)


def group_of(values: FloatArray, subject: int) -> str | None:
    """Group label of ``subject`` among ``values`` (``None`` without groups)."""
    code = int(group_codes(np.asarray(values, dtype=np.float64)[:, None])[subject, 0])
    return GROUP_LABELS[code] if code >= 0 else None
