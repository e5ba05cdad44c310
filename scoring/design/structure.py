"""The sampling structure of a survey design: weights, strata, stages of clusters, fpcs.

Semantics follow R's ``survey::svydesign`` (Lumley 2010, ch. 2-3; Lumley 2004 JSS 9(8)):

- clusters are always nested in strata and later-stage clusters in earlier ones (R's
  ``nest=TRUE``; where R's default ``nest=FALSE`` accepts a design the two coincide);
- ``psu=None`` means element sampling (each row is its own PSU, R's ``id=~1``);
- an fpc per stage is a population count (values > 1) or a sampling fraction (all <= 1),
  exactly as R's ``as.fpc``; with no fpc the with-replacement approximation is used and only
  the first stage contributes (the "ultimate cluster" estimator, Wolter 2007 sec. 1.6);
- stage ``s`` units are grouped by their stage-``s-1`` unit (stage 1: by stratum); ``n`` per
  group counts sampled units in the full design and ``N`` is the population count;
- the later-stage multiplier is the product of the earlier stages' sampling fractions
  ``n/N`` (R's ``multistage`` recursion).

We build these integer codes once so that every estimator is a handful of sparse products.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from survey.errors import DesignError, Problem

LonelyPSU = Literal["fail", "adjust", "remove", "certainty"]
LONELY_POLICIES: tuple[str, ...] = ("fail", "adjust", "remove", "certainty")

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class Stage:
    """One sampling stage: unit code per row, the group (stratum) of each unit, n and N."""

    unit: IntArray  # (n,) codes 0..U-1
    unit_group: IntArray  # (U,) codes 0..G-1
    n_group: FloatArray  # (G,) sampled units per group (full design)
    pop_group: FloatArray  # (G,) population count; inf without fpc
    multiplier: FloatArray  # (G,) product of earlier sampling fractions n/N
    group_labels: tuple[str, ...]

    @property
    def n_units(self) -> int:
        return int(self.unit_group.shape[0])

    @property
    def n_groups(self) -> int:
        return int(self.n_group.shape[0])

    def indicator(self) -> sp.csr_matrix:
        """Sparse (U x n) row-to-unit indicator."""
        n = self.unit.shape[0]
        return sp.csr_matrix(
            (np.ones(n), (self.unit, np.arange(n))), shape=(self.n_units, n), dtype=np.float64
        )


def codes(values: pd.Series | pd.DataFrame) -> tuple[IntArray, tuple[str, ...]]:
    """Integer codes (sorted labels) of one column or of the interaction of several."""
    if isinstance(values, pd.DataFrame):
        code = _interaction_codes(values)
        return code, tuple(str(i) for i in range(int(code.max()) + 1 if len(code) else 0))
    if values.isna().any():
        raise DesignError(f"design column {values.name!r} has missing values; every row needs one.")
    code, uniques = pd.factorize(values, sort=True)
    return np.asarray(code, dtype=np.intp), tuple(str(u) for u in uniques)


def _interaction_codes(frame: pd.DataFrame) -> IntArray:
    """``frame.groupby(columns, sort=True, dropna=False).ngroup()``: the codes of the
    columns' combinations in the sorted order of their keys. Each column factorised with its
    values sorted, the codes combined into one integer per row (kept below the number of
    rows by ranking after each column) and ranked: the order of the key tuples, a third
    of the groupby's time (score() makes two of these per call). Columns with missing values
    or values pandas cannot sort go through the groupby itself."""
    combined: NDArray[np.int64] | None = None
    for name in frame.columns:
        try:
            own, uniques = pd.factorize(frame[name], sort=True)
        except TypeError:  # unorderable values
            own = None
        if own is None or (own < 0).any():  # the groupby itself decides
            grouped = frame.groupby(list(frame.columns), sort=True, dropna=False)
            return np.asarray(grouped.ngroup(), dtype=np.intp)
        if combined is None:
            combined = own.astype(np.int64)
        else:  # (earlier codes, this column's code), ranked: below the number of rows
            _, inverse = np.unique(combined * len(uniques) + own, return_inverse=True)
            combined = inverse.reshape(-1).astype(np.int64)
    if combined is None:  # no columns: as the groupby, which refuses them
        raise ValueError("No group keys passed!")
    return combined.astype(np.intp)


def _fpc_population(values: FloatArray, n_per_row: FloatArray, column: str) -> FloatArray:
    """R's as.fpc: counts when any value exceeds 1, otherwise sampling fractions."""
    if np.any(np.isnan(values)):
        raise DesignError(f"fpc column {column!r} has missing values; give every row its fpc.")
    if np.any(values > 1) and not np.all(values >= 1):
        raise DesignError(
            f"fpc column {column!r} mixes population counts (> 1) and fractions (< 1); "
            "use one kind (R semantics: a count of population units)."
        )
    pop = values if np.any(values > 1) else n_per_row / values
    if np.any(pop < n_per_row):
        raise DesignError(
            f"fpc column {column!r} implies more than 100% sampling "
            f"(population {pop[pop < n_per_row][0]:g} < sample {n_per_row[pop < n_per_row][0]:g}); "
            "fpc is the population count of units at that stage."
        )
    return pop


def build_stages(
    df: pd.DataFrame,
    strata: str | None,
    psu: Sequence[str | None],
    fpc: Sequence[str] | None,
) -> tuple[tuple[Stage, ...], IntArray, tuple[str, ...]]:
    """Stages (first stage grouped by strata) plus the stratum code of each row."""
    n = len(df)
    strata_labels: tuple[str, ...]
    group_labels: tuple[str, ...]
    if strata is None:
        stratum, strata_labels = np.zeros(n, dtype=np.intp), ("1",)
    else:
        stratum, strata_labels = codes(df[strata])
    if fpc is not None and len(fpc) != len(psu):
        raise DesignError(
            f"fpc names {len(fpc)} column(s) but the design has {len(psu)} stage(s); "
            "give one fpc column per stage (R: fpc=~fpc1+fpc2 with id=~psu+ssu)."
        )
    stages: list[Stage] = []
    group = stratum
    group_labels = strata_labels
    parent_keys: list[pd.Series] = [pd.Series(stratum, index=df.index)]
    multiplier_row = np.ones(n)
    for s, col in enumerate(psu):
        own = pd.Series(np.arange(n), index=df.index) if col is None else df[col]
        if own.isna().any():
            raise DesignError(f"cluster column {col!r} has missing values; every row needs one.")
        unit, _ = codes(pd.concat([*parent_keys, own], axis=1, ignore_index=True))
        n_units = int(unit.max()) + 1 if n else 0
        unit_group = np.zeros(n_units, dtype=np.intp)
        unit_group[unit] = group
        n_group = np.bincount(unit_group, minlength=int(group.max()) + 1 if n else 0).astype(
            np.float64
        )
        n_row = n_group[group]
        if fpc is None:
            pop_row = np.full(n, np.inf)
        else:
            pop_row = _fpc_population(
                df[fpc[s]].to_numpy(dtype=np.float64), n_row.astype(np.float64), fpc[s]
            )
            spread = pd.Series(pop_row).groupby(group).nunique()
            if np.any(spread.to_numpy() > 1):
                raise DesignError(
                    f"fpc column {fpc[s]!r} varies within a stratum at stage {s + 1}; "
                    "the population count must be constant within each stratum."
                )
        pop_group = np.full(n_group.shape[0], np.inf)
        pop_group[group] = pop_row
        mult_group = np.ones(n_group.shape[0])
        mult_group[group] = multiplier_row
        stages.append(Stage(unit, unit_group, n_group, pop_group, mult_group, group_labels))
        multiplier_row = multiplier_row * np.where(np.isinf(pop_row), 0.0, n_row / pop_row)
        parent_keys.append(own)
        group = unit
        group_labels = tuple(str(i) for i in range(n_units))
        if fpc is None:
            break
    return tuple(stages), stratum, strata_labels


def check_lonely(stages: tuple[Stage, ...], policy: str) -> None:
    """R fails on a stratum with one PSU unless it is sampled with certainty (f = 1)."""
    if policy not in LONELY_POLICIES:
        raise DesignError(
            f"lonely_psu={policy!r} is not a policy; expected one of {', '.join(LONELY_POLICIES)}."
        )
    if policy != "fail":
        return
    problems = []
    for s, stage in enumerate(stages):
        lonely = (stage.n_group == 1) & (stage.pop_group > stage.n_group)
        for g in np.flatnonzero(lonely):
            label = stage.group_labels[g] if s == 0 else f"cluster {g}"
            problems.append(
                Problem(f"/stage/{s + 1}/{label}", "lonely_psu", f"stratum {label} has one PSU")
            )
    if problems:
        raise DesignError(
            f"{len(problems)} stratum/strata have only one PSU (first: {problems[0].pointer}); "
            "a variance cannot be estimated there. Fix: merge strata, or choose "
            "lonely_psu='adjust' | 'remove' | 'certainty' (R's survey.lonely.psu).",
            code="lonely_psu",
            problems=tuple(problems),
        )
