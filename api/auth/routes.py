"""``/api/v1/tokens`` and ``/api/v1/me``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.auth import service
from api.auth.deps import Caller
from api.auth.schemas import Me, TokenCreate, TokenCreated, TokenList, TokenOut
from api.http import QueryFlag, require_json
from api.problems import problem_responses
from api.unit_of_work import Uow

router = APIRouter(tags=["auth"], responses=problem_responses(401, 403))


@router.get("/me", response_model=Me, summary="Who am I (the token's holder, role and scope)")
def me(caller: Caller) -> Me:
    return Me(
        token_id=caller.token_id, name=caller.name, role=caller.role, survey_id=caller.survey_id
    )


@router.post(
    "/tokens",
    status_code=201,
    response_model=TokenCreated,
    dependencies=[Depends(require_json)],
    responses=problem_responses(404, 415, 422),
    summary="Create a token (admin); the secret is returned once",
)
def create_token(spec: TokenCreate, caller: Caller, uow: Uow) -> TokenCreated:
    return service.issue_token(uow.write, spec, caller)


@router.get(
    "/tokens",
    response_model=TokenList,
    responses=problem_responses(404, 422),
    summary="List tokens (admin: its scope; supervisor: its survey's enumerators)",
)
def list_tokens(
    caller: Caller,
    uow: Uow,
    survey_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    include_revoked: Annotated[
        QueryFlag, Query(description="list revoked tokens too (true/false)")
    ] = False,
) -> TokenList:
    return TokenList(items=service.list_tokens(uow.read, caller, survey_id, include_revoked))


@router.delete(
    "/tokens/{token_id}",
    response_model=TokenOut,
    responses=problem_responses(404, 422),
    summary="Revoke a token: it stops working within a second on every worker",
)
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], caller: Caller, uow: Uow
) -> TokenOut:
    return service.revoke_token(uow.write, caller, token_id)
