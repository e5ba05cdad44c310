"""Boundary values for the form/server agreement test, per item, as an enumerator would
type or pick them (strings; lists of codes for a multiple choice), and the server's
verdict on a value entered on one question."""

from __future__ import annotations

import random
import re
from typing import Any

from survey.forms.xform import SubmissionInvalid, read_value
from survey.forms.xlsform import SEP, special_question
from survey.questionnaire.schema import Item, Questionnaire
from survey.validation import validate_response
from survey.validation.response import ValidationIssue

COMMON = ("", " ", "   ", "abc", "x" * 3000, "-7", "-8", "-9", "-8.0", "1 2")
DATES = (
    "2021-02-29",
    "2020-02-29",
    "2024-02-29",
    "2000-02-29",
    "1900-02-29",
    "2100-02-29",
    "2021-02-28",
    "2021-02-30",
    "2021-04-31",
    "2021-06-30",
    "2021-12-31",
    "2021-13-01",
    "2021-00-10",
    "2021-01-00",
    "0000-00-00",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2021-1-1",
    "20210101",
    " 2021-01-01",
    "2021-01-01 ",
    "2021-01-32",
)


def _shift(iso: str, years: int = 0, days: int = 0) -> str:
    y, m, d = (int(p) for p in iso.split("-"))
    return f"{y + years:04d}-{m:02d}-{d + days:02d}"


def boundary(q: Questionnaire, item: Item) -> list[Any]:
    """Hand-picked boundary values of ``item``: bounds and one past them, special codes,
    impossible and leap dates, empty, spaces and very long text."""
    out: list[Any] = list(COMMON)
    if item.type in ("single_choice", "yes_no", "rating", "multiple_choice"):
        codes = sorted(q.codes_of(item))
        out += [str(c) for c in codes] + [str(codes[0] - 1), str(codes[-1] + 1), "99"]
        if item.type == "multiple_choice":
            out += [[str(c) for c in codes], [str(codes[0]), "-8"], ["-8"], ["-7", "-8"], []]
    elif item.type in ("integer", "decimal"):
        out += ["0", "-0", "1", "-1", "2147483647", "99999999999", "1.5", "1e3", "NaN"]
        step = 1 if item.type == "integer" else 0.5
        for b in (item.min, item.max):
            if b is not None:
                out += [str(b), str(b - step), str(b + step), f"{float(b)}"]
    elif item.type == "text":
        out += ["Hà Nội", " -8", "  padded  ", "-8 ", "2021-02-30"]
    else:
        out += list(DATES)
        for b in (item.min, item.max):
            if b is not None:
                out += [str(b), _shift(str(b), days=1), _shift(str(b), days=-1)]
    return out


def drawn(q: Questionnaire, item: Item, rnd: random.Random) -> Any:
    """One random value of the item's kind (``rnd`` comes from hypothesis), beyond the
    hand-picked ones: any day number 0-32 of any month 0-13 of years 0-10000, integers and
    two-decimal numbers around the bounds, short unicode text, codes around the choices."""
    if item.type == "date":
        y, m, d = rnd.randint(0, 10000), rnd.randint(0, 13), rnd.randint(0, 32)
        return f"{y:04d}-{m:02d}-{d:02d}"
    if item.type in ("integer", "decimal"):
        lo = item.min if item.min is not None else -1000
        hi = item.max if item.max is not None else 1000
        value = rnd.uniform(float(lo) - 10, float(hi) + 10)
        return str(round(value)) if item.type == "integer" or rnd.random() < 0.5 else f"{value:.2f}"
    if item.type == "text":
        return "".join(
            chr(rnd.choice([rnd.randint(32, 126), rnd.randint(160, 0x2FFF)]))
            for _ in range(rnd.randint(0, 30))
        )
    codes = sorted(q.codes_of(item))
    pick = [str(rnd.randint(codes[0] - 2, codes[-1] + 2)) for _ in range(rnd.randint(0, 3))]
    if item.type == "multiple_choice":
        return list(dict.fromkeys(pick))
    return pick[0] if pick else str(codes[0])


def entered_text(value: Any) -> str:
    """The instance text of an entered value (a multiple choice is space-separated)."""
    return " ".join(value) if isinstance(value, list) else str(value)


SPECIAL_PICKS = ("-7", "-8", "-9", "1", "")


_ISO_DATE_LIKE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(T(\d{2}:\d{2}:\d{2}\.\d+|\d{2}:\d{2}:\d{2}|\d{2}:\d{2}|\d{2})"
    r"([-+]\d{2}:\d{2}|Z)?)?"
)


def _real_date(year: int, month: int, day: int) -> bool:
    """A day of the proleptic Gregorian calendar (year 0 included, as Temporal has it)."""
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    return 1 <= day <= days


def webforms_throws_on(value: Any) -> bool:
    """Whether ODK Web Forms' engine (0.22, tests/clients/webforms) throws when ``value`` is
    typed into a text question that any XPath expression reads (the question's own length
    constraint included): a text that reads as an ISO date of a day no calendar has, such
    as ``2021-02-30``. The engine casts every node value with ``number()``, which parses a
    date-like string with Temporal and does not catch the RangeError; the engine's state is
    broken afterwards (later edits are lost). Reported and fixed upstream (getodk/web-forms
    issues 877 and 879, after 0.22.0); the npm registry offers nothing newer yet. The form
    cannot avoid it (any expression that reads the text throws), so the agreement test
    leaves such values out for Web Forms: docs/odk.md, "Text length"."""
    m = _ISO_DATE_LIKE.fullmatch(value) if isinstance(value, str) else None
    return m is not None and not _real_date(int(m[1]), int(m[2]), int(m[3]))


def probes_of(q: Questionnaire, item: Item, values: list[Any]) -> list[tuple[str, Any]]:
    """(question, value) pairs for ``item``: a date with special answers gets its dates on
    the date widget and the special codes on its companion question."""
    out = [(item.id, v) for v in values]
    companion = special_question(item)
    if companion is not None:
        out += [(companion, v) for v in SPECIAL_PICKS]
    return out


def item_of(q: Questionnaire, question: str) -> Item:
    """The item a form question belongs to (a companion question belongs to its date)."""
    return q.item(question.removesuffix(SEP + "special"))


def server_issues(
    q: Questionnaire, base: dict[str, Any], item: Item, text: str, companion: bool = False
) -> list[ValidationIssue] | str:
    """What the server says about ``text`` as the instance value of ``item`` in the base
    interview (``companion``: entered on the item's companion special question): the issues
    at that item (empty: accepted without a flag), or ``"unreadable"`` when the submission
    itself is refused (SubmissionInvalid)."""
    answers = dict(base)
    if companion and not text.strip():
        pass  # no special answer chosen: the date of the base interview stays
    else:
        try:
            value = read_value(q, item, text)
        except SubmissionInvalid:
            return "unreadable"
        answers.pop(item.id, None)
        if value is not None:
            answers[item.id] = value
    return [i for i in validate_response(q, answers) if i.item == item.id]
