"""Submission use cases: intake, reading (enumerators see their own), review, edits."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.auth.schemas import Principal, Role
from api.auth.service import Action, authorize
from api.canonical import content_hash, normalise
from api.problems import Conflict, Forbidden, Unprocessable
from api.process_cache import ProcessCache
from api.questionnaires import catalog
from api.settings import Settings
from api.submissions import intake, repository
from api.submissions.intake import IncomingSubmission
from api.submissions.records import Filters, Stored
from api.submissions.schemas import (
    EditIn,
    EventOut,
    History,
    Outcome,
    ReviewIn,
    SubmissionIn,
    SubmissionOut,
    SubmissionPage,
    VersionOut,
    cursor_value,
    encode_cursor,
)
from api.surveys.service import get_survey
from api.unit_of_work import UnitOfWork
from survey.errors import NotFound, Problem
from survey.questionnaire.schema import Questionnaire


def _record(s: Stored) -> dict[str, Any]:
    """The stored record's own fields (the body's location, answers, ... go beside them)."""
    return {
        "submission_id": s.submission_id,
        "survey_id": s.survey_id,
        "status": s.status,
        "flags": s.flags,
        "version": s.version,
        "submitted_by": s.submitted_by,
        "received_at": s.received_at,
        "updated_at": s.updated_at,
        "content_hash": s.content_hash,
    }


def to_out(s: Stored) -> SubmissionOut:
    return SubmissionOut.model_validate({**_record(s), **s.body})


def record_json(s: Stored) -> bytes:
    """``to_out(s)`` serialised, without validating the stored record again (the hot path
    of collection): the body was dumped by the same models, times are ISO 8601 with ``Z``
    for UTC as pydantic writes them. A test compares the two."""
    return orjson.dumps({**_record(s), "design": None, **s.body}, option=orjson.OPT_UTC_Z)


def _from_row(row: dict[str, Any]) -> Stored:
    return Stored(
        pk=0,
        survey_id=row["survey_id"],
        submission_id=row["submission_id"],
        content_hash=row["content_hash"],
        submitted_by=row["submitted_by"],
        submitted_by_token_id=row.get("submitted_by_token_id"),
        status=row["status"],
        flags=row["flags"],
        version=row["version"],
        received_at=row["received_at"],
        updated_at=row["updated_at"],
        body=row["body"],
    )


def _intake(
    uow: UnitOfWork,
    settings: Settings,
    survey_id: int,
    caller: Principal,
    raws: Sequence[Any],
) -> list[IncomingSubmission]:
    q = _survey_questionnaire(uow, survey_id, caller)
    now = intake.utcnow()
    items = [
        intake.prepare(q, settings, survey_id, caller.name, raw, i, now, caller.token_id)
        for i, raw in enumerate(raws)
    ]
    if any(it.outcome is None for it in items):
        # SQLite has one writer: a batch joins the shared commit. PostgreSQL writes in
        # parallel, so a batch (already one statement) takes its own transaction.
        group = uow.db.group_commit if uow.db.serial_writes else None
        if group is not None and not uow.writing:
            group.run(lambda session: intake.store(session, survey_id, items))
        else:
            intake.store(uow.write, survey_id, items)
    return items


def submit_one(
    uow: UnitOfWork, settings: Settings, survey_id: int, caller: Principal, sub: SubmissionIn | Any
) -> tuple[Stored, bool]:
    """Store one submission (a ``SubmissionIn`` or the parsed JSON document); (record,
    created). 409 on a conflict, 422 when invalid."""
    return _single_result(_intake(uow, settings, survey_id, caller, [sub])[0])


# (database url, survey id) → the survey's questionnaire; both are immutable once created.
_questionnaires: ProcessCache[tuple[str, int], Questionnaire] = ProcessCache(
    "survey questionnaires"
)


def _survey_questionnaire(uow: UnitOfWork, survey_id: int, caller: Principal) -> Questionnaire:
    survey = get_survey(uow.read, survey_id)
    authorize(caller, Action.submit, survey_id)
    q = catalog.get(uow.read, survey.questionnaire_pk)
    _questionnaires.put((str(uow.db.engine.url), survey_id), q)
    return q


async def submit_one_async(
    uow: UnitOfWork, settings: Settings, survey_id: int, caller: Principal, sub: SubmissionIn | Any
) -> tuple[Stored, bool]:
    """``submit_one`` for the event loop. For a survey already seen, no thread is taken:
    the interview is checked in the loop (pure CPU) and the request awaits the shared
    commit of the group commit (both databases). Otherwise the use case runs in the
    thread pool."""
    group = uow.db.group_commit
    q = _questionnaires.get((str(uow.db.engine.url), survey_id))
    if group is None or q is None:
        return await run_in_threadpool(submit_one, uow, settings, survey_id, caller, sub)
    authorize(caller, Action.submit, survey_id)
    item = intake.prepare(
        q, settings, survey_id, caller.name, sub, 0, intake.utcnow(), caller.token_id
    )
    if item.outcome is None:
        key = ("intake", survey_id)
        await asyncio.wrap_future(group.submit_merged(key, _store_merged(survey_id), item))
    return _single_result(item)


def _store_merged(survey_id: int) -> Callable[[Session, list[IncomingSubmission]], None]:
    """Single submissions of one commit stored as one batch (same outcomes as one by one:
    a later duplicate of an id in the group is a replay or a conflict of the first)."""

    def store(session: Session, items: list[IncomingSubmission]) -> None:
        intake.store(session, survey_id, items)

    return store


def _single_result(item: IncomingSubmission) -> tuple[Stored, bool]:
    if item.outcome is Outcome.invalid:
        problems = [Problem(e["pointer"], e["code"], e["message"]) for e in item.errors]
        raise Unprocessable(
            f"submission {item.submission_id} has {len(problems)} error(s); nothing was stored",
            code="response_invalid",
            problems=tuple(problems),
        )
    if item.outcome is Outcome.conflict:
        raise _conflict(item.submission_id)
    if item.outcome is Outcome.created:
        return _from_row(item.row), True
    if item.stored is None:  # a replay of an interview stored in the same commit
        return _from_row(item.row), False
    return item.stored, False


def _conflict(sid: str | None) -> Conflict:
    return Conflict(
        f"submission {sid} is already stored with different content; a resend must be "
        "identical; send a new submission_id for a new interview, or PATCH to edit",
        code="submission_conflict",
    )


def submit_batch(
    uow: UnitOfWork,
    settings: Settings,
    survey_id: int,
    caller: Principal,
    raws: list[Any],
) -> dict[str, Any]:
    """The batch answer shaped like ``BatchOut`` (the OpenAPI schema), as plain data: it is
    built from values the store already checked, so it is not validated a second time."""
    items = _intake(uow, settings, survey_id, caller, raws)
    results = []
    counts = dict.fromkeys(Outcome, 0)
    for it in items:
        outcome = it.outcome or Outcome.invalid
        counts[outcome] += 1
        stored = outcome in _STORED
        source = it.stored.status if it.stored else it.row.get("status")
        flags = it.stored.flags if it.stored else it.row.get("flags", [])
        results.append(
            {
                "index": it.index,
                "submission_id": it.submission_id,
                "status": it.http_status,
                "outcome": outcome.value,
                "review_status": source if stored else None,
                "flags": flags if stored else [],
                "errors": it.errors,
            }
        )
    return {
        "created": counts[Outcome.created],
        "replayed": counts[Outcome.replayed],
        "conflicts": counts[Outcome.conflict],
        "invalid": counts[Outcome.invalid],
        "results": results,
    }


_STORED = {Outcome.created, Outcome.replayed}


def is_own(caller: Principal, submitted_by_token_id: int | None) -> bool:
    """True when ``caller``'s token sent it: the one rule of "own submissions" (by token id,
    never by name: two tokens may share a name)."""
    return submitted_by_token_id is not None and submitted_by_token_id == caller.token_id


def _visible(caller: Principal, s: Stored) -> None:
    if caller.role is Role.enumerator and not is_own(caller, s.submitted_by_token_id):
        raise Forbidden("an enumerator sees only the submissions it made")


def get_one(session: Session, survey_id: int, submission_id: str, caller: Principal) -> Stored:
    get_survey(session, survey_id)
    authorize(caller, Action.read, survey_id)
    s = repository.get(session, survey_id, submission_id)
    if s is None:
        raise NotFound(f"submission {submission_id} does not exist in survey {survey_id}")
    _visible(caller, s)
    return s


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return cursor_value(cursor)
    except ValueError as exc:
        raise Unprocessable(str(exc), code="cursor_invalid") from None


def list_page(
    session: Session,
    survey_id: int,
    caller: Principal,
    filters: Filters,
    cursor: str | None,
    limit: int,
) -> SubmissionPage:
    get_survey(session, survey_id)
    authorize(caller, Action.read, survey_id)
    if caller.role is Role.enumerator:
        if filters.submitted_by not in (None, caller.name):
            raise Forbidden("an enumerator sees only the submissions it made")
        filters = dataclasses.replace(filters, submitted_by_token_id=caller.token_id)
    rows, next_pk = repository.page(session, survey_id, filters, decode_cursor(cursor), limit)
    return SubmissionPage(
        items=[to_out(r) for r in rows],
        next_cursor=encode_cursor(next_pk) if next_pk is not None else None,
    )


def neighbours(
    session: Session, survey_id: int, caller: Principal, filters: Filters, around: Stored
) -> tuple[str | None, str | None]:
    """The submissions ``list_page`` would list just before and just after ``around`` (which
    need not match the filters itself, e.g. once it has been reviewed)."""
    get_survey(session, survey_id)
    authorize(caller, Action.read, survey_id)
    if caller.role is Role.enumerator:
        filters = dataclasses.replace(filters, submitted_by=caller.name)
    return repository.neighbours(session, survey_id, filters, around.pk)


def review(
    session: Session, survey_id: int, submission_id: str, caller: Principal, spec: ReviewIn
) -> SubmissionOut:
    get_survey(session, survey_id)
    authorize(caller, Action.review, survey_id)
    s = repository.get(session, survey_id, submission_id, lock=True)
    if s is None:
        raise NotFound(f"submission {submission_id} does not exist in survey {survey_id}")
    now = intake.utcnow()
    repository.update_current(session, s.pk, {"status": spec.status.value, "updated_at": now})
    repository.add_event(
        session,
        s.pk,
        now,
        caller.name,
        caller.role.value,
        "review",
        s.version,
        {"from": s.status, "to": spec.status.value, "comment": spec.comment},
    )
    return to_out(repository.get(session, survey_id, submission_id) or s)


def edit(
    uow: UnitOfWork,
    settings: Settings,
    survey_id: int,
    submission_id: str,
    caller: Principal,
    spec: EditIn,
) -> SubmissionOut:
    survey = get_survey(uow.read, survey_id)
    authorize(caller, Action.edit, survey_id)
    q = catalog.get(uow.read, survey.questionnaire_pk)
    session = uow.write
    s = repository.get(session, survey_id, submission_id, lock=True)
    if s is None:
        raise NotFound(f"submission {submission_id} does not exist in survey {survey_id}")
    _visible(caller, s)
    if caller.role is Role.enumerator and s.status == "approved":
        raise Forbidden("an approved submission can only be edited by a supervisor")
    if spec.expected_version is not None and spec.expected_version != s.version:
        raise Conflict(
            f"submission {submission_id} is at version {s.version}, not "
            f"{spec.expected_version}; reload it and edit again",
            code="version_conflict",
        )
    answers = {k: v for k, v in {**s.body["answers"], **spec.answers}.items() if v is not None}
    new = SubmissionIn.model_validate(
        {
            "submission_id": submission_id,
            "location": spec.location or s.body["location"],
            "answers": answers,
            "paradata": spec.paradata or s.body["paradata"],
            "design": spec.design if spec.design is not None else s.body.get("design"),
        }
    )
    item = intake.prepare(q, settings, survey_id, s.submitted_by, new, 0, intake.utcnow())
    if item.outcome is Outcome.invalid:
        raise Unprocessable(
            f"the edited submission has {len(item.errors)} error(s); nothing was changed",
            code="response_invalid",
            problems=tuple(Problem(e["pointer"], e["code"], e["message"]) for e in item.errors),
        )
    now = item.row["updated_at"]
    changes = _diff(s.body, item.row["body"])
    if not changes:
        return to_out(s)
    repository.save_version(session, s, now)
    flags = item.row["flags"]
    intake.finish_row(item.row)
    version = s.version + 1
    repository.update_current(
        session,
        s.pk,
        {
            "body": item.row["body"],
            "content_hash": item.content_hash,
            "flags": flags,
            "flag_codes": item.row["flag_codes"],
            "province": item.row["province"],
            "district": item.row["district"],
            "commune": item.row["commune"],
            "village": item.row["village"],
            "respondent_key": item.row["respondent_key"],
            "duration_seconds": item.row["duration_seconds"],
            "version": version,
            "updated_at": now,
        },
    )
    repository.add_event(
        session,
        s.pk,
        now,
        caller.name,
        caller.role.value,
        "edit",
        version,
        {"changes": changes, "comment": spec.comment},
    )
    stored = repository.get(session, survey_id, submission_id)
    assert stored is not None
    return to_out(stored)


def _diff(old: Any, new: Any, pointer: str = "") -> list[dict[str, Any]]:
    """JSON-pointer level differences between two documents (what an edit changed)."""
    old, new = normalise(old), normalise(new)
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[dict[str, Any]] = []
        for key in sorted(set(old) | set(new)):
            sub = pointer + "/" + str(key).replace("~", "~0").replace("/", "~1")
            out.extend(_diff(old.get(key), new.get(key), sub))
        return out
    if content_hash(old) == content_hash(new):
        return []
    return [{"pointer": pointer, "old": old, "new": new}]


def history(session: Session, survey_id: int, submission_id: str, caller: Principal) -> History:
    s = get_one(session, survey_id, submission_id, caller)
    created = EventOut(
        at=s.received_at,
        actor=s.submitted_by,
        actor_role="submitter",
        action="create",
        version=1,
        detail={"content_hash": repository.first_hash(session, s.pk) or s.content_hash},
    )
    return History(
        submission_id=s.submission_id,  # type: ignore[arg-type]
        current_version=s.version,
        versions=[VersionOut.model_validate(v) for v in repository.versions(session, s.pk)],
        events=[created, *(EventOut.model_validate(e) for e in repository.events(session, s.pk))],
    )


def current_submissions(
    session: Session, survey_id: int, *, filters: Filters, include_rejected: bool
) -> list[Stored]:
    """The current version of every submission of the survey that passes ``filters``, in
    the order stored; rejected ones only when ``include_rejected`` (the export and the
    scoring job's frame)."""
    return repository.all_current(
        session, survey_id, filters, None if include_rejected else "rejected"
    )


def frame_version(session: Session, survey_id: int) -> tuple[int, int, str]:
    """A token that changes whenever the survey's respondent frame may change (a submission
    arrives, is edited or reviewed): the key of the console's frame cache."""
    return repository.frame_version(session, survey_id)
