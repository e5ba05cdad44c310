"""SQL for tokens."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from api.auth.schemas import Principal, Role
from api.db.models import SurveyRow, TokenRow


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A token row without its hash; ``active``: neither revoked nor expired at the time of
    reading."""

    id: int
    name: str
    role: Role
    survey_id: int | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    active: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _out(row: TokenRow, now: datetime) -> StoredToken:
    expired = row.expires_at is not None and row.expires_at <= now
    return StoredToken(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        survey_id=row.survey_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
        active=row.revoked_at is None and not expired,
    )


def insert(
    session: Session,
    token_hash: str,
    name: str,
    role: Role,
    survey_id: int | None,
    now: datetime,
    expires_at: datetime | None = None,
) -> StoredToken:
    row = TokenRow(
        token_hash=token_hash,
        name=name,
        role=role.value,
        survey_id=survey_id,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return _out(row, now)


def name_taken(session: Session, survey_id: int, name: str) -> bool:
    """True when a token of ``survey_id`` that still works is called ``name``."""
    return (
        session.scalar(
            select(TokenRow.id).where(
                TokenRow.survey_id == survey_id,
                TokenRow.name == name,
                TokenRow.revoked_at.is_(None),
            )
        )
        is not None
    )


def principal_by_hash(session: Session, token_hash: str, now: datetime) -> Principal | None:
    """The principal of a token that is neither revoked nor expired at ``now``."""
    row = session.execute(
        select(
            TokenRow.id, TokenRow.name, TokenRow.role, TokenRow.survey_id, TokenRow.last_used_at
        ).where(
            TokenRow.token_hash == token_hash,
            TokenRow.revoked_at.is_(None),
            or_(TokenRow.expires_at.is_(None), TokenRow.expires_at > now),
        )
    ).first()
    if row is None:
        return None
    return Principal(
        token_id=row.id,
        name=row.name,
        role=Role(row.role),
        survey_id=row.survey_id,
        last_used_at=row.last_used_at,
    )


def touch(session: Session, token_id: int, now: datetime) -> None:
    session.execute(update(TokenRow).where(TokenRow.id == token_id).values(last_used_at=now))


def listing(
    session: Session,
    now: datetime,
    *,
    survey_id: int | None = None,
    role: Role | None = None,
    include_revoked: bool = False,
) -> list[StoredToken]:
    """Tokens in id order: of one survey (``survey_id``), of one role, without the revoked
    ones unless asked."""
    stmt = select(TokenRow).order_by(TokenRow.id)
    if survey_id is not None:
        stmt = stmt.where(TokenRow.survey_id == survey_id)
    if role is not None:
        stmt = stmt.where(TokenRow.role == role.value)
    if not include_revoked:
        stmt = stmt.where(TokenRow.revoked_at.is_(None))
    return [_out(row, now) for row in session.scalars(stmt)]


def get(session: Session, token_id: int, now: datetime) -> StoredToken | None:
    row = session.get(TokenRow, token_id)
    return None if row is None else _out(row, now)


def revoke(session: Session, token_id: int, now: datetime) -> None:
    session.execute(
        update(TokenRow)
        .where(TokenRow.id == token_id, TokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def survey_exists(session: Session, survey_id: int) -> bool:
    """Whether the survey a token would be scoped to exists (its foreign key)."""
    return session.scalar(select(SurveyRow.id).where(SurveyRow.id == survey_id)) is not None
