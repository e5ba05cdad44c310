"""What the OpenRosa repository returns and takes: received instances, uploaded and stored
attachments. Plain frozen records, shared with the routes (``Upload``) and the media export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Instance:
    pk: int
    instance_id: str
    submission_id: str
    xml_sha256: str
    superseded_by: str | None
    submitted_by_token_id: int | None = None


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class InstanceXml:
    """One received version of a submission, with its XML (for the files it names)."""

    pk: int
    instance_id: str
    superseded_by: str | None
    xml: bytes


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An attachment's metadata (the bytes are read separately, by ``pk``)."""

    pk: int
    instance_pk: int
    name: str
    content_type: str
    sha256: str
    size: int
    received_at: datetime
