"""OpenRosa use cases: the device's survey, the served form, and submission intake.

Intake follows what ODK Central does and clients rely on (docs/collection.md):

- deduplication on ``meta/instanceID``: byte-identical XML is a success (201) that adds any
  attachments not stored yet (how retries and split uploads complete); the same id with other
  bytes is 409; an unknown form id or version is 404;
- ``meta/deprecatedID`` is an edit of that instance: it becomes a new version of the same
  submission (the store keeps every version); editing an instance that was already edited is
  409;
- a new instance goes through the JSON API's own intake (:func:`api.submissions.service.
  submit_one`): the same validation, quality flags and store, so an interview is exported and
  scored the same whichever way it arrived.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from api.auth import service as auth
from api.auth.schemas import Principal, Role
from api.auth.service import Action
from api.db.engine import Database
from api.openrosa import repository
from api.openrosa.models import MAX_FILE_NAME
from api.openrosa.records import Instance, Upload
from api.problems import Conflict, Forbidden, Unauthorized, Unprocessable
from api.questionnaires import catalog
from api.settings import Settings
from api.storable_text import text_problem
from api.submissions import intake
from api.submissions import service as submissions
from api.submissions.schemas import EditIn, Location, Paradata, SubmissionIn
from api.surveys.service import get_survey
from api.unit_of_work import UnitOfWork
from survey.errors import NotFound, Problem
from survey.forms.xform import ParsedSubmission, SubmissionInvalid, parse_submission, to_xform
from survey.questionnaire.schema import Questionnaire

_XFORM_KEY = "openrosa_xform"
MAX_INSTANCE_ID = 100  # the width of openrosa_instances.instance_id


@dataclass(frozen=True, slots=True)
class Device:
    principal: Principal
    survey_id: int
    q: Questionnaire


@dataclass(frozen=True, slots=True)
class ServedForm:
    form_id: str
    name: str
    version: str
    xml: bytes

    @property
    def md5(self) -> str:
        return "md5:" + hashlib.md5(self.xml).hexdigest()


@dataclass(frozen=True, slots=True)
class Received:
    message: str
    created: bool


def device(session: Session, token: str, project: str, db: Database | None = None) -> Device:
    """The app user (token in the URL path) and the survey (``project``) it collects for;
    with ``db``, the token's use is recorded (``last_used_at``)."""
    try:
        principal = auth.authenticate(session, f"Bearer {token}")
    except Unauthorized:
        # 403, not 401: Collect answers 401 by asking for a password, which cannot help here.
        raise Forbidden(
            "the token in this server URL is unknown or revoked; ask your supervisor for a "
            "new QR code (papi collect-qr)",
            code="token_invalid",
        ) from None
    if not (project.isascii() and project.isdigit() and int(project) < 2**31):
        raise NotFound(f"project {project!r} does not exist; projects are survey ids")
    if db is not None:
        auth.touch(db, principal)
    survey = get_survey(session, int(project))
    auth.authorize(principal, Action.submit, survey.out.id)
    return Device(principal, survey.out.id, catalog.get(session, survey.questionnaire_pk))


def served_form(q: Questionnaire) -> ServedForm:
    """The XForm of the questionnaire (generated once per questionnaire, same bytes every
    time, so its md5 in formList is stable)."""
    cached = q.cached(_XFORM_KEY)
    if isinstance(cached, ServedForm):
        return cached
    form = ServedForm(q.id, q.title.vi, q.version, to_xform(q).encode("utf-8"))
    q.store(_XFORM_KEY, form)
    return form


def form_for(dev: Device, form_id: str) -> ServedForm:
    form = served_form(dev.q)
    if form_id != form.form_id:
        raise NotFound(f"form {form_id!r} is not in this project; it serves {form.form_id!r}")
    return form


def _submission_uuid(instance_id: str) -> str:
    raw = instance_id.removeprefix("uuid:")
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"openrosa:{instance_id}"))


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


M = TypeVar("M", bound=BaseModel)


def _model(model: type[M], where: str, **values: Any) -> M:
    """``model(**values)``; a value the model refuses (too long, say) is a 422 naming the
    instance XML element it came from, not a server error."""
    try:
        return model(**values)
    except ValidationError as exc:
        problems = tuple(
            Problem(f"/{where}/{'/'.join(map(str, e['loc']))}", e["type"], e["msg"])
            for e in exc.errors(include_url=False)
        )
        details = "; ".join(f"{p.pointer}: {p.message}" for p in problems)
        raise Unprocessable(
            f"the submission's {where} is not acceptable ({details})",
            code=f"{where}_invalid",
            problems=problems,
        ) from None


def _location(q: Questionnaire, answers: dict[str, Any]) -> Location:
    code = answers.get("province_code", answers.get("province"))
    if isinstance(code, int) and code > 0:
        province = f"P{code:02d}"
    elif isinstance(code, str) and code:
        province = code
    else:
        raise Unprocessable(
            f"form {q.id!r}: the submission has no province (item province_code); a PAPI form "
            "records where the interview took place",
            code="location_missing",
        )
    parts = {k: answers.get(k) for k in ("district", "commune", "village")}
    values = {k: v for k, v in parts.items() if isinstance(v, str)}
    return _model(Location, "location", province=province, **values)


def _paradata(dev: Device, parsed: ParsedSubmission, device_id: str | None) -> Paradata:
    return _model(
        Paradata,
        "paradata",
        enumerator=dev.principal.name,
        device=device_id or parsed.meta.get("deviceid"),
        start=_when(parsed.meta.get("start")),
        end=_when(parsed.meta.get("end")),
    )


def parse(dev: Device, xml: bytes) -> ParsedSubmission:
    try:
        parsed = parse_submission(dev.q, xml)
    except SubmissionInvalid as exc:
        raise Unprocessable(exc.message, code=exc.code) from None
    except (LookupError, ValueError) as exc:  # expat: an unknown or unsupported encoding
        raise Unprocessable(
            f"the submission is not readable XML: {exc}", code="submission_invalid"
        ) from None
    if parsed.form_id != dev.q.id:
        raise NotFound(f"form {parsed.form_id!r} is not in this project ({dev.q.id!r} is)")
    if parsed.version != dev.q.version:
        raise NotFound(
            f"form {parsed.form_id!r} version {parsed.version!r} is unknown here (the server "
            f"has version {dev.q.version!r}); download the current form and fill it again",
            code="form_version_unknown",
        )
    if not parsed.instance_id:
        raise Unprocessable(
            "the submission has no meta/instanceID, so a resend could not be recognised; "
            "every ODK form engine writes one",
            code="instance_id_missing",
        )
    for element, value in (
        ("instanceID", parsed.instance_id),
        ("deprecatedID", parsed.deprecated_id),
    ):
        if value is not None and len(value) > MAX_INSTANCE_ID:
            raise Unprocessable(
                f"meta/{element} is {len(value):,} characters long; at most {MAX_INSTANCE_ID} "
                "are kept (ODK writes uuid: and 36 characters)",
                code="instance_id_invalid",
            )
    return parsed


def check_file_names(uploads: list[Upload]) -> None:
    """422 (before anything is stored) for a file name the store cannot keep: longer than
    ``MAX_FILE_NAME`` characters, or holding U+0000 or a lone surrogate. The same on both
    databases (SQLite would keep any name; PostgreSQL's column would fail as a 500)."""
    for up in uploads:
        problem = text_problem(up.name)
        if problem is None and len(up.name) <= MAX_FILE_NAME:
            continue
        why = problem or f"is {len(up.name):,} characters long; at most {MAX_FILE_NAME} are kept"
        shown = up.name[:40].encode("utf-8", "backslashreplace").decode("utf-8")
        raise Unprocessable(
            f"the file name {shown!r}… {why}; rename the file on the device (ODK Collect "
            "names its files by a number) and send the form again",
            code="file_name_invalid",
        )


def submit(
    uow: UnitOfWork,
    settings: Settings,
    dev: Device,
    xml: bytes,
    uploads: list[Upload],
    device_id: str | None = None,
) -> Received:
    check_file_names(uploads)
    parsed = parse(dev, xml)
    instance_id = parsed.instance_id or ""
    session = uow.write
    repository.lock_instance(session, dev.survey_id, instance_id)
    now = intake.utcnow()
    existing = repository.get_instance(session, dev.survey_id, instance_id)
    if existing is not None:
        if existing.xml_sha256 != hashlib.sha256(xml).hexdigest():
            raise Conflict(
                f"instance {instance_id} was already received with different content; an edit "
                "must carry a new instanceID and the old one as deprecatedID",
                code="instance_conflict",
            )
        _may_add_files(dev.principal, existing)
        added = repository.add_attachments(session, existing.pk, uploads, now)
        return Received(f"full submission already received; {len(added)} new file(s) added", False)
    answers = parsed.answers
    location = _location(dev.q, answers)
    paradata = _paradata(dev, parsed, device_id)
    if parsed.deprecated_id:
        submission_id = _edit(uow, settings, dev, parsed, location, paradata)
        message = f"edit received: {parsed.deprecated_id} replaced by {instance_id}"
    else:
        sub = SubmissionIn(
            submission_id=uuid.UUID(_submission_uuid(instance_id)),
            location=location,
            answers=answers,
            paradata=paradata,
        )
        out, _created = submissions.submit_one(uow, settings, dev.survey_id, dev.principal, sub)
        submission_id = str(out.submission_id)
        message = "full submission received"
    pk = repository.insert_instance(
        session,
        survey_id=dev.survey_id,
        instance_id=instance_id,
        submission_id=submission_id,
        deprecated_id=parsed.deprecated_id,
        form_version=parsed.version or "",
        xml=xml,
        submitted_by=dev.principal.name,
        now=now,
        submitted_by_token_id=dev.principal.token_id,
    )
    repository.add_attachments(session, pk, uploads, now)
    return Received(message, True)


def _may_add_files(principal: Principal, existing: Instance) -> None:
    """Only the app user that sent an instance adds files to it by resending it (an
    enumerator re-posting another's byte-identical XML gets 403); an admin may."""
    if principal.role is Role.enumerator and not submissions.is_own(
        principal, existing.submitted_by_token_id
    ):
        raise Forbidden(
            f"instance {existing.instance_id} was sent by another app user; only they can "
            "add files to it",
            code="instance_not_own",
        )


def _edit(
    uow: UnitOfWork,
    settings: Settings,
    dev: Device,
    parsed: ParsedSubmission,
    location: Location,
    paradata: Paradata,
) -> str:
    old_id = parsed.deprecated_id or ""
    old = repository.get_instance(uow.write, dev.survey_id, old_id)
    if old is None:
        raise NotFound(
            f"the instance this edit replaces ({old_id}) was never received here",
            code="deprecated_unknown",
        )
    if old.superseded_by is not None:
        raise Conflict(
            f"instance {old_id} was already replaced by {old.superseded_by}; edit the current "
            "version",
            code="edit_conflict",
        )
    current = submissions.get_one(uow.write, dev.survey_id, old.submission_id, dev.principal)
    removed: dict[str, Any] = dict.fromkeys(current.body.get("answers", {}))
    spec = EditIn(
        answers=removed | parsed.answers,
        location=location,
        paradata=paradata,
        comment=f"ODK edit: {old_id} → {parsed.instance_id}",
    )
    submissions.edit(uow, settings, dev.survey_id, old.submission_id, dev.principal, spec)
    repository.supersede(uow.write, old.pk, parsed.instance_id or "")
    return old.submission_id
