"""Responses <-> the respondent table of docs/data-layout.md, and random valid responses.

- :func:`responses_to_frame`: answer dicts (item id -> value, plus any metadata keys such as
  ``submission_id`` or ``province``, passed through) to one row per respondent. Choice,
  yes/no, rating and integer items become nullable ``Int64`` columns, decimals ``float64``,
  text and dates strings; a multiple-choice item ``q`` becomes 0/1 columns ``q_<code>`` and,
  when it allows special answers, a column ``q`` holding the special code. Special answers
  keep their negative code (as a string in text and date columns, so parquet stays typed).
- :func:`frame_to_responses`: the inverse.
- :func:`generate_response`: a random response that passes validation (skip logic,
  constraints by rejection, special answers), for property tests, the benchmark and the
  simulator.

Converting dicts to columns is I/O, done once per column with list comprehensions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from survey.errors import PapiError
from survey.evaluate import compile_predicate
from survey.rng import RngLike, as_generator

if TYPE_CHECKING:
    from survey.schema import Item, Questionnaire

INT_TYPES = frozenset({"single_choice", "yes_no", "rating", "integer"})


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT


def _as_int(v: Any) -> int | None:
    return None if v is None or _missing(v) else int(v)


def responses_to_frame(q: Questionnaire, records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per response in the layout of docs/data-layout.md (metadata columns first)."""
    rows = list(records)
    item_ids = set(q.item_ids)
    meta: dict[str, None] = {}
    for r in rows:
        meta.update((k, None) for k in r if k not in item_ids)
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
        return _column_values_plain(frame[item.id], float)
    by_text = {str(c): c for c in q.allowed_special(item).values()}
    col = frame[item.id]
    if pd.api.types.is_datetime64_any_dtype(col):
        col = col.dt.strftime("%Y-%m-%d")
    return [None if _missing(v) else by_text.get(str(v), str(v)) for v in col.tolist()]


def _column_values_plain(col: pd.Series[Any], cast: type) -> list[Any]:
    return [None if _missing(v) else cast(v) for v in col.tolist()]


def frame_to_responses(
    q: Questionnaire, frame: pd.DataFrame, *, extra: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Answer dicts from a respondent table (missing answers left out); ``extra`` names
    metadata columns to copy into each dict."""
    cols: list[tuple[str, list[Any]]] = [(c, frame[c].tolist()) for c in extra]
    cols += [(it.id, _column_values(q, it, frame)) for it in q.items]
    return [{k: v[i] for k, v in cols if not _missing(v[i])} for i in range(len(frame))]


# ---------------------------------------------------------------- random valid responses
def _predicates(q: Questionnaire) -> dict[str, Any]:
    cached = q.cached("generator_predicates")
    if cached is None:
        cached = {
            it.id: (
                compile_predicate(q.condition(it.relevant)) if it.relevant else None,
                compile_predicate(q.condition(it.constraint)) if it.constraint else None,
            )
            for it in q.items
        }
        q.store("generator_predicates", cached)
    return cached  # type: ignore[no-any-return]


def _draw(q: Questionnaire, item: Item, gen: np.random.Generator) -> Any:
    t = item.type
    if t in ("single_choice", "yes_no", "rating"):
        codes = sorted(q.codes_of(item))
        return int(codes[int(gen.integers(len(codes)))])
    if t == "multiple_choice":
        codes = sorted(q.codes_of(item))
        return [c for c in codes if gen.random() < 0.4] or [codes[int(gen.integers(len(codes)))]]
    if t == "integer":
        lo = int(item.min) if item.min is not None else 0
        hi = int(item.max) if item.max is not None else lo + 100
        return int(gen.integers(lo, hi + 1))
    if t == "decimal":
        lo_f = float(item.min) if item.min is not None else 0.0
        hi_f = float(item.max) if item.max is not None else lo_f + 100.0
        return float(min(max(round(float(gen.uniform(lo_f, hi_f)), 2), lo_f), hi_f))
    if t == "text":
        letters = "abcdeghiklmnopqrstuvxy"
        return "".join(letters[int(i)] for i in gen.integers(len(letters), size=6))
    lo_d = date.fromisoformat(str(item.min)) if item.min is not None else date(2000, 1, 1)
    hi_d = date.fromisoformat(str(item.max)) if item.max is not None else date(2030, 12, 31)
    return (lo_d + timedelta(days=int(gen.integers((hi_d - lo_d).days + 1)))).isoformat()


def _candidates(
    q: Questionnaire, item: Item, gen: np.random.Generator, tries: int
) -> Iterator[Any]:
    """``tries`` random draws, then (integer-valued items) every value of the range in random
    order, so a narrow constraint such as ``. <= household_size`` is always met."""
    for _ in range(tries):
        yield _draw(q, item, gen)
    if item.type in INT_TYPES - {"integer"}:
        pool = sorted(q.codes_of(item))
    elif item.type in ("integer", "decimal"):
        lo = math.ceil(float(item.min)) if item.min is not None else 0
        hi = math.floor(float(item.max)) if item.max is not None else lo + 100
        pool = list(range(lo, min(hi, lo + 10_000) + 1))
    else:
        return
    for i in gen.permutation(len(pool)):
        yield pool[int(i)] if item.type != "decimal" else float(pool[int(i)])


def generate_response(
    q: Questionnaire,
    rng: RngLike = None,
    *,
    special_rate: float = 0.05,
    skip_rate: float = 0.1,
    tries: int = 50,
) -> dict[str, Any]:
    """A random response that passes ``q.validate_response``: relevant items only, optional
    items skipped with ``skip_rate``, allowed special answers with ``special_rate``,
    constraints met by rejection sampling (``tries`` draws, then a special answer or a skip)."""
    gen = as_generator(rng)
    preds = _predicates(q)
    specials = q.special_code_values
    env: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    for item in q.items:
        relevant, constraint = preds[item.id]
        if relevant is not None and not relevant(env):
            continue
        if not item.required and gen.random() < skip_rate:
            continue
        allowed = sorted(q.allowed_special(item).values())
        if allowed and gen.random() < special_rate:
            answers[item.id] = int(allowed[int(gen.integers(len(allowed)))])
            continue
        value = None
        for candidate in _candidates(q, item, gen, tries):
            if isinstance(candidate, int) and candidate in specials:
                continue
            env["."] = candidate
            if constraint is None or constraint(env):
                value = candidate
                break
        if value is not None:
            answers[item.id] = env[item.id] = value
        elif allowed:
            answers[item.id] = int(allowed[0])
        elif item.required:
            raise PapiError(
                message=f"cannot generate a value of item {item.id!r} satisfying "
                f"{item.constraint!r} in {tries} draws; widen its range or allow a special answer",
                code="generation_failed",
            )
    return answers
