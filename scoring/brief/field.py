"""The field a province is placed in: every scored province's sub-dimension scores.

A brief places one *subject* among the provinces of a *field*:

- published scores of a year, or a survey's own scores: the field is that result's scored
  provinces (a province with an aggregate score, the pooled row ``VN`` aside) and the
  subject is one of them (:meth:`Field.from_scores`);
- a pilot (one district, or a handful of provinces: too few for quartile groups): the
  field is a published year, with the subject's province row replaced by the pilot's
  scores (:meth:`Field.pilot_in`), so the pilot is placed as if it were its province.

Everything downstream uses the sub-dimension matrix only: a dimension is the sum of its
sub-dimensions and the aggregate the sum of the dimensions (docs/brief.md, "Arithmetic"),
via :func:`scoring.index.structure.combine`, the same map ``score_published`` applies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.index.results import NATIONAL, IndexScores
from scoring.index.structure import IndexStructure, combine
from survey.errors import NotFound, PapiError, ScoringError
from survey.questionnaire.loader import load_questionnaire

FloatArray = NDArray[np.float64]


@cache
def _questionnaire_structure(name: str) -> IndexStructure:
    """The structure of a questionnaire by id or path (cached: loading one takes ~0.3 s)."""
    return IndexStructure.from_questionnaire(load_questionnaire(name))


def structure_of(scores: IndexScores) -> IndexStructure:
    """The index structure of a result: its questionnaire's (with indicators) when
    ``scores.structure`` names one whose sub-dimensions are the result's, else the codes and
    owners its tables carry (no indicators)."""
    subs = scores.subdimensions.drop_duplicates("subdimension")
    mapping: dict[str, list[str]] = {}
    for sub, dim in zip(subs["subdimension"], subs["dimension"], strict=True):
        mapping.setdefault(str(dim), []).append(str(sub))
    base = IndexStructure.from_mapping(mapping, name=scores.structure)
    if scores.structure:
        try:
            full = _questionnaire_structure(scores.structure)
        except PapiError:
            return base
        same = (full.subdimensions, full.subdimension_dimension) == (
            base.subdimensions,
            base.subdimension_dimension,
        )
        if same:
            return full
    return base


def _matrix(scores: IndexScores, st: IndexStructure, column: str) -> pd.DataFrame:
    wide = scores.subdimensions.pivot(index="province", columns="subdimension", values=column)
    return wide.reindex(columns=list(st.subdimensions))


def _composite(scores: IndexScores, column: str) -> pd.Series:
    series: pd.Series = scores.composite.set_index("province")[column]
    return series


@dataclass(frozen=True, eq=False)
class Field:
    """Scored provinces × sub-dimensions (published scale), the subject's row among them.

    Attributes
    ----------
    provinces : tuple of str
        The scored provinces.
    sub : numpy.ndarray
        Sub-dimension scores (P, S), published scale.
    se : numpy.ndarray
        Standard error of each province's aggregate (0 where the data carry none, e.g.
        published scores).
    df : numpy.ndarray
        Its design degrees of freedom (``inf`` when unknown).
    subject : int
        The subject's row.
    structure : IndexStructure
        The index structure.
    dimensions : pandas.DataFrame
        Province × dimension, every province scored on any dimension.
    substituted : bool, default False
        Whether the subject's row is a pilot's scores put in place of the published ones.
    """

    provinces: tuple[str, ...]
    sub: FloatArray  # (P, S)
    se: FloatArray  # (P,)
    df: FloatArray  # (P,)
    subject: int
    structure: IndexStructure
    dimensions: pd.DataFrame  # province × dimension, every province scored on any dimension
    substituted: bool = False

    # ----- constructors -------------------------------------------------------------------
    @classmethod
    def from_scores(
        cls, scores: IndexScores, province: str, structure: IndexStructure | None = None
    ) -> Field:
        """The scored provinces of ``scores``; ``province`` must be one of them.
        ``structure``: the index structure with its indicators, when ``scores.structure``
        does not name a bundled questionnaire (default: :func:`structure_of`)."""
        st = structure or structure_of(scores)
        wide = _matrix(scores, st, "est")
        agg = _composite(scores, "est")
        scored = [str(p) for p in wide.index if p != NATIONAL and np.isfinite(agg.get(p, np.nan))]
        if province not in scored:
            known = province in wide.index
            raise (ScoringError if known else NotFound)(
                f"province {province} "
                + ("has no aggregate score in these scores" if known else "is not in these scores")
                + f"; scored provinces: {', '.join(scored[:8])}{', …' if len(scored) > 8 else ''}",
                code="brief_province_not_scored",
            )
        se = _composite(scores, "se").reindex(scored).fillna(0.0).to_numpy(np.float64)
        df = _composite(scores, "df").reindex(scored).fillna(np.inf).to_numpy(np.float64)
        dims = scores.dimensions.pivot(index="province", columns="dimension", values="est")
        dims = dims.reindex(columns=list(st.dimensions)).drop(index=NATIONAL, errors="ignore")
        return cls(
            provinces=tuple(scored),
            sub=wide.loc[scored].to_numpy(np.float64),
            se=se,
            df=df,
            subject=scored.index(province),
            structure=st,
            dimensions=dims,
        )

    @classmethod
    def pilot_in(cls, published: IndexScores, pilot: IndexScores, province: str) -> Field:
        """The published field with ``province``'s row replaced by the pilot's scores."""
        field = cls.from_scores(published, province)
        st = structure_of(pilot)
        if (st.subdimensions, st.subdimension_dimension) != (
            field.structure.subdimensions,
            field.structure.subdimension_dimension,
        ):
            raise ScoringError(
                f"the pilot's index structure ({pilot.structure}: "
                f"{len(st.subdimensions)} sub-dimensions) differs from the published year's "
                f"({published.structure}: {len(field.structure.subdimensions)}); compare with a "
                "published year of the same questionnaire (papi-2021: 2021-2024, papi-2019: "
                "2019-2020, papi-2018: 2018)",
                code="brief_structure_mismatch",
            )
        row = _matrix(pilot, st, "est")
        if province not in row.index or not np.isfinite(row.loc[province]).all():
            raise ScoringError(
                f"the pilot scores have no complete set of sub-dimension scores for {province}; "
                "a pilot is placed among the published provinces only when it scores every "
                "sub-dimension (lower min_n, or collect more interviews)",
                code="brief_pilot_incomplete",
            )
        sub = field.sub.copy()
        sub[field.subject] = row.loc[province].to_numpy(np.float64)
        se, df = field.se.copy(), field.df.copy()
        se[field.subject] = float(np.nan_to_num(_composite(pilot, "se").get(province, 0.0)))
        df_value = _composite(pilot, "df").get(province, np.inf)
        df[field.subject] = np.inf if pd.isna(df_value) else float(df_value)
        dims = field.dimensions.copy()
        dims.loc[province] = field.dims(sub)[field.subject]
        return cls(
            field.provinces, sub, se, df, field.subject, field.structure, dims, substituted=True
        )

    def at(self, province: str) -> Field:
        """The same field with another of its provinces as the subject."""
        if province not in self.provinces:
            raise NotFound(
                f"province {province} is not among the scored provinces of this field",
                code="brief_province_not_scored",
            )
        return replace(self, subject=self.provinces.index(province))

    # ----- levels -------------------------------------------------------------------------
    @property
    def province(self) -> str:
        return self.provinces[self.subject]

    def dims(self, sub: FloatArray | None = None) -> FloatArray:
        """Dimension scores (…, P, D): sums of sub-dimensions."""
        values = self.sub if sub is None else sub
        return combine(values, self.structure.subdimension_to_dimension())

    def aggregate(self, sub: FloatArray | None = None) -> FloatArray:
        """Aggregate scores (…, P): the sum of the dimensions."""
        dims = self.dims(sub)
        return combine(dims, np.ones((dims.shape[-1], 1)))[..., 0]

    def others(self) -> NDArray[np.bool_]:
        """Mask of the provinces other than the subject."""
        mask = np.ones(len(self.provinces), dtype=bool)
        mask[self.subject] = False
        return mask

    def best(self) -> FloatArray:
        """The best score any province of the field reaches on each sub-dimension (S,)."""
        out: FloatArray = np.max(self.sub, axis=0)
        return out

    def with_subject(self, sub_row: FloatArray) -> FloatArray:
        """The sub-dimension matrix with the subject's row replaced by ``sub_row``."""
        out = self.sub.copy()
        out[self.subject] = sub_row
        return out
