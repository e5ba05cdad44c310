"""Per-item answer checks of response validation (docs/questionnaire-format.md, "Answers"):
the issue record, and the type/range check closure of one item (:class:`_ItemChecker`),
which :mod:`survey.validation.response` compiles once per questionnaire into its plan.

A check takes the answer and the issue list; it returns the clean value (``None`` for an
allowed special code) or :data:`INVALID` after recording the issue, with a set lookup on
the common path.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from survey.errors import Problem
from survey.validation.answer_rules import (
    FIRST_DATE,
    LAST_DATE,
    Severity,
    is_calendar_date,
    rules_of,
)
from survey.validation.answer_rules import severity as severity_of

if TYPE_CHECKING:
    from survey.questionnaire.schema import Item, Questionnaire

Check = Callable[[Any, list["ValidationIssue"]], Any]


class _Invalid:
    """Marks an answer that failed its check (its issue is already recorded)."""


INVALID = _Invalid()


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One problem of a response: a JSON pointer (``/answers/q101``), a stable code, a
    message naming the item, the value and what was expected, and its ``severity``:
    ``reject`` (the server refuses the interview) or ``flag`` (kept and flagged), by the
    rule of :func:`survey.validation.answer_rules.severity`.

    Parameters
    ----------
    pointer : str
        Where, as a JSON pointer into the submission (``/answers/q101``).
    code : str
        A stable code (``out_of_range``, ``outside_constraints``, …).
    message : str
        What is wrong: the item, the value and what was expected.
    item : str or None, default None
        The item's id, when the problem is about one.
    severity : {"reject", "flag"}, default "reject"
        Whether the problem refuses the interview or only flags it.
    """

    pointer: str
    code: str
    message: str
    item: str | None = None
    severity: Severity = "reject"

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "code": self.code, "message": self.message}

    def as_problem(self) -> Problem:
        return Problem(self.pointer, self.code, self.message)


def _ptr(item_id: str) -> str:
    return "/answers/" + item_id.replace("~", "~0").replace("/", "~1")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


class _ItemChecker:
    """Builds the type/range check closure of one item."""

    def __init__(self, q: Questionnaire, item: Item) -> None:
        self.item = item
        self.pointer = _ptr(item.id)
        self.rules = rules = rules_of(q, item)
        self.special_ok = frozenset(rules.allowed_special.values())
        self.special_names = {code: name for name, code in q.special_codes.items()}
        self.codes = q.codes_of(item)

    def issue(self, issues: list[ValidationIssue], code: str, message: str, ptr: str = "") -> None:
        issues.append(
            ValidationIssue(
                ptr or self.pointer,
                code,
                f"item {self.item.id!r}: {message}",
                self.item.id,
                severity_of(code, self.item.type),
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
        lo = -sys.float_info.max if self.rules.lo is None else float(self.rules.lo)
        hi = sys.float_info.max if self.rules.hi is None else float(self.rules.hi)
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
        lo = str(self.rules.lo) if self.rules.lo is not None else FIRST_DATE
        hi = str(self.rules.hi) if self.rules.hi is not None else LAST_DATE

        def check(v: Any, issues: list[ValidationIssue]) -> Any:
            if type(v) is str and is_calendar_date(v):
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
