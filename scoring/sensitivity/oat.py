"""One-at-a-time removal: the aggregate's ranks when one element is dropped.

Each sub-dimension and each dimension (and, with microdata, each indicator) is dropped in
turn, every other choice at PAPI's nominal value and the remaining weights renormalised by
the aggregator (OECD/JRC Handbook 2008, §7: "exclusion of one indicator at a time"). All
removals are evaluated together as the runs of one :meth:`Design.evaluate`. An element that
is the only child of its parent cannot be dropped alone and is left out of the table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from scoring.sensitivity.engine import Design
from scoring.sensitivity.ranking import rank_desc


@dataclass(frozen=True)
class OatResult:
    """The one-at-a-time removal table.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per dropped element.
    shifts : pandas.DataFrame
        Rank change per province (positive = moves down, i.e. a worse rank number), with
        elements as columns.
    """

    summary: pd.DataFrame
    shifts: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.summary.copy()


def one_at_a_time(design: Design) -> OatResult:
    """Rank changes of the aggregate when each element is dropped alone.

    Parameters
    ----------
    design : Design
        The audit's choices on its data.

    Returns
    -------
    OatResult
        The removal table.
    """
    data = design.data
    nominal = design.evaluate(design.nominal()).aggregate[0]
    r0 = rank_desc(nominal)
    kinds, codes, cols = [], [], []
    for li, level in enumerate(data.levels):
        owner = np.asarray(level.parent_of)
        sizes = np.bincount(owner, minlength=len(level.parents))
        for i, code in enumerate(level.children):
            if sizes[owner[i]] > 1:
                kinds.append(level.child_kind)
                codes.append(code)
                cols.append(design.offsets[li] + i)
    base = design.nominal(len(cols))
    excluded = base.excluded.copy()
    excluded[np.arange(len(cols)), cols] = True
    agg = design.evaluate(replace(base, excluded=excluded)).aggregate
    shift = rank_desc(agg, axis=1) - r0[None]  # (elements, provinces)
    scored = ~np.isnan(r0)
    moved = np.abs(shift[:, scored])
    summary = pd.DataFrame(
        {
            "level": kinds,
            "dropped": codes,
            "mean_abs_shift": moved.mean(axis=1),
            "max_abs_shift": moved.max(axis=1),
            "n_changed": (moved > 0).sum(axis=1),
        }
    )
    shifts = pd.DataFrame(shift.T, index=pd.Index(data.provinces, name="province"), columns=codes)
    return OatResult(summary, shifts)
