"""Tokens and the permission rules.

A token is ``papi_`` + 43 URL-safe characters (256 random bits from ``secrets``); only its
SHA-256 is stored, so a leaked database does not leak usable tokens (a slow password hash is
unnecessary for 256-bit random secrets). Roles, per survey scope (None = all surveys):

- admin: everything in scope; an unscoped admin creates questionnaires, surveys and tokens;
- supervisor: reads every submission of the survey, reviews and edits them;
- enumerator: submits, reads and edits (until approved) only the submissions it made;
- analyst: reads submissions and progress, exports, runs and reads scoring jobs.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from api.auth import repository
from api.auth.schemas import TOKEN_PREFIX, Principal, Role, TokenCreate, TokenCreated
from api.problems import Forbidden, Unauthorized

# A verified token is remembered for this long by each process (a revoked token stops
# working within this delay); it saves a query on every request.
PRINCIPAL_TTL_SECONDS = 10.0
_principals: dict[str, tuple[Principal, float]] = {}
_principals_lock = threading.Lock()


class Action(StrEnum):
    manage = "manage"  # questionnaires, surveys, tokens
    submit = "submit"
    read = "read"  # survey metadata and submissions (enumerators: their own)
    progress = "progress"
    review = "review"
    edit = "edit"
    export = "export"
    score = "score"


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.admin: frozenset(Action),
    Role.supervisor: frozenset({Action.read, Action.progress, Action.review, Action.edit}),
    Role.enumerator: frozenset({Action.submit, Action.read, Action.edit}),
    Role.analyst: frozenset({Action.read, Action.progress, Action.export, Action.score}),
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def create_token(session: Session, spec: TokenCreate) -> TokenCreated:
    token = new_token()
    out = repository.insert(
        session, hash_token(token), spec.name, spec.role, spec.survey_id, datetime.now(UTC)
    )
    return TokenCreated(**out.model_dump(), token=token)


def cached_principal(authorization: str | None) -> Principal | None:
    """The principal of a well-formed, recently verified token, without touching the DB."""
    if not authorization or authorization[:7].lower() != "bearer ":
        return None
    hit = _principals.get(hash_token(authorization[7:].strip()))
    if hit is not None and hit[1] > time.monotonic():
        return hit[0]
    return None


def authenticate(session: Session, authorization: str | None) -> Principal:
    if not authorization:
        raise Unauthorized("no credentials: send 'Authorization: Bearer <token>'")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    digest = hash_token(token)
    now = time.monotonic()
    hit = _principals.get(digest)
    if hit is not None and hit[1] > now:
        return hit[0]
    principal = repository.principal_by_hash(session, digest)
    if principal is None:
        raise Unauthorized("the token is unknown or revoked; ask an admin for a new one")
    with _principals_lock:
        if len(_principals) > 10_000:
            _principals.clear()
        _principals[digest] = (principal, now + PRINCIPAL_TTL_SECONDS)
    return principal


def authorize(principal: Principal, action: Action, survey_id: int | None = None) -> None:
    """Raise 403 unless ``principal`` may do ``action`` (on ``survey_id``, if given)."""
    if action not in ALLOWED[principal.role]:
        raise Forbidden(f"role {principal.role.value!r} may not {action.value}")
    if principal.survey_id is not None:
        if survey_id is None and action is Action.manage:
            raise Forbidden("a token scoped to one survey cannot manage global resources")
        if survey_id is not None and survey_id != principal.survey_id:
            raise Forbidden(
                f"this token is scoped to survey {principal.survey_id}, not survey {survey_id}"
            )
