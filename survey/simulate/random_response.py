"""Random valid responses: a response to a questionnaire that passes validation (skip
logic, constraints by rejection sampling, special answers), for property tests, the
benchmarks and the hostile-input corpus. Seeded (``rng``), so a failing case replays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from survey.conditions.evaluate import Env, compile_predicate
from survey.errors import PapiError
from survey.respondents.table import INT_TYPES
from survey.rng import RngLike, as_generator

if TYPE_CHECKING:
    from survey.questionnaire.schema import Questionnaire


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
    """A random response that passes ``survey.validation.validate_response``: relevant items only, optional
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
