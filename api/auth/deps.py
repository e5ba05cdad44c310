"""FastAPI dependency: the authenticated principal of a request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth.schemas import Principal
from api.auth.service import authenticate
from api.http import Uow

_bearer = HTTPBearer(auto_error=False, description="a token from `papi token create`")


def current_principal(
    request: Request,
    uow: Uow,
    _creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    principal = authenticate(uow.read, request.headers.get("authorization"))
    request.state.principal = principal
    return principal


Caller = Annotated[Principal, Depends(current_principal)]
