"""SQLAlchemy 2 table models of the collection store.

One ``MetaData`` with a naming convention (so Alembic names constraints identically on SQLite
and PostgreSQL). ORM rows never leave ``repository`` modules; services see pydantic records.

- ``questionnaires``: uploaded documents, immutable per ``(qid, version)``.
- ``surveys``: a round of collection on one questionnaire version, with its sample and quotas.
- ``api_tokens``: bearer tokens, stored as SHA-256 of the secret, with a role, a survey scope,
  an optional expiry, the revocation time and when it was last used.
- ``submissions``: the current version of each interview; ``(survey_id, submission_id)`` is
  unique (the deduplication key), ``content_hash`` the canonical hash of what the client sent.
- ``submission_versions``: every earlier version (an edit copies the current row here first).
- ``submission_events``: the audit trail (who did what, when, to which items).
- ``jobs``: background jobs (scoring) stored in the database so any worker can answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JsonType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JsonType,
        list[Any]: JsonType,
        datetime: UtcDateTime(),
    }


class QuestionnaireRow(Base):
    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("qid", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    qid: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(50))
    year: Mapped[int | None] = mapped_column(Integer)
    document: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class SurveyRow(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    # administrative geography of the sample: "2018" (63 provinces) or "2025" (34)
    geography: Mapped[str] = mapped_column(String(4), default="2018", server_default="2018")
    questionnaire_pk: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    sample: Mapped[list[Any]]
    quotas: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class TokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # written at most once a minute per token (api/auth/service.py), not on every request
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SubmissionRow(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("survey_id", "submission_id"),
        Index("ix_submissions_survey_village", "survey_id", "village"),
        Index("ix_submissions_survey_respondent", "survey_id", "respondent_key"),
        Index("ix_submissions_survey_status", "survey_id", "status"),
        # covers the progress, quality and activity counts (the console's pages) so that
        # they read the index, not the rows with their JSON bodies
        Index(
            "ix_submissions_survey_counts",
            "survey_id",
            "province",
            "village",
            "status",
            "flag_codes",
            "submitted_by",
            "received_at",
            "duration_seconds",
        ),
        Index("ix_submissions_survey_token", "survey_id", "submitted_by_token_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    submission_id: Mapped[str] = mapped_column(String(36))
    content_hash: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[str] = mapped_column(String(100))
    # who submitted: the token's id ("own submissions" of an enumerator); None for a row
    # stored before tokens were told apart by id whose name matched no single token
    submitted_by_token_id: Mapped[int | None] = mapped_column(Integer)
    province: Mapped[str] = mapped_column(String(20))
    district: Mapped[str | None] = mapped_column(String(60))
    commune: Mapped[str | None] = mapped_column(String(60))
    village: Mapped[str | None] = mapped_column(String(60))
    respondent_key: Mapped[str | None] = mapped_column(String(64))
    # paradata end - start (None without both); kept beside the body for the activity counts
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    body: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    flags: Mapped[list[Any]]
    flag_codes: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SubmissionVersionRow(Base):
    __tablename__ = "submission_versions"
    __table_args__ = (UniqueConstraint("submission_pk", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_pk: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]]
    flags: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(20))
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SubmissionEventRow(Base):
    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_pk: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]]


class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    error: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # written by the runner while the job runs (api/jobs/runner.py): fraction done, stage name
    progress: Mapped[float | None] = mapped_column(Float)
    stage: Mapped[str | None] = mapped_column(String(30))
