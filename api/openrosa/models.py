"""Tables of the OpenRosa endpoints (registered on the collection store's ``Base``).

- ``openrosa_instances``: every instance XML received, keyed by ``(survey_id, instance_id)``
  (``meta/instanceID``), with the SHA-256 of its exact bytes (Central deduplicates on the
  bytes), the submission of the store it became (``submission_id``; an edit through
  ``deprecatedID`` points at the submission it edits) and ``superseded_by`` once edited.
- ``openrosa_attachments``: the files posted with an instance, by file name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.models import Base, BigId, UtcDateTime

MAX_FILE_NAME = 255  # characters of openrosa_attachments.name (a VARCHAR on PostgreSQL)


class OpenRosaInstanceRow(Base):
    __tablename__ = "openrosa_instances"
    __table_args__ = (UniqueConstraint("survey_id", "instance_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    instance_id: Mapped[str] = mapped_column(String(100))
    submission_id: Mapped[str] = mapped_column(String(36), index=True)
    deprecated_id: Mapped[str | None] = mapped_column(String(100))
    superseded_by: Mapped[str | None] = mapped_column(String(100))
    form_version: Mapped[str] = mapped_column(String(50))
    xml_sha256: Mapped[str] = mapped_column(String(64))
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_by_token_id: Mapped[int | None] = mapped_column(Integer)  # see submissions
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OpenRosaAttachmentRow(Base):
    __tablename__ = "openrosa_attachments"
    __table_args__ = (UniqueConstraint("instance_pk", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_pk: Mapped[int] = mapped_column(ForeignKey("openrosa_instances.id"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_FILE_NAME))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
