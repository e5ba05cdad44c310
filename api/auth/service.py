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

import dataclasses
import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from api.auth import repository
from api.auth.schemas import TOKEN_PREFIX, Principal, Role, TokenCreate, TokenCreated, TokenOut
from api.problems import Conflict, Forbidden, Unauthorized, Unprocessable
from api.process_cache import ProcessCache
from survey.errors import NotFound

if TYPE_CHECKING:
    from api.db.engine import Database

__all__ = ["TOKEN_PREFIX"]
log = logging.getLogger("papi.api")
# A verified token is remembered for this long by each process: a revoked (or expired)
# token stops working within this delay on every worker, and a busy token costs one
# indexed query per second per worker instead of one per request.
PRINCIPAL_TTL_SECONDS = 1.0
# last_used_at is written when the stored value is older than this (one write a minute
# per token at most, not one per request).
LAST_USED_RESOLUTION = timedelta(seconds=60)
# token hash -> its principal, verified at most PRINCIPAL_TTL_SECONDS ago
_principals: ProcessCache[str, Principal] = ProcessCache(
    "principals", ttl=PRINCIPAL_TTL_SECONDS, max_entries=10_000
)


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
    """A new token (the secret is in the answer only). Names are unique among the working
    tokens of a survey (409), so a name in an export or a listing points at one holder;
    "own submissions" are matched on the token's id all the same."""
    now = datetime.now(UTC)
    if spec.expires_at is not None and spec.expires_at <= now:
        raise Unprocessable(
            f"expires_at {spec.expires_at.isoformat()} is in the past; give a future instant",
            code="expiry_invalid",
        )
    if spec.survey_id is not None and repository.name_taken(session, spec.survey_id, spec.name):
        raise Conflict(
            f"survey {spec.survey_id} already has a token called {spec.name!r}; choose another "
            "name (e.g. enum-07) or revoke the old token first",
            code="token_name_taken",
        )
    token = new_token()
    out = repository.insert(
        session, hash_token(token), spec.name, spec.role, spec.survey_id, now, spec.expires_at
    )
    return TokenCreated(**out.as_dict(), token=token)


def issue_token(session: Session, spec: TokenCreate, caller: Principal) -> TokenCreated:
    """``create_token`` on behalf of ``caller``, who must manage ``spec.survey_id`` (an admin
    of that scope: 403 otherwise); an unknown survey is 404."""
    authorize(caller, Action.manage, spec.survey_id)
    if spec.survey_id is not None and not repository.survey_exists(session, spec.survey_id):
        raise NotFound(
            f"survey {spec.survey_id} does not exist; list surveys with GET /api/v1/surveys"
        )
    return create_token(session, spec)


def list_tokens(
    session: Session, caller: Principal, survey_id: int | None = None, include_revoked: bool = False
) -> list[TokenOut]:
    """The tokens ``caller`` may manage: an admin those of its scope (all, or its survey's),
    a supervisor the enumerator tokens of its survey; ``survey_id`` narrows the list."""
    scope = _manage_scope(caller, survey_id)
    role = Role.enumerator if caller.role is Role.supervisor else None
    listed = repository.listing(
        session,
        datetime.now(UTC),
        survey_id=scope,
        role=role,
        include_revoked=include_revoked,
    )
    return [TokenOut(**t.as_dict()) for t in listed]


def revoke_token(session: Session, caller: Principal, token_id: int) -> TokenOut:
    """Revoke a token (idempotent): it stops working at once in this process and within
    ``PRINCIPAL_TTL_SECONDS`` in every other. A token outside what ``caller`` manages is
    404, like one that does not exist."""
    now = datetime.now(UTC)
    found = repository.get(session, token_id, now)
    if found is None or not _may_manage(caller, found):
        raise NotFound(f"token {token_id} does not exist (or is not yours to manage)")
    repository.revoke(session, token_id, now)
    forget(token_id)
    out = repository.get(session, token_id, now)
    assert out is not None
    return TokenOut(**out.as_dict())


def may_manage_tokens(caller: Principal, survey_id: int | None = None) -> bool:
    """Whether ``caller`` manages (lists, revokes) some tokens of ``survey_id``: the rule of
    ``list_tokens`` and ``revoke_token``, for showing a link or a button."""
    try:
        _manage_scope(caller, survey_id)
    except (Forbidden, NotFound):
        return False
    return True


def _manage_scope(caller: Principal, survey_id: int | None) -> int | None:
    if caller.role not in (Role.admin, Role.supervisor):
        raise Forbidden(f"role {caller.role.value!r} may not manage tokens")
    if caller.survey_id is not None:
        if survey_id is not None and survey_id != caller.survey_id:
            raise NotFound(f"survey {survey_id} does not exist")
        return caller.survey_id
    return survey_id


def _may_manage(caller: Principal, token: repository.StoredToken) -> bool:
    if caller.role is Role.admin:
        return caller.survey_id is None or token.survey_id == caller.survey_id
    if caller.role is Role.supervisor:
        in_scope = caller.survey_id is None or token.survey_id == caller.survey_id
        return token.role is Role.enumerator and in_scope
    return False


def forget(token_id: int) -> None:
    """Drop ``token_id`` from this process's cache."""
    _principals.discard(lambda p: p.token_id == token_id)


def touch(db: Database, principal: Principal) -> None:
    """Record that ``principal``'s token was used (``last_used_at``), at most once per
    ``LAST_USED_RESOLUTION``; a failure to record it never fails the request."""
    now = datetime.now(UTC)
    last = principal.last_used_at
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    try:
        with db.writing() as session:
            repository.touch(session, principal.token_id, now)
            session.commit()
    except Exception as exc:  # the database is busy or read-only: try again next time
        log.warning("could not record the use of token %s: %s", principal.token_id, exc)
        return
    fresh = dataclasses.replace(principal, last_used_at=now)
    _principals.replace(lambda p: p.token_id == principal.token_id, fresh)


def cached_principal(authorization: str | None) -> Principal | None:
    """The principal of a well-formed, recently verified token, without touching the DB."""
    if not authorization or authorization[:7].lower() != "bearer ":
        return None
    return _principals.get(hash_token(authorization[7:].strip()))


def authenticate(session: Session, authorization: str | None) -> Principal:
    if not authorization:
        raise Unauthorized("no credentials: send 'Authorization: Bearer <token>'")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    digest = hash_token(token)
    hit = _principals.get(digest)
    if hit is not None:
        return hit
    principal = repository.principal_by_hash(session, digest, datetime.now(UTC))
    if principal is None:
        raise Unauthorized("the token is unknown, revoked or expired; ask an admin for a new one")
    _principals.put(digest, principal)
    return principal


def allowed(principal: Principal, action: Action, survey_id: int | None = None) -> bool:
    """Whether ``authorize`` lets ``principal`` do ``action`` (on ``survey_id``): for showing
    a link or a form, never instead of the check itself."""
    try:
        authorize(principal, action, survey_id)
    except (Forbidden, NotFound):
        return False
    return True


def authorize(principal: Principal, action: Action, survey_id: int | None = None) -> None:
    """Raise unless ``principal`` may do ``action`` (on ``survey_id``, if given): 404 for a
    survey outside a scoped token's scope (the answer for a survey that does not exist, so
    a scoped token learns nothing of the others, not even that they exist; checked before
    the role), 403 for an action the role does not have."""
    if principal.survey_id not in (None, survey_id) and survey_id is not None:
        raise NotFound(f"survey {survey_id} does not exist; list surveys with GET /api/v1/surveys")
    if action not in ALLOWED[principal.role]:
        raise Forbidden(f"role {principal.role.value!r} may not {action.value}")
    if principal.survey_id is not None and survey_id is None and action is Action.manage:
        raise Forbidden("a token scoped to one survey cannot manage global resources")
