"""Submission request/response models."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)

Answer = int | float | str | list[int] | None

# What a client sends as an answer: any JSON value, passed through unchanged. Whether it is
# a valid answer is the questionnaire's rule (survey.validation.answer_rules), checked by response
# validation with one pointer per problem, exactly as ``survey.validation.verdict`` judges it; a typed
# union here would coerce (``[1, "2"]`` to ``[1, 2]``) and report one error per branch.
AnswerIn = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer"},
                {"type": "number"},
                {"type": "string"},
                {"type": "array", "items": {"type": "integer"}},
                {"type": "null"},
            ]
        }
    ),
]

# Bounds on an answers mapping that hold for any questionnaire, checked before its values
# are validated one by one (so a body of a million answers costs one error, not a million):
# the questionnaire's own, tighter bounds are api/submissions/limits.py's.
MAX_ANSWERS = 5_000
MAX_CODES = 1_000


def _bounded_answers(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) > MAX_ANSWERS:
            raise ValueError(f"{len(value):,} answers; at most {MAX_ANSWERS:,} are read")
        for key, answer in value.items():
            if isinstance(answer, list) and len(answer) > MAX_CODES:
                raise ValueError(
                    f"answer {str(key)[:40]!r} holds {len(answer):,} codes; at most "
                    f"{MAX_CODES:,} are read"
                )
    return value


Answers = Annotated[dict[str, AnswerIn], BeforeValidator(_bounded_answers)]

# Row ids are 64-bit signed integers on both databases; a cursor past the largest is refused.
MAX_ROW_ID = 2**63 - 1


def cursor_value(cursor: str) -> int:
    """The row id a ``next_cursor`` encodes (URL-safe base64 of its decimal digits).
    ValueError, with a message for the client, unless it is one this API could have
    returned: decimal digits of a row id from 0 to ``MAX_ROW_ID``."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode() + b"==").decode("ascii")
    except (ValueError, binascii.Error):
        text = ""
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ROW_ID:
        raise ValueError("the cursor is not one this API returned; restart from the first page")
    return int(text)


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def _checked_cursor(cursor: str | None) -> str | None:
    if cursor:
        cursor_value(cursor)
    return cursor


def _in_utc(value: datetime) -> datetime:
    """An aware datetime converted to UTC; one whose UTC instant falls outside years
    1-9999 (``9999-12-31T23:59:59-23:59``) is refused instead of overflowing later."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the instant in UTC falls outside years 1 to 9999") from None


UtcInstant = Annotated[
    AwareDatetime,
    AfterValidator(_in_utc),
    Field(
        description="ISO 8601 date and time with a UTC offset, e.g. 2026-01-01T00:00:00Z "
        "(a bare date or a time without offset is refused: it names no instant)"
    ),
]
"""A query-string instant: timezone-aware, representable in UTC."""

Cursor = Annotated[str, AfterValidator(_checked_cursor)]
"""A query-string cursor: one that ``cursor_value`` accepts."""


class ReviewStatus(StrEnum):
    received = "received"
    has_issues = "has_issues"
    approved = "approved"
    rejected = "rejected"


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    province: str = Field(min_length=1, max_length=20, examples=["P01"])
    district: str | None = Field(default=None, max_length=60, examples=["P01-D03"])
    commune: str | None = Field(default=None, max_length=60, examples=["P01-D03-C02"])
    village: str | None = Field(default=None, max_length=60, examples=["P01-D03-C02-V01"])


class Gps(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    alt: float | None = Field(default=None, ge=-1e5, le=1e5)
    acc: float | None = Field(default=None, ge=0, le=1e7)


class Paradata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enumerator: str | None = Field(default=None, max_length=100)
    device: str | None = Field(default=None, max_length=100)
    start: datetime | None = None
    end: datetime | None = None
    gps: Gps | None = None


class Design(BaseModel):
    """Design columns a client may already know (a simulator does); see docs/data-layout.md."""

    model_config = ConfigDict(extra="forbid")

    stratum: str | None = Field(default=None, max_length=60)
    psu: str | None = Field(default=None, max_length=60)
    prob_district: float | None = Field(default=None, gt=0, le=1)
    prob_commune: float | None = Field(default=None, gt=0, le=1)
    prob_village: float | None = Field(default=None, gt=0, le=1)
    prob_person: float | None = Field(default=None, gt=0, le=1)
    design_weight: float | None = Field(default=None, gt=0, le=1e12)
    weight: float | None = Field(
        default=None,
        gt=0,
        le=1e12,
        description="stored but not used: the export derives `weight` by post-stratifying "
        "the design weights of all its rows (survey.respondents.analysis_frame, docs/data-layout.md)",
    )


class SubmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submission_id: UUID = Field(description="client-generated UUID; the deduplication key")
    location: Location
    answers: Answers = Field(description="item id → value (questionnaire-format.md)")
    paradata: Paradata = Field(default_factory=Paradata)
    design: Design | None = None


class Flag(BaseModel):
    code: str = Field(
        description="too_fast | straight_lining | duplicate_respondent | outside_constraints"
    )
    message: str
    pointer: str = ""


class SubmissionOut(BaseModel):
    submission_id: UUID
    survey_id: int
    status: ReviewStatus
    flags: list[Flag]
    version: int
    submitted_by: str
    received_at: datetime
    updated_at: datetime
    content_hash: str
    location: Location
    answers: dict[str, Answer]
    paradata: Paradata
    design: Design | None = None


class Outcome(StrEnum):
    created = "created"
    replayed = "replayed"
    conflict = "conflict"
    invalid = "invalid"


class ProblemItemOut(BaseModel):
    pointer: str
    code: str
    message: str


class BatchItemResult(BaseModel):
    index: int
    submission_id: str | None
    status: int = Field(description="HTTP status this item would have had alone")
    outcome: Outcome
    review_status: ReviewStatus | None = None
    flags: list[Flag] = Field(default_factory=list)
    errors: list[ProblemItemOut] = Field(default_factory=list)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submissions: list[Any] = Field(
        min_length=1,
        max_length=1000,
        description="up to 1,000 submissions, each shaped like SubmissionIn",
    )


class BatchOut(BaseModel):
    created: int
    replayed: int
    conflicts: int
    invalid: int
    results: list[BatchItemResult]


class SubmissionPage(BaseModel):
    items: list[SubmissionOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page")


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ReviewStatus
    comment: str | None = Field(default=None, max_length=2000)


class EditIn(BaseModel):
    """A new version: ``answers`` is merged item by item (null removes an answer);
    ``location``/``paradata``/``design`` replace the stored ones when given."""

    model_config = ConfigDict(extra="forbid")

    expected_version: int | None = Field(
        default=None, ge=1, description="409 unless the current version is this one"
    )
    answers: Answers = Field(default_factory=dict)
    location: Location | None = None
    paradata: Paradata | None = None
    design: Design | None = None
    comment: str | None = Field(default=None, max_length=2000)


class VersionOut(BaseModel):
    version: int
    content_hash: str
    status: ReviewStatus
    flags: list[Flag]
    saved_at: datetime
    answers: dict[str, Answer]
    location: Location
    paradata: Paradata
    design: Design | None = None


class EventOut(BaseModel):
    at: datetime
    actor: str
    actor_role: str
    action: str = Field(description="create | edit | review")
    version: int
    detail: dict[str, Any]


class History(BaseModel):
    submission_id: UUID
    current_version: int
    versions: list[VersionOut] = Field(description="earlier versions, oldest first")
    events: list[EventOut]
