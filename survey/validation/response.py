"""Validation of one response against its questionnaire (docs/questionnaire-format.md,
"Answers").

``validate_response(q, answers)`` returns every :class:`ValidationIssue` (an empty list means
valid): unknown items, wrong types, codes not among the choices, values out of range
(bounds, rating scales, dates), failed constraints, required-when-relevant answers missing,
answers to items that are not relevant, special codes the item does not allow, repeated codes
in a multiple choice. A response that exceeds a bound no valid one can (more answers than
items, a list longer than the item's choices, a text over ``max_text_bytes``:
:mod:`survey.validation.answer_bounds`) gets those problems alone, as the server reports them.

Speed: the questionnaire is compiled once into a plan (one closure per item checking type and
range with a set lookup on the common path, :mod:`survey.validation.item_checks`; compiled
relevance and constraint closures from :mod:`survey.conditions.evaluate`) cached on the questionnaire
instance. A response first goes through the plan's compiled validity check
(:mod:`survey.validation.fast`); only when that fails does the full pass over the items
collect every issue. ``bench/validate_bench.py`` measures it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from survey.conditions.evaluate import Env, compile_predicate
from survey.conditions.expressions import Cmp, Lit, Node, Ref, referenced_items
from survey.validation.answer_bounds import bound_issues
from survey.validation.answer_rules import FLAG, REJECT, normalise_answers
from survey.validation.fast import Valid, compile_valid
from survey.validation.item_checks import INVALID, Check, ValidationIssue, _ItemChecker, _kind, _ptr

if TYPE_CHECKING:
    from survey.questionnaire.schema import Questionnaire

__all__ = [
    "INVALID",
    "ValidationIssue",
    "Verdict",
    "full_pass",
    "plan_of",
    "validate_response",
    "verdict",
]
_PLAN_KEY = "validation_plan"


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
    """Every problem of one response; an empty list means valid.

    Parameters
    ----------
    q : Questionnaire
        The questionnaire the response answers.
    answers : Any
        Item id -> value (docs/questionnaire-format.md); anything else is one ``wrong_type``
        issue.

    Returns
    -------
    list of ValidationIssue
        Each problem with its JSON pointer, code, message and severity (``reject`` or
        ``flag``, :func:`survey.validation.answer_rules.severity`).
    """
    plan = _plan(q)
    if not isinstance(answers, Mapping):
        return [
            ValidationIssue(
                "/answers",
                "wrong_type",
                f"answers must be a mapping of item id to value, got {_kind(answers)}",
            )
        ]
    bounds = bound_issues(q, answers)  # what no response may exceed: reported alone
    if bounds:
        return bounds
    if plan.valid is not None and plan.ids.issuperset(answers.keys()) and plan.valid(answers):
        return []  # the common case, compiled (survey/validation/fast.py)
    if any(type(v) is float for v in answers.values()):
        answers = normalise_answers(
            dict(answers)
        )  # 45.0 is 45 (survey.validation.answer_rules.integral)
        if plan.ids.issuperset(answers.keys()) and plan.valid is not None and plan.valid(answers):
            return []
    return full_pass(plan, answers)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the server does with a response: ``accepted`` (stored) unless a problem of
    severity ``reject`` is present; ``rejected`` are the problems that refuse it (the 422's
    errors), ``flagged`` those it is kept and flagged for (``outside_constraints``).

    Parameters
    ----------
    accepted : bool
        Whether the response is stored.
    rejected : tuple of ValidationIssue
        The problems that refuse it.
    flagged : tuple of ValidationIssue
        The problems it is kept and flagged for.
    """

    accepted: bool
    rejected: tuple[ValidationIssue, ...]
    flagged: tuple[ValidationIssue, ...]

    @classmethod
    def of(cls, issues: list[ValidationIssue]) -> Verdict:
        rejected = tuple(i for i in issues if i.severity == REJECT)
        flagged = tuple(i for i in issues if i.severity == FLAG)
        return cls(not rejected, rejected, flagged)


def verdict(q: Questionnaire, answers: Any) -> Verdict:
    """The server's verdict on one response: accept or reject, and why.

    Parameters
    ----------
    q : Questionnaire
        The questionnaire the response answers.
    answers : Any
        Item id -> value, as for :func:`validate_response`.

    Returns
    -------
    Verdict
        The problems that reject the interview and those that only flag it.
    """
    return Verdict.of(validate_response(q, answers))


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
                        FLAG,
                    )
                )
    return issues
