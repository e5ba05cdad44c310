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

Written by hand for speed (``score()`` reads 132 indicators of 15,000 respondents on every
call, docs/scoring.md "Speed"): the answer columns are read as one float block with the
special codes removed in one pass; the share indicators of single-answer items (most of
them) are computed on 2-D blocks (a few indicators × respondents at a time, in cache), one
comparison per code position rather than a loop of pandas or numpy calls per indicator, and
single-item means are copied row by row; only multiple-choice shares, checklists and means
of several items go one indicator at a time. Eligibility is evaluated by the vectorised ``evaluate_frame`` once per
distinct condition and applied to all its indicators at once. Every value is the same as
the per-indicator definition gives (comparisons and copies only; the means of several
items keep their own summation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from survey.conditions.frame_eval import evaluate_frame
from survey.questionnaire.schema import Indicator, Questionnaire

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]


def _is_in(values: FloatArray, codes: FloatArray) -> BoolArray:
    """``np.isin(values, codes)`` for a few codes: one comparison per code (NaN is in none)."""
    if codes.size > 8:
        return np.isin(values, codes)
    out = np.zeros(values.shape, dtype=bool)
    for code in codes:
        out |= values == code
    return out


def _special(values: FloatArray, special: FloatArray) -> IntArray:
    """Flat positions of ``values`` in the sorted ``special`` codes: ``_is_in`` only where a
    value is at most the largest code (special codes sit below the answers: few are)."""
    flat = values.reshape(-1)
    candidates = np.flatnonzero(flat <= special[-1])
    found: IntArray = candidates[_is_in(flat[candidates], special)]
    return found


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
        special codes in place; other columns (text, nullable integers) go through
        :meth:`numeric` one by one. The values are the same either way. Only the
        multiple-choice items' own columns are kept with their special codes (:meth:`raw`:
        a special answer to the item sits there)."""
        if not self.frame.columns.is_unique:
            return
        dtypes = dict(zip(self.frame.columns, self.frame.dtypes, strict=True))
        plan = _plan(self.q)
        wanted = [
            c
            for c in plan.columns
            if isinstance(dtypes.get(c), np.dtype) and dtypes[c].kind in "fiu"
        ]
        if not wanted:
            return
        # our own copy, one row per column: each column read as an array (for float columns
        # a view of the frame's data, pandas storing a block column by column) and stacked
        # once; ``frame[wanted].to_numpy()`` is a read-only view of pandas' own copy (the
        # column selection's), so it took a second copy: 3.1 against 2.3 ms
        values = np.empty((len(wanted), self.n))
        for i, c in enumerate(wanted):
            values[i] = self.frame[c].to_numpy(dtype=np.float64, copy=False)
        special = _special(values, self.special) if self.special.size else None
        for i, c in enumerate(wanted):
            if c in plan.multiple_choice:
                self._raw[c] = values[i].copy()
        if special is not None:
            values.reshape(-1)[special] = np.nan
        for i, c in enumerate(wanted):
            self._cache[c] = values[i]

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
        # one row per option (options × respondents): the reductions run down the rows
        flags = np.stack([self.numeric(f"{item_id}_{c}") for c in options])
        answered: BoolArray = np.logical_not(np.logical_and.reduce(np.isnan(flags), axis=0))
        if item_id in self.frame.columns:  # a special answer sits in the item's own column
            answered &= np.isnan(self.raw(item_id))
        chosen = [j for j, c in enumerate(options) if c in wanted]
        hit: BoolArray = np.logical_or.reduce(flags[chosen] == 1, axis=0)  # NaN is never 1
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


@dataclass(frozen=True, eq=False)
class _Plan:
    """What :func:`indicator_values_t` reads of a questionnaire, worked out once per
    questionnaire instance (``Questionnaire.cached``): the answer columns, and which
    indicators take which route. ``score()`` reads the same questionnaire on every call
    (a what-if rescoring on a reduced copy gets its own plan)."""

    columns: tuple[str, ...]  # the answer columns the indicators read, each once
    multiple_choice: frozenset[str]  # the columns that are multiple-choice items' own
    shares: tuple[int, ...]  # share indicators of single-answer items (``_shares``)
    share_items: tuple[str, ...]
    share_codes: FloatArray  # (shares, widest codes): the codes padded with NaN
    single: tuple[tuple[int, str], ...]  # means of one item, and the item
    others: tuple[int, ...]  # the rest, one indicator at a time (``_values``)
    eligible: tuple[tuple[int, str], ...]  # indicators with a condition, and its source


_PLAN_KEY = "scoring:indicator-plan"


def _plan(q: Questionnaire) -> _Plan:
    """The questionnaire's :class:`_Plan`, cached on it."""
    cached = q.cached(_PLAN_KEY)
    if isinstance(cached, _Plan):
        return cached
    indicators = q.structure.indicators
    columns = tuple(dict.fromkeys(_columns_used(q)))
    multiple = frozenset(
        c for c in columns if q.has_item(c) and q.item(c).type == "multiple_choice"
    )
    shares = tuple(j for j, ind in enumerate(indicators) if _is_simple_share(q, ind))
    codes = [tuple(indicators[j].codes or ()) for j in shares]
    table = np.full((len(codes), max((len(c) for c in codes), default=0)), np.nan)
    for j, c in enumerate(codes):
        table[j, : len(c)] = c
    table.flags.writeable = False
    # a mean of one item is its value (x / 1 is x; NaN where unanswered)
    single = tuple(
        (j, (ind.items or ())[0])
        for j, ind in enumerate(indicators)
        if ind.kind == "mean" and len(ind.items or ()) == 1
    )
    done = set(shares) | {j for j, _ in single}
    plan = _Plan(
        columns=columns,
        multiple_choice=multiple,
        shares=shares,
        share_items=tuple(str(indicators[j].item) for j in shares),
        share_codes=table,
        single=single,
        others=tuple(j for j in range(len(indicators)) if j not in done),
        eligible=tuple(
            (j, ind.eligible) for j, ind in enumerate(indicators) if ind.eligible is not None
        ),
    )
    q.store(_PLAN_KEY, plan)
    return plan


def _eligibility(cols: _Columns, sources: Iterable[str]) -> dict[str, BoolArray]:
    """The mask of each distinct eligibility condition (``evaluate_frame`` once per condition)."""
    masks: dict[str, BoolArray] = {}
    for source in dict.fromkeys(sources):
        node = cols.q.condition(source)
        masks[source] = np.asarray(evaluate_frame(node, cols.frame, cols.q), dtype=bool)
    return masks


def _values(cols: _Columns, ind: Indicator) -> FloatArray:
    """One indicator's values (before eligibility), by its definition."""
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


_SHARE_ROWS = 4
"""Share indicators computed at once by :func:`_shares`: 4 rows of 15,000 respondents are
480 KB, so every pass over a block runs in the CPU's cache, and no temporary as large as all
107 share rows of the bench survey is made (each a fresh 13 MB array, page faults included):
``indicator_values_t`` took 30 ms with one block, 18 ms with blocks of 4 or 8 rows, 27 ms with
16 (2026-12-06)."""


def _shares(
    cols: _Columns,
    items: Sequence[str],
    table: FloatArray,
    out: FloatArray,
    rows: Sequence[int],
) -> None:
    """``_values`` of share indicators of single-answer items, written into ``out[rows]``
    (indicators × respondents), ``_SHARE_ROWS`` indicators at a time: ``table`` holds each
    indicator's codes padded with NaN (equal to nothing), one comparison per column of it."""
    width = table.shape[1]
    rows = list(rows)
    for start in range(0, len(items), _SHARE_ROWS):
        part = slice(start, start + _SHARE_ROWS)
        values = np.stack([cols.numeric(i) for i in items[part]])
        hit = values == table[part, 0:1]
        for m in range(1, width):
            hit |= values == table[part, m : m + 1]
        # np.where(np.isnan(values), np.nan, hit) without its branch per element (slow on
        # a mask without pattern): min(hit, |value| + 1) is hit, or NaN where the value is NaN
        np.abs(values, out=values)
        values += 1.0
        np.minimum(hit, values, out=values)
        out[rows[part]] = values


def _is_simple_share(q: Questionnaire, ind: Indicator) -> bool:
    """A share indicator of a single-answer item (one column, compared with its codes)."""
    return (
        ind.kind == "share" and bool(ind.codes) and q.item(str(ind.item)).type != "multiple_choice"
    )


def indicator_values(
    frame: pd.DataFrame, q: Questionnaire
) -> tuple[tuple[str, ...], FloatArray, tuple[str, ...]]:
    """``(codes, Y, absent_columns)``: Y is (respondents × indicators), NaN = no value.

    Indicators are in structure order. ``absent_columns`` lists item columns the table does
    not have (their indicators are missing for everyone, e.g. a pilot that asked only one
    dimension).
    """
    codes, y_t, absent = indicator_values_t(frame, q)
    y: FloatArray = np.ascontiguousarray(y_t.T)
    return codes, y, absent


def indicator_values_t(
    frame: pd.DataFrame, q: Questionnaire
) -> tuple[tuple[str, ...], FloatArray, tuple[str, ...]]:
    """:func:`indicator_values` with Y transposed (indicators × respondents), as it is made
    (one contiguous row per indicator)."""
    cols = _Columns(frame, q)
    plan = _plan(q)
    indicators = q.structure.indicators
    y_t = np.empty((len(indicators), len(frame)))
    if plan.shares:
        _shares(cols, plan.share_items, plan.share_codes, y_t, plan.shares)
    for j, item in plan.single:  # row by row: no temporary of all of them
        np.copyto(y_t[j], cols.numeric(item))
    for j in plan.others:
        np.copyto(y_t[j], _values(cols, indicators[j]))
    # NaN where not eligible: times 1 (exact) or NaN, one row at a time in place
    masks = _eligibility(cols, (source for _, source in plan.eligible))
    factors = {s: np.where(m, 1.0, np.nan) for s, m in masks.items()}
    for j, source in plan.eligible:
        y_t[j] *= factors[source]
    return tuple(i.code for i in indicators), y_t, tuple(sorted(cols.absent))
