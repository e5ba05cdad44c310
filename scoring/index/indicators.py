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


def _is_in(values: FloatArray, codes: FloatArray) -> BoolArray:
    """``np.isin(values, codes)`` for a few codes: one comparison per code (NaN is in none)."""
    if codes.size > 8:
        return np.isin(values, codes)
    out = np.zeros(values.shape, dtype=bool)
    for code in codes:
        out |= values == code
    return out


class _Columns:
    """Numeric views of the answer columns, special codes removed, cached per item."""

    def __init__(self, frame: pd.DataFrame, q: Questionnaire) -> None:
        self.frame = frame
        self.q = q
        self.n = len(frame)
        self.special = np.array(sorted(q.special_code_values), dtype=np.float64)
        self._cache: dict[str, FloatArray] = {}
        self._raw: dict[str, FloatArray] = {}
        self.absent: set[str] = set()
        self._prefetch()

    def _prefetch(self) -> None:
        """Read every answer column the indicators use that is already a plain numeric
        column as one block (one pandas call instead of one per column) and remove the
        special codes in one pass; other columns (text, nullable integers) go through
        :meth:`numeric` one by one. The values are the same either way."""
        if not self.frame.columns.is_unique:
            return
        dtypes = self.frame.dtypes
        wanted = [
            c
            for c in dict.fromkeys(_columns_used(self.q))
            if c in dtypes.index and isinstance(dtypes[c], np.dtype) and dtypes[c].kind in "fiu"
        ]
        if not wanted:
            return
        raw = np.ascontiguousarray(self.frame[wanted].to_numpy(dtype=np.float64).T)
        clean = raw
        if self.special.size:
            clean = raw.copy()
            clean[_is_in(raw, self.special)] = np.nan
        for i, c in enumerate(wanted):
            self._raw[c] = raw[i]
            self._cache[c] = clean[i]

    def raw(self, column: str) -> FloatArray:
        """A present column as float, special codes kept, NaN where not a number."""
        hit = self._raw.get(column)
        if hit is not None:
            return hit
        values: FloatArray = pd.to_numeric(self.frame[column], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        return values

    def numeric(self, column: str) -> FloatArray:
        """Column as float with NaN for missing and for special codes."""
        hit = self._cache.get(column)
        if hit is not None:
            return hit
        if column not in self.frame.columns:
            self.absent.add(column)
            values = np.full(self.n, np.nan)
        else:
            values = self.raw(column)
            if self.special.size:
                values = np.where(_is_in(values, self.special), np.nan, values)
        self._cache[column] = values
        return values

    def membership(self, item_id: str, codes: Iterable[int]) -> tuple[BoolArray, BoolArray]:
        """``(answered, in_codes)`` for an item; multiple choice reads its ``q_<code>`` columns."""
        item = self.q.item(item_id)
        wanted = tuple(codes)
        if item.type != "multiple_choice":
            v = self.numeric(item_id)
            return ~np.isnan(v), _is_in(v, np.asarray(wanted, dtype=np.float64))
        options = [c.code for c in self.q.choices_of(item)]
        flags = np.column_stack([self.numeric(f"{item_id}_{c}") for c in options])
        answered: BoolArray = np.logical_not(np.isnan(flags).all(axis=1))
        if item_id in self.frame.columns:  # a special answer sits in the item's own column
            answered &= np.isnan(self.raw(item_id))
        chosen = np.array([c in wanted for c in options])
        hit: BoolArray = (np.nan_to_num(flags) == 1)[:, chosen].any(axis=1)
        return answered, hit


def _columns_used(q: Questionnaire) -> list[str]:
    """The answer columns the indicators read (a multiple-choice item: its own column and
    one ``<item>_<code>`` column per option)."""
    items: list[str] = []
    for ind in q.structure.indicators:
        if ind.kind == "share" and ind.item is not None:
            items.append(ind.item)
        items.extend(ind.items or ())
        items.extend(crit.item for crit in ind.criteria or ())
    out: list[str] = []
    for item_id in dict.fromkeys(items):
        out.append(item_id)
        item = q.item(item_id)
        if item.type == "multiple_choice":
            out.extend(f"{item_id}_{c.code}" for c in q.choices_of(item))
    return out


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
    y_t = np.empty((len(indicators), len(frame)))  # one contiguous row per indicator
    for j, ind in enumerate(indicators):
        values = _values(cols, ind)
        np.copyto(y_t[j], values)
        y_t[j][~_eligible(cols, ind.eligible, cache)] = np.nan
    y: FloatArray = np.ascontiguousarray(y_t.T)
    return tuple(i.code for i in indicators), y, tuple(sorted(cols.absent))
