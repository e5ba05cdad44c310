"""Design weights and post-stratification to sex × age group within province: the estimators.

This module owns the age groups (the post-stratification cells' categories) and the
design-weight formula; which frame columns they make, and when, is the respondent-frame
contract of ``survey.respondents.analysis_frame``, which builds on them (sampling never
imports it).

- Design weight (Horvitz & Thompson 1952): ``d = 1 / (π_district π_commune π_village π_person)``,
  the product of the conditional stage probabilities of a multi-stage design.
- Post-stratification (Holt & Smith 1979; Lumley 2010, *Complex Surveys*, §7.2):
  ``w = d · N_g / N̂_g`` in each cell ``g`` = province × sex × age group, ``N_g`` the cell's adult
  population from the frame (``Frame.poststrata``) and ``N̂_g = Σ_{k ∈ g} d_k``. PAPI's census
  margins are not published (docs/method.md "Weights"); sex × age group is our default. A cell with
  no respondent cannot be post-stratified: its population is shared out over the province's
  other cells in proportion to their targets (cell collapsing), so the province total is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from survey.errors import SamplingError
from survey.sampling.sampling_frame import Frame

__all__ = [
    "AGE_BREAKS",
    "AGE_GROUPS",
    "PROB_COLUMNS",
    "age_group",
    "design_weight",
    "design_weights",
    "person_probability",
    "poststratification_targets",
    "poststratify",
]
PROB_COLUMNS: tuple[str, ...] = ("prob_district", "prob_commune", "prob_village", "prob_person")
"""The conditional inclusion probabilities of the four stages, in the frame's columns."""
AGE_GROUPS: tuple[str, ...] = ("18-29", "30-39", "40-49", "50-59", "60-70")
AGE_BREAKS: tuple[int, ...] = (18, 30, 40, 50, 60, 71)
POSTSTRATA = ("province", "sex", "age_group")
"""The post-stratification cells: ``weight`` is ``design_weight`` post-stratified to the
adult population of each province × sex × age group (scoring re-creates this step to
account for it in the variance)."""


def age_group(age: pd.Series | np.ndarray | Sequence[Any]) -> pd.Series:
    """The age group of each age, for post-stratification.

    Parameters
    ----------
    age : pandas.Series, numpy.ndarray or sequence
        Ages in years (special codes are negative).

    Returns
    -------
    pandas.Series
        ``18-29``, ``30-39``, ``40-49``, ``50-59``, ``60-70``; missing outside 18-70 and for
        special codes.
    """
    values = pd.to_numeric(pd.Series(np.asarray(age, dtype=object)), errors="coerce")
    cut = pd.cut(
        values.astype(np.float64), AGE_BREAKS, right=False, labels=list(AGE_GROUPS)
    ).astype(object)
    return pd.Series(cut.where(cut.notna(), None).tolist(), dtype=object)


def design_weight(frame: pd.DataFrame) -> pd.Series:
    """``1 / (prob_district · prob_commune · prob_village · prob_person)`` per row; missing
    where a probability is missing."""
    probs = frame.reindex(columns=list(PROB_COLUMNS)).apply(pd.to_numeric, errors="coerce")
    product = probs.astype(np.float64).prod(axis=1, min_count=len(PROB_COLUMNS))
    out: pd.Series = (1.0 / product).rename("design_weight")
    return out


def person_probability(interviews: pd.Series, adults: pd.Series) -> pd.Series:
    """A village's ``prob_person``: completed interviews out of its adults."""
    return (interviews / adults).rename("prob_person")


def design_weights(frame: pd.DataFrame) -> pd.Series:
    """``1 / (prob_district · prob_commune · prob_village · prob_person)`` for each row.

    Parameters
    ----------
    frame : pandas.DataFrame
        Respondents with the ``prob_*`` columns.

    Returns
    -------
    pandas.Series
        The design weight of each row.

    Raises
    ------
    SamplingError
        A ``prob_*`` column missing, or a probability outside (0, 1].
    """
    cols = list(PROB_COLUMNS)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise SamplingError(f"cannot compute design weights: columns {missing} are missing")
    prob = frame[cols].prod(axis=1)
    if (prob <= 0).any() or (prob > 1).any() or prob.isna().any():
        raise SamplingError("stage probabilities must lie in (0, 1]; check the prob_* columns")
    return design_weight(frame)


def poststratification_targets(frame: Frame, provinces: list[str] | None = None) -> pd.DataFrame:
    """Adults by province × sex × age group, the post-stratification targets.

    Parameters
    ----------
    frame : Frame
        The sampling frame.
    provinces : list of str or None, default None
        Only these provinces; ``None``: all.

    Returns
    -------
    pandas.DataFrame
        Columns province, sex, age_group, population.
    """
    t = frame.poststrata
    if provinces is not None:
        t = t.loc[t["province"].isin(provinces)]
    return t.loc[:, ["province", "sex", "age_group", "population"]].reset_index(drop=True)


def poststratify(
    respondents: pd.DataFrame, targets: pd.DataFrame, weight: str = "design_weight"
) -> pd.Series:
    """Post-stratified weights for ``respondents``.

    Vectorised: cell totals by groupby, one ratio per cell; a province's empty cells give
    their population to its other cells.

    Parameters
    ----------
    respondents : pandas.DataFrame
        Columns province, sex, age_group and ``weight``.
    targets : pandas.DataFrame
        :func:`poststratification_targets`.
    weight : str, default "design_weight"
        The weight column to post-stratify.

    Returns
    -------
    pandas.Series
        The post-stratified weight (``weight``), indexed as ``respondents``.

    Raises
    ------
    SamplingError
        A province without targets, or a respondent in no cell (sex not 1/2, age not
        18-70).
    """
    keys = list(POSTSTRATA)
    r = respondents.loc[:, [*keys, weight]].copy()
    r["sex"] = r["sex"].astype(np.int64)
    t = targets.copy()
    t["sex"] = t["sex"].astype(np.int64)
    t = t.loc[t["province"].isin(r["province"].unique())]
    missing = sorted(set(r["province"]) - set(t["province"]))
    if missing:
        raise SamplingError(f"no post-stratification targets for provinces {missing}")
    est = r.groupby(keys)[weight].sum().rename("est")
    cells = t.set_index(keys)["population"].to_frame().join(est, how="left")
    cells["est"] = cells["est"].fillna(0.0)
    covered = cells["est"] > 0
    prov = cells.index.get_level_values("province")
    total = cells.groupby(level="province")["population"].transform("sum")
    covered_total = cells["population"].where(covered, 0.0).groupby(prov).transform("sum")
    cells["target"] = np.where(covered, cells["population"] * total / covered_total, 0.0)
    cells["factor"] = np.where(covered, cells["target"] / cells["est"].where(covered, 1.0), 0.0)
    factor = cells["factor"].reindex(pd.MultiIndex.from_frame(r[keys])).to_numpy()
    if np.isnan(factor).any():
        raise SamplingError(
            "some respondents fall in no post-stratification cell; sex must be 1/2 and age 18-70"
        )
    return pd.Series(r[weight].to_numpy() * factor, index=respondents.index, name="weight")
