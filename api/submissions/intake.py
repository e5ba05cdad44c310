"""Exactly-once intake of submissions (single and batch share this path).

1. ``prepare`` (no database): schema check, canonical content hash, response validation
   (malformed → 422 with every error located by a JSON pointer), arrival flags.
2. ``store`` (one write transaction): the duplicate-respondent check, one
   ``INSERT ... ON CONFLICT DO NOTHING`` for every new key, then the rows that were not
   inserted are compared with what is stored: the same canonical content (or the content of
   any earlier version, for a device resending after a supervisor's edit) is a replay (200),
   anything else a conflict (409). If the bulk insert hits a database error, every row is
   retried in its own SAVEPOINT so one bad row never takes the others down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.canonical import digest, normalise_flat, normalise_float, sealed
from api.problems import problems_as_dicts
from api.settings import Settings
from api.submissions import limits, quality, repository
from api.submissions.records import Stored
from api.submissions.schemas import Outcome, SubmissionIn
from survey.questionnaire.schema import Questionnaire
from survey.validation.response import verdict


@dataclass(slots=True)
class IncomingSubmission:
    """One submission on its way in, and what became of it."""

    index: int
    submission_id: str | None
    outcome: Outcome | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    content_hash: str = ""
    row: dict[str, Any] = field(default_factory=dict)
    stored: Stored | None = None

    @property
    def http_status(self) -> int:
        return {
            Outcome.created: 201,
            Outcome.replayed: 200,
            Outcome.conflict: 409,
            Outcome.invalid: 422,
        }[self.outcome or Outcome.invalid]


def _pointer(prefix: str, loc: tuple[int | str, ...]) -> str:
    return prefix + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def canonical_body(sub: SubmissionIn) -> dict[str, Any]:
    """What is stored and hashed. After validation only an answer can be a number of either
    type (45 or 45.0); location and paradata have fixed types, so only answers are
    normalised."""
    body = sub.model_dump(mode="json", exclude={"submission_id"})
    body["answers"] = normalise_flat(body["answers"])
    return body


def _plain_answers(answers: dict[Any, Any]) -> dict[str, Any] | None:
    """The answers normalised (``normalise_flat``) when every key is a string and every
    value is a plain answer (an int, a finite float, a string, null or a list of ints): only
    the small envelope then needs pydantic (answers pass through it unchanged anyway; what
    an answer may be is response validation's rule). ``None`` otherwise. Without a float the mapping itself is
    returned (nothing to normalise; it is not modified afterwards)."""
    floats: list[str] = []
    for k, v in answers.items():
        t = type(v)
        if type(k) is not str:
            return None
        if t is int or t is str or v is None:
            continue
        if t is float:
            if not math.isfinite(v):
                return None
            floats.append(k)
            continue
        if t is list and all(type(c) is int for c in v):
            continue
        return None
    if not floats:
        return answers
    out = dict(answers)
    for k in floats:
        out[k] = normalise_float(out[k])
    return out


def _validate(raw: Any) -> tuple[SubmissionIn, dict[str, Any] | None]:
    """The submission and, on the fast path, its normalised answers. Answers of plain JSON
    types skip pydantic (``_plain_answers``); anything else, and any error, goes through
    the whole model so that every error is reported with its pointer. Raises
    ``ValidationError``."""
    answers = raw.get("answers") if type(raw) is dict else None
    if type(answers) is dict:
        plain = _plain_answers(answers)
        if plain is not None:
            try:
                return SubmissionIn.model_validate({**raw, "answers": {}}), plain
            except ValidationError:
                pass
    return SubmissionIn.model_validate(raw), None


def _body(sub: SubmissionIn, answers: dict[str, Any] | None) -> dict[str, Any]:
    if answers is None:
        return canonical_body(sub)
    body = sub.model_dump(mode="json", exclude={"submission_id", "answers"})
    body["answers"] = answers
    return body


def content_digest(sub: SubmissionIn) -> str:
    """The content hash the store compares for deduplication."""
    return digest(canonical_body(sub))


def prepare(
    q: Questionnaire,
    settings: Settings,
    survey_id: int,
    submitted_by: str,
    raw: Any,
    index: int,
    now: datetime,
    submitted_by_token: int | None = None,
) -> IncomingSubmission:
    answers: dict[str, Any] | None = None
    if isinstance(raw, SubmissionIn):
        sub = raw
        too_long = limits.long_texts(q, sub.answers)
        if too_long:
            return IncomingSubmission(
                index, str(sub.submission_id), Outcome.invalid, limits.capped(too_long)
            )
    else:
        sid = raw.get("submission_id") if isinstance(raw, dict) else None
        sid = str(sid) if sid is not None else None
        screened = limits.screen(q, raw)
        if screened:
            return IncomingSubmission(index, sid, Outcome.invalid, limits.capped(screened))
        try:
            sub, answers = _validate(raw)
        except ValidationError as exc:
            errors = [
                {"pointer": _pointer("", err["loc"]), "code": err["type"], "message": err["msg"]}
                for err in exc.errors()
            ]
            raw_answers = raw.get("answers") if isinstance(raw, dict) else None
            if isinstance(raw_answers, dict):  # the answers' own problems, reported too
                rejected = verdict(q, raw_answers).rejected
                errors += problems_as_dicts([i.as_problem() for i in rejected])
            return IncomingSubmission(
                index, str(sid) if sid is not None else None, Outcome.invalid, limits.capped(errors)
            )
    item = IncomingSubmission(index, str(sub.submission_id))
    # reject or flag: survey.validation.answer_rules.severity, the rule survey.validation.response.verdict applies (which reads
    # 45.0 as 45, as the canonical body does); judged before the body is serialised, so an
    # answer of any JSON shape is refused with its pointer
    judged = verdict(q, sub.answers if answers is None else answers)
    if not judged.accepted:
        item.outcome = Outcome.invalid
        item.errors = limits.capped(problems_as_dicts([i.as_problem() for i in judged.rejected]))
        return item
    soft = [i.as_dict() for i in judged.flagged]
    body, item.content_hash = sealed(_body(sub, answers))
    answers = body["answers"]  # integral floats normalised: 45.0 is the integer 45
    prof = quality.profile(q)
    duration = None
    if sub.paradata.start is not None and sub.paradata.end is not None:
        duration = (_aware(sub.paradata.end) - _aware(sub.paradata.start)).total_seconds()
    flags = quality.arrival_flags(
        prof,
        answers,
        duration,
        settings.min_interview_seconds,
        settings.straightline_min_items,
        soft,
    )
    loc = sub.location
    flags += quality.location_flags(prof, loc.model_dump(), answers)
    item.row = {
        "survey_id": survey_id,
        "submission_id": item.submission_id,
        "content_hash": item.content_hash,
        "submitted_by": submitted_by,
        "submitted_by_token_id": submitted_by_token,
        "province": loc.province,
        "district": loc.district,
        "commune": loc.commune,
        "village": loc.village,
        "respondent_key": quality.respondent_key(prof, loc.village, answers),
        "duration_seconds": duration,
        "body": body,
        "flags": flags,
        "version": 1,
        "received_at": now,
        "updated_at": now,
    }
    return item


def _aware(t: datetime) -> datetime:
    """A time without an offset is taken as UTC (a device clock without a zone)."""
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def finish_row(row: dict[str, Any]) -> None:
    flags = row["flags"]
    row["status"] = "has_issues" if flags else "received"
    row["flag_codes"] = "," + ",".join(sorted({f["code"] for f in flags})) + "," if flags else ""


def store(session: Session, survey_id: int, items: list[IncomingSubmission]) -> None:
    """Store every prepared item; sets ``outcome`` (and ``stored`` for replays)."""
    pending = [i for i in items if i.outcome is None]
    first: dict[str, IncomingSubmission] = {}
    for it in pending:
        first.setdefault(it.submission_id or "", it)
    _flag_duplicate_respondents(session, survey_id, list(first.values()))
    rows = [it.row for it in first.values()]
    for row in rows:
        finish_row(row)
    inserted = _insert(session, rows, first)
    others = [sid for sid in first if sid not in inserted]
    existing = repository.by_ids(session, survey_id, others) if others else {}
    for it in pending:
        sid = it.submission_id or ""
        if first[sid] is it and sid in inserted:
            it.outcome = Outcome.created
            continue
        if it.outcome is Outcome.invalid:
            continue
        stored = existing.get(sid)
        if stored is None:  # an earlier item of this same batch holds the id
            same = first[sid].content_hash == it.content_hash and sid in inserted
            it.outcome = Outcome.replayed if same else Outcome.conflict
            it.row = first[sid].row
            continue
        it.stored = stored
        same = stored.content_hash == it.content_hash or repository.had_hash(
            session, stored.pk, it.content_hash
        )
        it.outcome = Outcome.replayed if same else Outcome.conflict


def _insert(
    session: Session, rows: list[dict[str, Any]], first: dict[str, IncomingSubmission]
) -> set[str]:
    try:
        with session.begin_nested():
            return repository.insert_new(session, rows)
    except DBAPIError:
        pass
    inserted: set[str] = set()
    for row in rows:
        try:
            with session.begin_nested():
                inserted |= repository.insert_new(session, [row])
        except DBAPIError as exc:
            it = first[row["submission_id"]]
            it.outcome = Outcome.invalid
            it.errors = [
                {
                    "pointer": "",
                    "code": "storage_rejected",
                    "message": f"the database refused this submission: {type(exc.orig).__name__}",
                }
            ]
    return inserted


def _flag_duplicate_respondents(
    session: Session, survey_id: int, items: list[IncomingSubmission]
) -> None:
    keys = [it.row["respondent_key"] for it in items if it.row.get("respondent_key")]
    if not keys:
        return
    seen = repository.respondents_seen(session, survey_id, keys)
    for it in items:
        key = it.row.get("respondent_key")
        if not key:
            continue
        other = seen.get(key)
        if other is not None and other != it.submission_id:
            it.row["flags"] = [*it.row["flags"], quality.duplicate_flag(other)]
        seen.setdefault(key, it.submission_id or "")


def utcnow() -> datetime:
    return datetime.now(UTC)
