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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from survey.conditions.evaluate import Env, compile_predicate
from survey.errors import PapiError
from survey.rng import RngLike, as_generator

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


# ---------------------------------------------------------------- random valid responses
@dataclass(frozen=True, slots=True)
class _Spec:
    """What the generator needs of one item, precomputed once per questionnaire."""

    id: str
    type: str
    required: bool
    relevant: Callable[[Env], bool] | None
    constraint: Callable[[Env], bool] | None
    codes: tuple[int, ...]
    allowed: tuple[int, ...]
    lo: float
    hi: float


def _specs(q: Questionnaire) -> tuple[_Spec, ...]:
    cached = q.cached("generator_specs")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    specs = []
    for it in q.items:
        if it.type == "date":
            lo = float(date.fromisoformat(str(it.min or "2000-01-01")).toordinal())
            hi = float(date.fromisoformat(str(it.max or "2030-12-31")).toordinal())
        else:
            lo = float(it.min) if isinstance(it.min, int | float) else 0.0
            hi = float(it.max) if isinstance(it.max, int | float) else lo + 100.0
        specs.append(
            _Spec(
                it.id,
                it.type,
                it.required,
                compile_predicate(q.condition(it.relevant)) if it.relevant else None,
                compile_predicate(q.condition(it.constraint)) if it.constraint else None,
                tuple(sorted(q.codes_of(it))),
                tuple(sorted(q.allowed_special(it).values())),
                lo,
                hi,
            )
        )
    return q.store("generator_specs", tuple(specs))  # type: ignore[no-any-return]


_LETTERS = "abcdeghiklmnopqrstuvxy"


def _draw(spec: _Spec, u: float, gen: np.random.Generator) -> Any:
    """One value of the item from the uniform ``u`` (and ``gen`` for multi-part values)."""
    t = spec.type
    if t in ("single_choice", "yes_no", "rating"):
        return spec.codes[int(u * len(spec.codes))]
    if t == "multiple_choice":
        picks = gen.random(len(spec.codes)) < 0.4
        return [c for c, p in zip(spec.codes, picks.tolist(), strict=True) if p] or [
            spec.codes[int(u * len(spec.codes))]
        ]
    if t == "integer":
        lo, hi = math.ceil(spec.lo), math.floor(spec.hi)
        return min(lo + int(u * (hi - lo + 1)), hi)
    if t == "decimal":
        return min(max(round(spec.lo + u * (spec.hi - spec.lo), 2), spec.lo), spec.hi)
    if t == "text":
        return "".join(_LETTERS[int(i)] for i in gen.integers(len(_LETTERS), size=6))
    days = int(spec.hi - spec.lo)
    return date.fromordinal(int(spec.lo) + min(int(u * (days + 1)), days)).isoformat()


def _candidates(spec: _Spec, u: float, gen: np.random.Generator, tries: int) -> Iterator[Any]:
    """``tries`` random draws, then (integer-valued items) every value of the range in random
    order, so a narrow constraint such as ``. <= household_size`` is always met."""
    yield _draw(spec, u, gen)
    if spec.constraint is None:
        return
    for v in gen.random(tries - 1).tolist():
        yield _draw(spec, v, gen)
    if spec.type in INT_TYPES - {"integer"}:
        pool = list(spec.codes)
    elif spec.type in ("integer", "decimal"):
        lo = math.ceil(spec.lo)
        pool = list(range(lo, min(math.floor(spec.hi), lo + 10_000) + 1))
    else:
        return
    for i in gen.permutation(len(pool)).tolist():
        yield pool[i] if spec.type != "decimal" else float(pool[i])


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
    constraints met by rejection sampling (``tries`` draws, then every value of an
    integer-valued range, then a special answer or a skip)."""
    gen = as_generator(rng)
    specs = _specs(q)
    specials = q.special_code_values
    uniforms = gen.random((len(specs), 3)).tolist()
    env: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    for spec, (u_skip, u_special, u_value) in zip(specs, uniforms, strict=True):
        if spec.relevant is not None and not spec.relevant(env):
            continue
        if not spec.required and u_skip < skip_rate:
            continue
        allowed = spec.allowed
        if allowed and u_special < special_rate:
            answers[spec.id] = allowed[int(u_value * len(allowed))]
            continue
        value = None
        for candidate in _candidates(spec, u_value, gen, tries):
            if type(candidate) is int and candidate in specials:
                continue
            env["."] = candidate
            if spec.constraint is None or spec.constraint(env):
                value = candidate
                break
        if value is not None:
            answers[spec.id] = env[spec.id] = value
        elif allowed:
            answers[spec.id] = allowed[0]
        elif spec.required:
            raise PapiError(
                message=f"cannot generate a value of item {spec.id!r} satisfying its constraint "
                f"{q.item(spec.id).constraint!r}; widen its range or allow a special answer",
                code="generation_failed",
            )
    return answers
