"""Token request/response models and the authenticated principal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

TOKEN_PREFIX = "papi_"  # every secret begins with it (api/redact.py finds them by it)


class Role(StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    enumerator = "enumerator"
    analyst = "analyst"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's id, its holder's name, role and survey scope."""

    token_id: int
    name: str
    role: Role
    survey_id: int | None  # None: every survey
    # when the database last recorded a use (api/auth/service.py writes it once a minute)
    last_used_at: datetime | None = field(default=None, compare=False)


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="holder, e.g. 'enum-07'")
    role: Role
    survey_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="restrict the token to one survey"
    )
    expires_at: AwareDatetime | None = Field(
        default=None, description="the token stops working at this instant (default: never)"
    )


class TokenOut(BaseModel):
    id: int
    name: str
    role: Role
    survey_id: int | None
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = Field(
        default=None, description="last request made with it (recorded once a minute)"
    )
    active: bool = Field(default=True, description="neither revoked nor expired")


class TokenList(BaseModel):
    items: list[TokenOut]


class TokenCreated(TokenOut):
    token: str = Field(description="the secret; shown once, stored only as its SHA-256")


class Me(BaseModel):
    token_id: int
    name: str
    role: Role
    survey_id: int | None
