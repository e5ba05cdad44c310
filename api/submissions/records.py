"""What the submissions repository returns and takes, shared with the services that read
submissions (exports, the console): a stored submission and the list filters. Plain
frozen records; no ORM row and no API model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored submission as the service sees it (no ORM row leaves this module)."""

    pk: int
    survey_id: int
    submission_id: str
    content_hash: str
    submitted_by: str
    status: str
    flags: list[dict[str, Any]]
    version: int
    received_at: datetime
    updated_at: datetime
    body: dict[str, Any]
    submitted_by_token_id: int | None = None  # the token that sent it ("own submissions")


@dataclass(frozen=True, slots=True)
class Filters:
    status: str | None = None
    submitted_by: str | None = None
    submitted_by_token_id: int | None = None
    province: str | None = None
    district: str | None = None
    village: str | None = None
    flag: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    flagged: bool = False  # only submissions with at least one quality flag
    unreviewed: bool = False  # only those neither approved nor rejected
