"""Questionnaire → XLSForm → ODK XForm (through pyxform), ODK Validate, and submission XML →
answers.

- :func:`to_xform` writes the questionnaire as an XLSForm (:mod:`survey.forms.xlsform`) and lets
  pyxform (the reference XLSForm converter, https://github.com/XLSForm/pyxform) turn it into
  the XForm that ODK Collect, Enketo and ODK Web Forms load. With ``validate=True`` the result
  goes through ODK Validate, the JavaRosa-based checker pyxform ships, run with the machine's
  Java. The bytes are deterministic, so the md5 a server publishes in ``formList`` is stable.
- :func:`parse_submission` reads an OpenRosa submission (the instance XML a client posts)
  back into the answer dict of docs/questionnaire-format.md, so that a form filled in ODK
  lands in the same validation as a JSON submission. A date that allows special answers is
  two questions in the form (the special answers, then the date widget,
  :func:`survey.forms.xlsform.special_question`); a chosen special answer is the item's answer. Engines differ in small ways (the
  namespace of ``meta``, ``...Z`` vs ``+00:00`` timestamps, empty groups); we read by local
  element name and keep timestamps as sent.
"""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey.errors import PapiError, QuestionnaireError
from survey.extras import require
from survey.forms.xlsform import special_question, write_xlsform
from survey.questionnaire.schema import Item, Questionnaire

META_FIELDS = ("instanceID", "deprecatedID", "instanceName")
TIMING_FIELDS = ("start", "end")


class SubmissionInvalid(PapiError):
    """An OpenRosa submission cannot be read (not XML, no form id, wrong value type)."""

    @classmethod
    def default_code(cls) -> str:
        return "submission_invalid"


def xlsform_to_xform(xlsform: bytes | str | Path, *, validate: bool = False) -> str:
    """Convert an XLSForm (bytes or path) to XForm XML with pyxform; ``validate`` runs ODK
    Validate. pyxform's own errors (which name the row) become a QuestionnaireError."""
    require("XLSForm support", "odk", "pyxform")
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    source = xlsform if isinstance(xlsform, bytes) else str(xlsform)
    try:
        result = convert(source, validate=validate, warnings=[])
    except PyXFormError as exc:
        raise QuestionnaireError(message=f"pyxform: {exc}", code="xlsform_invalid") from None
    except Exception as exc:
        if type(exc).__name__ == "ODKValidateError":
            raise QuestionnaireError(message=str(exc), code="xform_invalid") from None
        raise
    return str(result.xform)


def to_xform(q: Questionnaire, *, validate: bool = False) -> str:
    """The questionnaire as an ODK XForm (via XLSForm and pyxform)."""
    return xlsform_to_xform(write_xlsform(q), validate=validate)


def validate_xform(xform: str | bytes) -> list[str]:
    """Run ODK Validate (JavaRosa) on an XForm; returns its warnings, raises
    QuestionnaireError (code ``xform_invalid``) when the form does not load."""
    require("XLSForm support", "odk", "pyxform")
    from pyxform.validators.odk_validate import ODKValidateError, check_xform

    data = xform.encode("utf-8") if isinstance(xform, str) else xform
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.xml"
        path.write_bytes(data)
        try:
            return list(check_xform(str(path)))
        except ODKValidateError as exc:
            raise QuestionnaireError(message=str(exc), code="xform_invalid") from None


@dataclass(frozen=True)
class ParsedSubmission:
    """An OpenRosa instance, read: form id/version, meta and the answers."""

    form_id: str
    version: str | None
    instance_id: str | None
    deprecated_id: str | None
    answers: dict[str, Any]
    meta: dict[str, str] = field(default_factory=dict)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_value(q: Questionnaire, it: Item, raw: str) -> Any:
    """The answer an instance element's text gives item ``it`` (``None``: no answer). The
    text of a text item (and of a date typed as text) is kept as entered, spaces included,
    as a JSON client would send it; other types are read with surrounding space removed.
    An allowed special code entered as text is that special answer. Raises
    :class:`SubmissionInvalid` for a number or code that does not read as one."""
    if it.type not in ("text", "date"):
        raw = raw.strip()
    if not raw:
        return None
    return _value(q, it, raw)


def _value(q: Questionnaire, it: Item, text: str) -> Any:
    special = set(q.allowed_special(it).values())
    try:
        if it.type == "multiple_choice":
            codes = [int(c) for c in text.split()]
            return codes[0] if len(codes) == 1 and codes[0] in special else codes
        if it.type in ("single_choice", "yes_no", "rating", "integer"):
            return int(text)
        if it.type == "decimal":
            number = float(text)
            return int(number) if number.is_integer() and int(number) in special else number
    except ValueError:
        raise SubmissionInvalid(
            message=f"item {it.id!r}: value {text!r} is not a {it.type} answer; expected "
            f"{'space-separated integer codes' if it.type == 'multiple_choice' else 'a number'}",
        ) from None
    if text.lstrip("-").isdigit() and int(text) in special:
        return int(text)
    return text


def parse_submission(q: Questionnaire | None, xml: bytes) -> ParsedSubmission:
    """Read an instance XML; with ``q``, the values of its items become typed answers."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise SubmissionInvalid(message=f"the submission is not well-formed XML: {exc}") from None
    form_id = root.get("id")
    if not form_id:
        raise SubmissionInvalid(
            message="the submission's root element has no id attribute (the form id); "
            "a form engine always writes it"
        )
    meta: dict[str, str] = {}
    values: dict[str, str] = {}
    parents = {child: _local(parent.tag) for parent in root.iter() for child in parent}
    for el in root.iter():
        if el is root or len(el):
            continue
        name = _local(el.tag)
        raw = el.text or ""
        if parents.get(el) == "meta" or name in TIMING_FIELDS:
            if raw.strip():
                meta[name] = raw.strip()
            continue
        if raw:
            values[name] = raw
    answers: dict[str, Any] = {}
    if q is not None:
        for it in q.items:
            companion = special_question(it)
            found = values.get(companion) if companion else None
            if found is None or not found.strip():  # no special answer chosen: the value
                found = values.get(it.id)
            if found is not None:
                value = read_value(q, it, found)
                if value is not None:
                    answers[it.id] = value
    else:
        answers = {k: v.strip() for k, v in values.items() if v.strip()}
    return ParsedSubmission(
        form_id=form_id,
        version=root.get("version"),
        instance_id=meta.get("instanceID"),
        deprecated_id=meta.get("deprecatedID"),
        answers=answers,
        meta=meta,
    )
