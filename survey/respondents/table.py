"""Responses <-> the respondent table of docs/data-layout.md.

- :func:`responses_to_frame`: answer dicts (item id -> value, plus any metadata keys such as
  ``submission_id`` or ``province``, passed through) to one row per respondent. Choice,
  yes/no, rating and integer items become nullable ``Int64`` columns, decimals ``float64``,
  text and dates strings; a multiple-choice item ``q`` becomes 0/1 columns ``q_<code>`` and,
  when it allows special answers, a column ``q`` holding the special code. Special answers
  keep their negative code (as a string in text and date columns, so parquet stays typed).
- :func:`frame_to_responses`: the inverse.

Random valid responses are :func:`survey.simulate.random_response.generate_response`.

Converting dicts to columns is I/O, done once per column with list comprehensions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from survey.questionnaire.schema import Item, Questionnaire

INT_TYPES = frozenset({"single_choice", "yes_no", "rating", "integer"})


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT


def _as_int(v: Any) -> int | None:
    return v if type(v) is int else (None if v is None or _missing(v) else int(v))


def responses_to_frame(q: Questionnaire, records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per response in the layout of docs/data-layout.md (metadata columns first)."""
    rows = list(records)
    item_ids = set(q.item_ids)
    meta = [k for k in dict.fromkeys(chain.from_iterable(rows)) if k not in item_ids]
    columns: dict[str, Any] = {k: [r.get(k) for r in rows] for k in meta}
    for item in q.items:
        values = [r.get(item.id) for r in rows]
        if item.type == "multiple_choice":
            columns.update(_option_columns(q, item, values))
        elif item.type in INT_TYPES:
            columns[item.id] = pd.array([_as_int(v) for v in values], dtype="Int64")
        elif item.type == "decimal":
            columns[item.id] = np.array(
                [np.nan if v is None or _missing(v) else float(v) for v in values], dtype=np.float64
            )
        else:
            columns[item.id] = pd.Series(
                [None if _missing(v) else str(v) for v in values], dtype=object
            )
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))


def _option_columns(q: Questionnaire, item: Item, values: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    chosen = [set(v) if isinstance(v, list | tuple | set | frozenset) else None for v in values]
    if q.allowed_special(item):
        special = [v if isinstance(v, int) and not isinstance(v, bool) else None for v in values]
        out[item.id] = pd.array(special, dtype="Int64")
    for code in sorted(q.codes_of(item)):
        out[f"{item.id}_{code}"] = pd.array(
            [None if c is None else int(code in c) for c in chosen], dtype="Int64"
        )
    return out


def _column_values(q: Questionnaire, item: Item, frame: pd.DataFrame) -> list[Any]:
    """Python values (None for missing) of one item over all rows."""
    n = len(frame)
    if item.type == "multiple_choice":
        specials = (
            _column_values_plain(frame[item.id], int) if item.id in frame.columns else [None] * n
        )
        codes = sorted(q.codes_of(item))
        flags = [
            _column_values_plain(frame[f"{item.id}_{c}"], int)
            if f"{item.id}_{c}" in frame.columns
            else [None] * n
            for c in codes
        ]
        out: list[Any] = []
        for i in range(n):
            if specials[i] is not None:
                out.append(specials[i])
                continue
            row = [f[i] for f in flags]
            if all(v is None for v in row):
                out.append(None)
            else:
                out.append([c for c, v in zip(codes, row, strict=True) if v == 1])
        return out
    if item.id not in frame.columns:
        return [None] * n
    if item.type in INT_TYPES:
        return _column_values_plain(frame[item.id], int)
    if item.type == "decimal":
        # a special answer is stored as its code in the float column: give it back as the int
        special = set(q.allowed_special(item).values())
        values = _column_values_plain(frame[item.id], float)
        return [int(v) if v is not None and v in special else v for v in values]
    by_text = {str(c): c for c in q.allowed_special(item).values()}
    col = frame[item.id]
    if pd.api.types.is_datetime64_any_dtype(col):
        col = col.dt.strftime("%Y-%m-%d")
    return [None if _missing(v) else by_text.get(str(v), str(v)) for v in col.tolist()]


def _column_values_plain(col: pd.Series[Any], cast: type) -> list[Any]:
    if pd.api.types.is_numeric_dtype(col.dtype):
        values = col.to_numpy(dtype=np.float64, na_value=np.nan).tolist()
        return [None if v != v else cast(v) for v in values]
    return [None if _missing(v) else cast(v) for v in col.tolist()]


def frame_to_responses(
    q: Questionnaire, frame: pd.DataFrame, *, extra: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Answer dicts from a respondent table (missing answers left out); ``extra`` names
    metadata columns to copy into each dict."""
    meta = [(c, [None if _missing(v) else v for v in frame[c].tolist()]) for c in extra]
    cols = meta + [(it.id, _column_values(q, it, frame)) for it in q.items]
    return [{k: v[i] for k, v in cols if v[i] is not None} for i in range(len(frame))]
