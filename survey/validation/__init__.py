"""Validation of one response against its questionnaire: every problem
(``response.validate_response``), the server's accept/reject decision (``response.verdict``),
the per-item checks (``item_checks``), the compiled fast path (``fast``), what an answer may
be (``answer_rules``, shared with the ODK form) and the bounds no valid response exceeds
(``answer_bounds``).

from survey.validation import validate_response, verdict
validate_response(q, {"q1": 9})           # [ValidationIssue(...)], [] when valid
verdict(q, answers).accepted              # False when a problem refuses the interview
"""

from survey.validation.answer_rules import ValueRules, rules_of, severity
from survey.validation.item_checks import ValidationIssue
from survey.validation.response import Verdict, validate_response, verdict

__all__ = [
    "ValidationIssue",
    "ValueRules",
    "Verdict",
    "rules_of",
    "severity",
    "validate_response",
    "verdict",
]
