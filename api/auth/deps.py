"""FastAPI dependency: the authenticated principal of a request.

A token seen in the last few seconds is answered from the process cache without a thread
hop; otherwise the lookup runs in the thread pool on a short read session.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.auth.schemas import Principal
from api.auth.service import authenticate, cached_principal, touch
from api.db.engine import Database

_bearer = HTTPBearer(auto_error=False, description="a token from `papi token create`")


def _lookup(db: Database, authorization: str | None) -> Principal:
    with db.session() as session:
        principal = authenticate(session, authorization)
    touch(db, principal)
    return principal


async def current_principal(
    request: Request,
    _creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    authorization = request.headers.get("authorization")
    principal = cached_principal(authorization)
    if principal is None:
        principal = await run_in_threadpool(_lookup, request.app.state.db, authorization)
    request.state.principal = principal
    return principal


Caller = Annotated[Principal, Depends(current_principal)]
