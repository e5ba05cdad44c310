"""What an answer may be: the one home of the value rules (docs/questionnaire-format.md,
"Answers"; docs/odk.md, "One rule, one home").

Three parts read these definitions and must agree:

- response validation (:mod:`survey.validation.item_checks` builds each item's check from
  :func:`rules_of`; :func:`severity` says which problems refuse an interview);
- the server's intake, which refuses an interview with a ``reject`` problem and keeps and
  flags one with only ``flag`` problems (``api/submissions/intake.py`` calls
  :func:`survey.validation.response.verdict`);
- the ODK form (:mod:`survey.forms.xlsform` turns the same :class:`ValueRules` into the XLSForm
  constraint, so a value the form lets an enumerator finalise is one the server accepts).

The agreement tests are ``tests/api/test_api_validation_agreement.py`` (library and HTTP
intake) and ``tests/clients/test_form_server_agreement.py`` (JavaRosa and Web Forms against
the server).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from survey.questionnaire.schema import Item, Questionnaire

Severity = Literal["reject", "flag"]

REJECT: Severity = "reject"
FLAG: Severity = "flag"

# An answer outside an item's ``min``/``max`` (numbers, dates) or failing its ``constraint``
# expression is kept and flagged: the interview happened and cannot be repeated, so a
# supervisor decides. Every other problem (unknown item, wrong type, a code not among the
# choices, a special answer the item does not allow, a missing required answer, an answer to
# an item that is not relevant, a repeated code) means the data cannot be read as an answer
# to the questionnaire: the interview is refused.
BOUNDED_TYPES = frozenset({"integer", "decimal", "date"})

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The earliest and latest dates an answer can hold (Python's date range, years 1..9999).
FIRST_DATE, LAST_DATE = "0001-01-01", "9999-12-31"

_MAX_EXACT = 2**53


def severity(code: str, item_type: str | None) -> Severity:
    """``flag`` for a broken ``constraint`` or a bound of a number or date; else ``reject``."""
    if code == "constraint_failed":
        return FLAG
    if code == "out_of_range" and item_type in BOUNDED_TYPES:
        return FLAG
    return REJECT


def integral(value: float) -> int | float:
    """A JSON number with an integral value is that integer (``45.0`` is ``45``): finite and
    exactly representable (below 2**53), else the float unchanged. The server's canonical
    form (content hash) and validation both read numbers this way."""
    if value.is_integer() and math.isfinite(value) and abs(value) < _MAX_EXACT:
        return int(value)
    return value


def normalise_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """``answers`` with every top-level float read by :func:`integral` (lists untouched)."""
    return {k: integral(v) if type(v) is float else v for k, v in answers.items()}


def is_calendar_date(text: str) -> bool:
    """``YYYY-MM-DD`` naming a real day (no 2021-02-30, no month 13, no year 0000)."""
    if not ISO_DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class ValueRules:
    """What one item accepts, read by validation and by the form generator.

    ``codes``: the choices (choice types); ``allowed_special``: special answers the item
    lists (name -> code), accepted in place of a value; ``forbidden_special``: every other
    special code of the questionnaire, refused (a value equal to one would be read as
    that special answer); ``lo``/``hi``: the bounds (numbers, or ISO dates), whose breach is
    flagged; ``constrained``: the item has a ``constraint`` expression (flagged)."""

    item_id: str
    type: str
    codes: frozenset[int]
    allowed_special: dict[str, int]
    forbidden_special: frozenset[int]
    lo: float | int | str | None
    hi: float | int | str | None
    required: bool
    constrained: bool

    @property
    def choice(self) -> bool:
        return self.type in ("single_choice", "yes_no", "rating", "multiple_choice")


def rules_of(q: Questionnaire, item: Item) -> ValueRules:
    allowed = q.allowed_special(item)
    lo: float | int | str | None = item.min
    hi: float | int | str | None = item.max
    if item.type == "date":
        lo = str(item.min) if item.min is not None else None
        hi = str(item.max) if item.max is not None else None
    return ValueRules(
        item_id=item.id,
        type=item.type,
        codes=q.codes_of(item)
        if item.type not in ("integer", "decimal", "text", "date")
        else frozenset(),
        allowed_special=allowed,
        forbidden_special=frozenset(q.special_code_values - set(allowed.values())),
        lo=lo,
        hi=hi,
        required=item.required,
        constrained=bool(item.constraint),
    )
