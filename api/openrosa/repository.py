"""All SQL of the OpenRosa endpoints (instances and their attachments)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from api.openrosa.models import OpenRosaAttachmentRow, OpenRosaInstanceRow
from api.openrosa.records import Instance, InstanceXml, StoredFile, Upload


def lock_instance(session: Session, survey_id: int, instance_id: str) -> None:
    """Serialise concurrent first POSTs of one instance. SQLite write transactions are
    already serial (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"{survey_id}:{instance_id}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def get_instance(session: Session, survey_id: int, instance_id: str) -> Instance | None:
    row = session.scalars(
        select(OpenRosaInstanceRow).where(
            OpenRosaInstanceRow.survey_id == survey_id,
            OpenRosaInstanceRow.instance_id == instance_id,
        )
    ).one_or_none()
    if row is None:
        return None
    return Instance(
        row.id,
        row.instance_id,
        row.submission_id,
        row.xml_sha256,
        row.superseded_by,
        row.submitted_by_token_id,
    )


def insert_instance(
    session: Session,
    *,
    survey_id: int,
    instance_id: str,
    submission_id: str,
    deprecated_id: str | None,
    form_version: str,
    xml: bytes,
    submitted_by: str,
    now: datetime,
    submitted_by_token_id: int | None = None,
) -> int:
    row = OpenRosaInstanceRow(
        survey_id=survey_id,
        instance_id=instance_id,
        submission_id=submission_id,
        deprecated_id=deprecated_id,
        form_version=form_version,
        xml_sha256=hashlib.sha256(xml).hexdigest(),
        xml=xml,
        submitted_by=submitted_by,
        submitted_by_token_id=submitted_by_token_id,
        received_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def supersede(session: Session, pk: int, by_instance_id: str) -> None:
    session.execute(
        update(OpenRosaInstanceRow)
        .where(OpenRosaInstanceRow.id == pk)
        .values(superseded_by=by_instance_id)
    )


def attachment_names(session: Session, instance_pk: int) -> set[str]:
    return set(
        session.scalars(
            select(OpenRosaAttachmentRow.name).where(
                OpenRosaAttachmentRow.instance_pk == instance_pk
            )
        )
    )


def add_attachments(
    session: Session, instance_pk: int, uploads: list[Upload], now: datetime
) -> list[str]:
    """Store the files not stored yet (by name; a resent file is not stored twice)."""
    have = attachment_names(session, instance_pk)
    added = []
    for up in uploads:
        if up.name in have:
            continue
        session.add(
            OpenRosaAttachmentRow(
                instance_pk=instance_pk,
                name=up.name,
                content_type=up.content_type,
                sha256=hashlib.sha256(up.content).hexdigest(),
                size=len(up.content),
                content=up.content,
                received_at=now,
            )
        )
        have.add(up.name)
        added.append(up.name)
    session.flush()
    return added


def attachments(session: Session, survey_id: int, instance_id: str) -> dict[str, bytes]:
    """Every stored file of an instance, by name."""
    rows = session.execute(
        select(OpenRosaAttachmentRow.name, OpenRosaAttachmentRow.content)
        .join(OpenRosaInstanceRow, OpenRosaInstanceRow.id == OpenRosaAttachmentRow.instance_pk)
        .where(
            OpenRosaInstanceRow.survey_id == survey_id,
            OpenRosaInstanceRow.instance_id == instance_id,
        )
    )
    return {name: bytes(content) for name, content in rows}


def instances_of(session: Session, survey_id: int, submission_id: str) -> list[InstanceXml]:
    """Every instance that became (a version of) this submission, newest first."""
    rows = session.execute(
        select(
            OpenRosaInstanceRow.id,
            OpenRosaInstanceRow.instance_id,
            OpenRosaInstanceRow.superseded_by,
            OpenRosaInstanceRow.xml,
        )
        .where(
            OpenRosaInstanceRow.survey_id == survey_id,
            OpenRosaInstanceRow.submission_id == submission_id,
        )
        .order_by(OpenRosaInstanceRow.id.desc())
    )
    return [InstanceXml(pk, iid, sup, bytes(xml)) for pk, iid, sup, xml in rows]


# the columns of a StoredFile, in its field order (the bytes are read separately)
_FILE_COLUMNS = (
    OpenRosaAttachmentRow.id,
    OpenRosaAttachmentRow.instance_pk,
    OpenRosaAttachmentRow.name,
    OpenRosaAttachmentRow.content_type,
    OpenRosaAttachmentRow.sha256,
    OpenRosaAttachmentRow.size,
    OpenRosaAttachmentRow.received_at,
)


def files_of(session: Session, instance_pks: list[int]) -> list[StoredFile]:
    """The attachments of these instances, without their bytes."""
    if not instance_pks:
        return []
    rows = session.execute(
        select(*_FILE_COLUMNS)
        .where(OpenRosaAttachmentRow.instance_pk.in_(instance_pks))
        .order_by(OpenRosaAttachmentRow.id)
    )
    return [StoredFile(*row) for row in rows]


def file_content(session: Session, file_pk: int) -> bytes | None:
    content = session.scalar(
        select(OpenRosaAttachmentRow.content).where(OpenRosaAttachmentRow.id == file_pk)
    )
    return None if content is None else bytes(content)


def survey_instances(session: Session, survey_id: int) -> Iterator[Instance]:
    """Every instance received for the survey, without its XML, in the order received."""
    rows = session.execute(
        select(
            OpenRosaInstanceRow.id,
            OpenRosaInstanceRow.instance_id,
            OpenRosaInstanceRow.submission_id,
            OpenRosaInstanceRow.xml_sha256,
            OpenRosaInstanceRow.superseded_by,
        )
        .where(OpenRosaInstanceRow.survey_id == survey_id)
        .order_by(OpenRosaInstanceRow.id)
        .execution_options(yield_per=1000)
    )
    for pk, instance_id, submission_id, xml_sha256, superseded_by in rows:
        yield Instance(pk, instance_id, submission_id, xml_sha256, superseded_by)


def survey_files(session: Session, survey_id: int) -> Iterator[StoredFile]:
    """The attachments of every instance of the survey, without their bytes."""
    rows = session.execute(
        select(*_FILE_COLUMNS)
        .join(OpenRosaInstanceRow, OpenRosaInstanceRow.id == OpenRosaAttachmentRow.instance_pk)
        .where(OpenRosaInstanceRow.survey_id == survey_id)
        .order_by(OpenRosaAttachmentRow.id)
        .execution_options(yield_per=1000)
    )
    for row in rows:
        yield StoredFile(*row)


def file_contents(session: Session, file_pks: Iterable[int]) -> Iterator[tuple[int, bytes]]:
    """The bytes of these attachments, one file per query and in the order given, so that
    a caller holds one file at a time; a file deleted meanwhile is skipped."""
    for pk in file_pks:
        content = session.scalar(
            select(OpenRosaAttachmentRow.content).where(OpenRosaAttachmentRow.id == pk)
        )
        if content is not None:
            yield pk, bytes(content)
