"""Response models of the attachment routes (``/api/v1/.../submissions/{id}/attachments``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class AttachmentOut(BaseModel):
    """One file of a submission: received (``exists``), or named by the instance XML and not
    received yet (``exists`` false, no size, type, hash or time)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="the file name, as posted and as the instance XML names it")
    exists: bool = Field(description="the server has the file (false: expected, not received)")
    referenced: bool = Field(
        description="the instance XML names this file (a photo, audio or audit field); false "
        "for a file posted with the instance but named by none of its fields"
    )
    size: int | None = Field(default=None, description="bytes")
    content_type: str | None = Field(default=None, description="as sent by the device")
    sha256: str | None = Field(default=None, description="hex SHA-256 of the bytes (the ETag)")
    received_at: datetime | None = None
    instance_id: str | None = Field(
        default=None,
        description="the instance (version) the file was posted with; an earlier version's "
        "when an edit kept the file without sending it again",
    )


class AttachmentList(BaseModel):
    """The files of a submission's current version (empty for a JSON submission)."""

    model_config = ConfigDict(frozen=True)

    submission_id: UUID
    instance_id: str | None = Field(
        description="meta/instanceID of the current version; null for a JSON submission"
    )
    items: list[AttachmentOut]
