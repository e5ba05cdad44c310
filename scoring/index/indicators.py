"""Per-respondent indicator values from the respondent table (docs/data-layout.md).

Definitions of docs/questionnaire-format.md ("Indicators → scores"), docs/method.md "Structure":

- ``share``: 1 if the answer (or any selected option of a multiple-choice item) is in
  ``codes``, 0 otherwise, for eligible respondents who answered with a value;
- ``mean``: the mean of the listed items' valid values;
- ``checklist``: the number of criteria met, for eligible respondents who answered at least
  one criterion item (an unanswered criterion counts as not met).

Everything else is missing (NaN): not eligible, not relevant, unanswered, or a special
answer (the questionnaire's special codes never count as values). Reverse coding is not
applied here: it lives in the goalposts ``[L, U]`` (L the worst value), see structure.py.

One vectorised pass per indicator over all respondents (columns of the table); eligibility
is evaluated by the vectorised ``evaluate_frame`` once per distinct condition.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from survey.conditions.frame_eval import evaluate_frame
from survey.questionnaire.schema import Indicator, Questionnaire

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class _Columns:
    """Numeric views of the answer columns, special codes removed, cached per item."""

    def __init__(self, frame: pd.DataFrame, q: Questionnaire) -> None:
        self.frame = frame
        self.q = q
        self.n = len(frame)
        self.special = np.array(sorted(q.special_code_values), dtype=np.float64)
        self._cache: dict[str, FloatArray] = {}
        self.absent: set[str] = set()

    def numeric(self, column: str) -> FloatArray:
        """Column as float with NaN for missing and for special codes."""
        hit = self._cache.get(column)
        if hit is not None:
            return hit
        if column not in self.frame.columns:
            self.absent.add(column)
            values = np.full(self.n, np.nan)
        else:
            values = pd.to_numeric(self.frame[column], errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan
            )
            if self.special.size:
                values = np.where(np.isin(values, self.special), np.nan, values)
        self._cache[column] = values
        return values

    def membership(self, item_id: str, codes: Iterable[int]) -> tuple[BoolArray, BoolArray]:
        """``(answered, in_codes)`` for an item; multiple choice reads its ``q_<code>`` columns."""
        item = self.q.item(item_id)
        wanted = tuple(codes)
        if item.type != "multiple_choice":
            v = self.numeric(item_id)
            return ~np.isnan(v), np.isin(v, np.asarray(wanted, dtype=np.float64))
        options = [c.code for c in self.q.choices_of(item)]
        flags = np.column_stack([self.numeric(f"{item_id}_{c}") for c in options])
        answered: BoolArray = np.logical_not(np.isnan(flags).all(axis=1))
        if item_id in self.frame.columns:  # a special answer sits in the item's own column
            own = pd.to_numeric(self.frame[item_id], errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan
            )
            answered &= np.isnan(own)
        chosen = np.array([c in wanted for c in options])
        hit: BoolArray = (np.nan_to_num(flags) == 1)[:, chosen].any(axis=1)
        return answered, hit


def _eligible(cols: _Columns, source: str | None, cache: dict[str, BoolArray]) -> BoolArray:
    if source is None:
        return np.ones(cols.n, dtype=bool)
    mask = cache.get(source)
    if mask is None:
        node = cols.q.condition(source)
        mask = np.asarray(evaluate_frame(node, cols.frame, cols.q), dtype=bool)
        cache[source] = mask
    return mask


def _values(cols: _Columns, ind: Indicator) -> FloatArray:
    if ind.kind == "share":
        answered, hit = cols.membership(str(ind.item), ind.codes or ())
        return np.where(answered, hit.astype(np.float64), np.nan)
    if ind.kind == "mean":
        block = np.column_stack([cols.numeric(i) for i in ind.items or ()])
        count = (~np.isnan(block)).sum(axis=1)
        total = np.nansum(block, axis=1)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)
    met = np.zeros(cols.n)
    any_answered = np.zeros(cols.n, dtype=bool)
    for crit in ind.criteria or ():
        answered, hit = cols.membership(crit.item, crit.codes)
        met += answered & hit
        any_answered |= answered
    return np.where(any_answered, met, np.nan)


def indicator_values(
    frame: pd.DataFrame, q: Questionnaire
) -> tuple[tuple[str, ...], FloatArray, tuple[str, ...]]:
    """``(codes, Y, absent_columns)``: Y is (respondents × indicators), NaN = no value.

    Indicators are in structure order. ``absent_columns`` lists item columns the table does
    not have (their indicators are missing for everyone, e.g. a pilot that asked only one
    dimension).
    """
    cols = _Columns(frame, q)
    cache: dict[str, BoolArray] = {}
    indicators = q.structure.indicators
    y = np.empty((len(frame), len(indicators)))
    for j, ind in enumerate(indicators):
        values = _values(cols, ind)
        y[:, j] = np.where(_eligible(cols, ind.eligible, cache), values, np.nan)
    return tuple(i.code for i in indicators), y, tuple(sorted(cols.absent))
