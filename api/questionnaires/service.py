"""Uploading questionnaires: parse YAML or JSON, validate, store immutably."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import yaml
from sqlalchemy.orm import Session

from api.auth.schemas import Principal
from api.auth.service import Action, authorize
from api.canonical import content_hash, normalise
from api.problems import Conflict, Unprocessable, UnsupportedMediaType
from api.questionnaires import catalog, repository
from api.questionnaires.repository import QuestionnaireRecord
from api.questionnaires.schemas import QuestionnaireOut
from api.storable_text import unstorable_in
from survey.errors import NotFound, Problem

MAX_DEPTH = 64  # a questionnaire nests about 6 levels deep
MAX_NODES = 1_000_000  # papi-2021 has about 5,000 values; YAML aliases can multiply them
JSON_TYPES = {"application/json"}
YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}


def parse_upload(body: bytes, media_type: str) -> dict[str, Any]:
    """Decode a YAML or JSON upload into a mapping (415 for other media types)."""
    if media_type not in JSON_TYPES | YAML_TYPES and not media_type.endswith("+json"):
        raise UnsupportedMediaType(
            f"Content-Type {media_type or '(none)'!r} is not accepted; "
            "send application/json or application/yaml",
            code="unsupported_media_type",
        )
    kind = "YAML" if media_type in YAML_TYPES else "JSON"
    try:
        text = body.decode("utf-8")
        doc = json.loads(text) if media_type not in YAML_TYPES else yaml.safe_load(text)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise Unprocessable(
            f"the body is not valid {kind}: {exc}", code="body_unparseable"
        ) from None
    except RecursionError:
        raise Unprocessable(
            f"the {kind} body nests deeper than {MAX_DEPTH} levels", code="body_too_deep"
        ) from None
    _check_shape(doc)
    if not isinstance(doc, dict):
        raise Unprocessable(
            "a questionnaire must be a mapping with id, version, items, ...",
            code="questionnaire_invalid",
            problems=(Problem("", "type", "expected an object at the top level"),),
        )
    return doc


def _check_shape(doc: object) -> None:
    """422 for a document nested deeper than ``MAX_DEPTH``, with more than ``MAX_NODES``
    values (a YAML alias bomb) or with text no database column takes (U+0000, a lone
    surrogate); iterative, and stops at the first problem."""
    stack: list[tuple[object, int]] = [(doc, 0)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise Unprocessable(
                f"the document nests deeper than {MAX_DEPTH} levels", code="body_too_deep"
            )
        if nodes > MAX_NODES:
            raise Unprocessable(
                f"the document has more than {MAX_NODES:,} values (YAML aliases expanded)",
                code="body_too_large",
            )
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    bad = unstorable_in(doc)
    if bad is not None:
        pointer, code, message = bad
        raise Unprocessable(
            f"the document has {message}",
            code="questionnaire_invalid",
            problems=(Problem(pointer, code, message),),
        )


def register(
    session: Session, document: dict[str, Any], created_by: str
) -> tuple[QuestionnaireRecord, bool]:
    """Store ``document`` as a published version; True when new, False for an identical
    re-upload; 409 when the same id and version exist with different content."""
    q = catalog.build(document)
    canonical = normalise(catalog.to_document(q))
    digest = content_hash(canonical)
    created = repository.insert_if_absent(
        session, q.id, q.version, q.year, canonical, digest, datetime.now(UTC), created_by
    )
    record = repository.by_key(session, q.id, q.version)
    assert record is not None
    if record.content_hash != digest:
        raise Conflict(
            f"questionnaire {q.id} version {q.version} is already published with different "
            "content; a published version is immutable: upload it under a new version",
            code="questionnaire_version_exists",
        )
    return record, created


def accept_upload(body: bytes, media_type: str, caller: Principal) -> dict[str, Any]:
    """An upload by ``caller`` (an admin: 403 otherwise), parsed (``parse_upload``) before
    any database work, so a bad document never waits for SQLite's writer lock; then
    ``register`` stores it."""
    authorize(caller, Action.manage)
    return parse_upload(body, media_type)


def questionnaire_out(record: QuestionnaireRecord) -> QuestionnaireOut:
    """The API's view of a published version."""
    return QuestionnaireOut(
        id=record.id,
        version=record.version,
        year=record.year,
        content_hash=record.content_hash,
        items=record.items,
        created_at=record.created_at,
        created_by=record.created_by,
    )


def list_all(session: Session) -> list[QuestionnaireOut]:
    """Every published questionnaire version."""
    return [questionnaire_out(r) for r in repository.list_all(session)]


def document(session: Session, qid: str, version: str | None) -> dict[str, Any]:
    """The stored document of one questionnaire version (404 when not registered)."""
    record = get(session, qid, version)
    return dict(repository.document(session, record.pk) or {})


def resolve(
    session: Session, qid: str, version: str | None, created_by: str
) -> QuestionnaireRecord:
    """The stored questionnaire ``qid`` (newest version unless given); a bundled one
    (``papi-2021``, ...) is registered on first use."""
    record = repository.by_key(session, qid, version)
    if record is not None:
        return record
    document = catalog.bundled_document(qid)
    if document is None or (version is not None and document.get("version") != version):
        raise NotFound(
            f"questionnaire {qid!r}{f' version {version!r}' if version else ''} is not "
            "registered; upload it with POST /api/v1/questionnaires first",
        )
    record, _ = register(session, document, created_by)
    return record


def get(session: Session, qid: str, version: str | None) -> QuestionnaireRecord:
    record = repository.by_key(session, qid, version)
    if record is None:
        raise NotFound(f"questionnaire {qid!r} version {version!r} is not registered")
    return record
