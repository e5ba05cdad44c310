"""Validation of one response against its questionnaire (docs/questionnaire-format.md,
"Answers").

``validate_response(q, answers)`` returns every :class:`ValidationIssue` (an empty list means
valid): unknown items, wrong types, codes not among the choices, values out of range
(bounds, rating scales, dates), failed constraints, required-when-relevant answers missing,
answers to items that are not relevant, special codes the item does not allow, repeated codes
in a multiple choice.

Speed: the questionnaire is compiled once into a plan (one closure per item checking type and
range with a set lookup on the common path, compiled relevance and constraint closures from
:mod:`survey.evaluate`) cached on the questionnaire instance, so a response costs one pass
over the items. ``bench/validate_bench.py`` measures it.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from survey.errors import Problem
from survey.evaluate import Env, compile_predicate
from survey.expressions import Cmp, Lit, Node, Ref, referenced_items
from survey.validation_fast import Valid, compile_valid

if TYPE_CHECKING:
    from survey.schema import Item, Questionnaire

Check = Callable[[Any, list["ValidationIssue"]], Any]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAN_KEY = "validation_plan"


class _Invalid:
    """Marks an answer that failed its check (its issue is already recorded)."""


INVALID = _Invalid()


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One problem of a response: a JSON pointer (``/answers/q101``), a stable code and a
    message naming the item, the value and what was expected."""

    pointer: str
    code: str
    message: str
    item: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "code": self.code, "message": self.message}

    def as_problem(self) -> Problem:
        return Problem(self.pointer, self.code, self.message)


def _ptr(item_id: str) -> str:
    return "/answers/" + item_id.replace("~", "~0").replace("/", "~1")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


@dataclass(frozen=True, slots=True)
class _Step:
    id: str
    pointer: str
    required: bool
    relevant: Callable[[Env], bool] | None
    relevant_src: str | None
    check: Check
    constraint: Callable[[Env], bool] | None
    constraint_text: str
    constraint_reads: frozenset[str]


# One step as the hot loop unpacks it: (id, relevant item, relevant literal, relevant
# closure, choice codes, check, constraint, step). A relevance ``item == number`` is
# evaluated inline as ``env.get(item) == number``: the environment holds only checked values
# (int, float, str, list of int, None; never a bool), for which this is exactly
# ``evaluate``'s comparison. ``codes`` is the code set of a choice item without a
# constraint, whose check accepts a member as it is, so the common answer needs no call.
_Fast = tuple[
    str,
    str | None,
    Any,
    Callable[[Env], bool] | None,
    frozenset[Any] | None,
    Check,
    Callable[[Env], bool] | None,
    _Step,
]


@dataclass(frozen=True, slots=True)
class _Plan:
    ids: frozenset[str]
    steps: tuple[_Step, ...]
    questionnaire_id: str
    fast: tuple[_Fast, ...] = ()
    valid: Valid | None = None


def _ref_equals_number(node: Node) -> tuple[str, Any] | None:
    """(item, literal) when ``node`` is ``item == <number>`` (compiled to ``eq_fast``)."""
    if (
        isinstance(node, Cmp)
        and node.op == "=="
        and isinstance(node.left, Ref)
        and node.left.item != "."
        and isinstance(node.right, Lit)
        and type(node.right.value) in (int, float)
    ):
        return node.left.item, node.right.value
    return None


class _ItemChecker:
    """Builds the type/range check closure of one item."""

    def __init__(self, q: Questionnaire, item: Item) -> None:
        self.item = item
        self.pointer = _ptr(item.id)
        allowed = q.allowed_special(item)
        self.special_ok = frozenset(allowed.values())
        self.special_names = {code: name for name, code in q.special_codes.items()}
        self.codes = q.codes_of(item)

    def issue(self, issues: list[ValidationIssue], code: str, message: str, ptr: str = "") -> None:
        issues.append(
            ValidationIssue(
                ptr or self.pointer, code, f"item {self.item.id!r}: {message}", self.item.id
            )
        )

    def not_special(self, value: Any, issues: list[ValidationIssue]) -> bool:
        """True when ``value`` is a special code the item does not allow (issue recorded)."""
        if type(value) is int and value in self.special_names:
            allowed = ", ".join(f"{c} ({self.special_names[c]})" for c in sorted(self.special_ok))
            self.issue(
                issues,
                "special_not_allowed",
                f"special answer {value} ({self.special_names[value]}) is not allowed here; "
                f"allowed special answers: {allowed or 'none'}",
            )
            return True
        return False

    def build(self) -> Check:
        t = self.item.type
        if t in ("single_choice", "yes_no", "rating"):
            return self.choice()
        if t == "multiple_choice":
            return self.multiple()
        if t in ("integer", "decimal"):
            return self.number()
        if t == "text":
            return self.text()
        return self.date()

    def choice(self) -> Check:
        codes, special_ok = self.codes, self.special_ok
        expected = (
            f"a rating {self.item.scale.min}..{self.item.scale.max}"
            if self.item.type == "rating" and self.item.scale
            else f"one of the codes {sorted(codes)}"
        )

        def slow(v: Any, issues: list[ValidationIssue]) -> None:
            if type(v) is not int:
                self.issue(
                    issues,
                    "wrong_type",
                    f"expected an integer code ({expected}), got {v!r} ({_kind(v)})",
                )
            elif not self.not_special(v, issues):
                code = "out_of_range" if self.item.type == "rating" else "unknown_code"
                self.issue(issues, code, f"{v} is not allowed; expected {expected}")

        def check(v: Any, issues: list[ValidationIssue]) -> Any:
            if type(v) is int:
                if v in codes:
                    return v
                if v in special_ok:
                    return None
            slow(v, issues)
            return INVALID

        return check

    def multiple(self) -> Check:
        codes, special_ok = self.codes, self.special_ok

        def slow(v: Any, issues: list[ValidationIssue]) -> None:
            if type(v) is int:
                if not self.not_special(v, issues):
                    self.issue(
                        issues,
                        "wrong_type",
                        f"expected a list of codes from {sorted(codes)}, got the single value {v!r}",
                    )
                return
            if not isinstance(v, list):
                self.issue(
                    issues,
                    "wrong_type",
                    f"expected a list of codes from {sorted(codes)}, got {v!r} ({_kind(v)})",
                )
                return
            seen: set[int] = set()
            for j, c in enumerate(v):
                ptr = f"{self.pointer}/{j}"
                if type(c) is not int:
                    self.issue(
                        issues,
                        "wrong_type",
                        f"option {j} is {c!r} ({_kind(c)}); expected an integer code from {sorted(codes)}",
                        ptr,
                    )
                elif c in seen:
                    self.issue(issues, "duplicate_code", f"code {c} is selected twice", ptr)
                elif c not in codes:
                    self.issue(
                        issues,
                        "unknown_code",
                        f"code {c} is not among the choices {sorted(codes)}",
                        ptr,
                    )
                if type(c) is int:
                    seen.add(c)

        def check(v: Any, issues: list[ValidationIssue]) -> Any:
            if type(v) is list:
                if all(type(c) is int for c in v) and codes.issuperset(v) and len(set(v)) == len(v):
                    return v
            elif type(v) is int and v in special_ok:
                return None
            slow(v, issues)
            return INVALID

        return check

    def number(self) -> Check:
        item, special_ok, all_special = self.item, self.special_ok, frozenset(self.special_names)
        integer = item.type == "integer"
        # finite defaults, so that inf and nan always fail the fast path
        lo = -sys.float_info.max if item.min is None else float(item.min)
        hi = sys.float_info.max if item.max is None else float(item.max)
        kinds = (int,) if integer else (int, float)
        expected = "an integer" if integer else "a number"
        bounds = f"{item.min if item.min is not None else '-inf'}..{item.max if item.max is not None else 'inf'}"

        def check(v: Any, issues: list[ValidationIssue]) -> Any:
            tv = type(v)
            if tv in kinds and lo <= v <= hi and v not in all_special:
                return v
            if tv is int and v in special_ok:
                return None
            if tv not in kinds or (tv is float and not math.isfinite(v)):
                self.issue(
                    issues,
                    "wrong_type",
                    f"expected {expected} within {bounds}, got {v!r} ({_kind(v)})",
                )
            elif not self.not_special(v, issues):
                self.issue(issues, "out_of_range", f"{v} is outside the range {bounds}")
            return INVALID

        return check

    def text(self) -> Check:
        special_ok = self.special_ok

        def check(v: Any, issues: list[ValidationIssue]) -> Any:
            if type(v) is str:
                return v
            if type(v) is int and v in special_ok:
                return None
            if not self.not_special(v, issues):
                self.issue(issues, "wrong_type", f"expected a string, got {v!r} ({_kind(v)})")
            return INVALID

        return check

    def date(self) -> Check:
        item, special_ok = self.item, self.special_ok
        lo = str(item.min) if item.min is not None else "0000-01-01"
        hi = str(item.max) if item.max is not None else "9999-12-31"

        def valid_iso(v: str) -> bool:
            if not _ISO_DATE.match(v):
                return False
            try:
                date.fromisoformat(v)
            except ValueError:
                return False
            return True

        def check(v: Any, issues: list[ValidationIssue]) -> Any:
            if type(v) is str and valid_iso(v):
                if lo <= v <= hi:
                    return v
                self.issue(
                    issues,
                    "out_of_range",
                    f"date {v} is outside {item.min or '-'}..{item.max or '-'}",
                )
                return INVALID
            if type(v) is int and v in special_ok:
                return None
            if not self.not_special(v, issues):
                self.issue(
                    issues, "wrong_type", f"expected an ISO date YYYY-MM-DD, got {v!r} ({_kind(v)})"
                )
            return INVALID

        return check


def plan_of(q: Questionnaire) -> _Plan:
    """The questionnaire's compiled validation plan (built once, cached on ``q``)."""
    return _plan(q)


def _plan(q: Questionnaire) -> _Plan:
    cached = q.cached(_PLAN_KEY)
    if isinstance(cached, _Plan):
        return cached
    steps = []
    fast: list[_Fast] = []
    for item in q.items:
        relevant = compile_predicate(q.condition(item.relevant)) if item.relevant else None
        constraint = compile_predicate(q.condition(item.constraint)) if item.constraint else None
        text = (
            item.constraint_message.en
            if item.constraint_message
            else f"the constraint {item.constraint!r}"
        )
        reads = referenced_items(q.condition(item.constraint)) if item.constraint else frozenset()
        step = _Step(
            item.id,
            _ptr(item.id),
            item.required,
            relevant,
            item.relevant,
            _ItemChecker(q, item).build(),
            constraint,
            text,
            reads,
        )
        steps.append(step)
        inline = _ref_equals_number(q.condition(item.relevant)) if item.relevant else None
        codes = (
            q.codes_of(item)
            if item.type in ("single_choice", "yes_no", "rating") and not item.constraint
            else None
        )
        fast.append(
            (
                item.id,
                inline[0] if inline else None,
                inline[1] if inline else None,
                None if inline else relevant,
                codes,
                step.check,
                constraint,
                step,
            )
        )
    plan = _Plan(
        frozenset(q.item_ids), tuple(steps), q.id, tuple(fast), compile_valid(q, fast, INVALID)
    )
    q.store(_PLAN_KEY, plan)
    return plan


def validate_response(q: Questionnaire, answers: Any) -> list[ValidationIssue]:
    """Every problem of one response (item id -> value); an empty list means valid."""
    plan = _plan(q)
    if not isinstance(answers, Mapping):
        return [
            ValidationIssue(
                "/answers",
                "wrong_type",
                f"answers must be a mapping of item id to value, got {_kind(answers)}",
            )
        ]
    if plan.valid is not None and plan.ids.issuperset(answers.keys()) and plan.valid(answers):
        return []  # the common case, compiled (survey/validation_fast.py)
    return full_pass(plan, answers)


def full_pass(plan: _Plan, answers: Mapping[str, Any]) -> list[ValidationIssue]:
    """Every issue of ``answers`` (a mapping), by the interpreted pass over the plan."""
    issues: list[ValidationIssue] = []
    if not plan.ids.issuperset(answers.keys()):
        for key in sorted(answers.keys() - plan.ids, key=str):
            issues.append(
                ValidationIssue(
                    _ptr(str(key)),
                    "unknown_item",
                    f"{key!r} is not an item of questionnaire {plan.questionnaire_id!r}; remove it or check the id",
                    str(key),
                )
            )
    env: dict[str, Any] = {}
    env_get = env.get
    invalid: set[str] = set()
    get = answers.get
    for sid, rel_item, rel_lit, rel_fn, codes, check, constraint, step in plan.fast:
        v = get(sid)
        if (rel_item is not None and env_get(rel_item) != rel_lit) or (
            rel_fn is not None and not rel_fn(env)
        ):
            if v is not None:
                issues.append(
                    ValidationIssue(
                        step.pointer,
                        "not_relevant",
                        f"item {sid!r} is answered ({v!r}) but not relevant: {step.relevant_src!r} is false; leave it out",
                        sid,
                    )
                )
            continue
        if v is None:
            if step.required:
                why = (
                    f" (relevant because {step.relevant_src!r} holds)" if step.relevant_src else ""
                )
                issues.append(
                    ValidationIssue(
                        step.pointer,
                        "required",
                        f"item {sid!r} is required{why} but has no answer; send a value or an allowed special code",
                        sid,
                    )
                )
            continue
        if codes is not None and type(v) is int and v in codes:
            env[sid] = v
            continue  # a choice item without a constraint: nothing more to check
        clean = check(v, issues)
        if clean is INVALID:
            env[sid] = None
            invalid.add(sid)
            continue
        env[sid] = clean
        if constraint is not None and clean is not None:
            if invalid and not invalid.isdisjoint(step.constraint_reads):
                continue  # it reads an answer already reported as invalid
            env["."] = clean
            if not constraint(env):
                issues.append(
                    ValidationIssue(
                        step.pointer,
                        "constraint_failed",
                        f"item {sid!r}: {v!r} fails {step.constraint_text}",
                        sid,
                    )
                )
    return issues
