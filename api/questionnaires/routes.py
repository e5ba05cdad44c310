"""``/api/v1/questionnaires``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from api.auth.deps import Caller
from api.http import media_type
from api.problems import problem_responses
from api.questionnaires import service
from api.questionnaires.schemas import QuestionnaireOut
from api.unit_of_work import Uow

router = APIRouter(tags=["questionnaires"], responses=problem_responses(401, 403))

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "the questionnaire document (docs/questionnaire-format.md)",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/questionnaires",
    response_model=QuestionnaireOut,
    status_code=201,
    openapi_extra=_UPLOAD_BODY,
    responses={
        200: {"description": "identical document already published", "model": QuestionnaireOut},
        **problem_responses(409, 413, 415, 422),
    },
    summary="Publish a questionnaire version (YAML or JSON); versions are immutable",
)
async def upload(
    request: Request, response: Response, caller: Caller, uow: Uow
) -> QuestionnaireOut:
    document = service.accept_upload(await request.body(), media_type(request), caller)

    def register() -> tuple[QuestionnaireOut, bool]:
        # uow.write takes SQLite's writer lock: in the thread, never in the event loop. Taken
        # in the loop, it waited for a request whose commit needs the loop: a deadlock that
        # hung the whole server (tests/api/test_api_hostile_inputs.py).
        record, created = service.register(uow.write, document, caller.name)
        return service.questionnaire_out(record), created

    out, created = await run_in_threadpool(register)
    response.status_code = 201 if created else 200
    return out


@router.get(
    "/questionnaires",
    response_model=list[QuestionnaireOut],
    summary="List published questionnaire versions",
)
def list_questionnaires(caller: Caller, uow: Uow) -> list[QuestionnaireOut]:
    return service.list_all(uow.read)


@router.get(
    "/questionnaires/{qid}/{version}",
    responses=problem_responses(404),
    summary="The stored document of one questionnaire version",
)
def get_document(qid: str, version: str, caller: Caller, uow: Uow) -> dict[str, object]:
    return service.document(uow.read, qid, version)
