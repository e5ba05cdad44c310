"""The console's session: a bearer token exchanged for a cookie, and the CSRF token.

Signing in checks the token exactly as the API does (``api.auth.service.authenticate``) and
stores it in an HttpOnly, SameSite=Strict cookie (Secure when the request came over HTTPS),
so the browser's script never sees it and no other site's page can send it. Every later
request is authenticated from that cookie by the same function: the console has no session
table and no second permission model, and a token revoked in the API stops working in the
console within ``PRINCIPAL_TTL_SECONDS``.

Every state-changing request (POST) carries a CSRF token in a hidden form field: an HMAC of
a fixed label keyed by the session's token, so only a page that the session itself rendered
knows it, and any worker process can check it without shared state. POSTs whose ``Origin``
header names another site are refused as well.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.auth.schemas import Principal
from api.auth.service import authenticate, cached_principal
from api.db.engine import Database
from api.problems import Unauthorized

SESSION_COOKIE = "papi_console"
LANG_COOKIE = "papi_lang"
SESSION_SECONDS = 12 * 3600
_CSRF_LABEL = b"papi-console-csrf-v1"


class SignInRequired(Exception):
    """No valid session: the console answers with a redirect to its sign-in page."""


class CsrfRejected(Exception):
    """A POST without this session's CSRF token, or from another origin."""


@dataclass(frozen=True, slots=True)
class Session:
    principal: Principal
    token: str

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)


def csrf_token(token: str) -> str:
    return hmac.new(token.encode("utf-8"), _CSRF_LABEL, hashlib.sha256).hexdigest()


def _lookup(db: Database, authorization: str) -> Principal:
    with db.session() as session:
        return authenticate(session, authorization)


async def principal_for(request: Request, token: str) -> Principal | None:
    """The principal of ``token`` (None when unknown or revoked), as the API decides it."""
    authorization = "Bearer " + token
    principal = cached_principal(authorization)
    if principal is not None:
        return principal
    try:
        return await run_in_threadpool(_lookup, request.app.state.db, authorization)
    except Unauthorized:
        return None


async def current(request: Request) -> Session:
    """The signed-in session of this request; SignInRequired otherwise."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise SignInRequired
    principal = await principal_for(request, token)
    if principal is None:
        raise SignInRequired
    return Session(principal, token)


def check_post(request: Request, session: Session, csrf: str) -> None:
    """Refuse a state-changing request from another origin or without the CSRF token."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise CsrfRejected
    if not hmac.compare_digest(csrf.encode(), session.csrf.encode()):
        raise CsrfRejected


def set_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
