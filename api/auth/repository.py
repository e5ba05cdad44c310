"""SQL for tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.schemas import Principal, Role, TokenOut
from api.db.models import TokenRow


def insert(
    session: Session,
    token_hash: str,
    name: str,
    role: Role,
    survey_id: int | None,
    now: datetime,
) -> TokenOut:
    row = TokenRow(
        token_hash=token_hash, name=name, role=role.value, survey_id=survey_id, created_at=now
    )
    session.add(row)
    session.flush()
    return TokenOut(
        id=row.id, name=row.name, role=Role(row.role), survey_id=row.survey_id, created_at=now
    )


def principal_by_hash(session: Session, token_hash: str) -> Principal | None:
    row = session.execute(
        select(TokenRow.id, TokenRow.name, TokenRow.role, TokenRow.survey_id).where(
            TokenRow.token_hash == token_hash, TokenRow.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    return Principal(token_id=row.id, name=row.name, role=Role(row.role), survey_id=row.survey_id)


def list_tokens(session: Session, survey_id: int | None) -> list[TokenOut]:
    """Tokens not revoked, oldest first; only those scoped to ``survey_id`` when given."""
    stmt = select(TokenRow).where(TokenRow.revoked_at.is_(None)).order_by(TokenRow.id)
    if survey_id is not None:
        stmt = stmt.where(TokenRow.survey_id == survey_id)
    return [
        TokenOut(
            id=r.id, name=r.name, role=Role(r.role), survey_id=r.survey_id, created_at=r.created_at
        )
        for r in session.scalars(stmt)
    ]
