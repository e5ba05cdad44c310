"""The FastAPI application factory.

``create_app(settings)`` builds everything from ``settings`` (default ``get_settings()``);
nothing connects at import time and no state lives in the process besides caches of
immutable data, so any number of workers can serve one PostgreSQL database. ``papi serve``
runs ``api.app:create_app`` with uvicorn's ``--factory``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api import problems
from api.auth.routes import router as auth_router
from api.body_limit import BodyLimitMiddleware
from api.console import CONSOLE_PATH, STATIC_DIR, STATIC_PATH
from api.console.routes import router as console_router
from api.console.scores_routes import router as console_scores_router
from api.db.engine import Database
from api.exports.routes import router as exports_router
from api.gc_tuning import tune_gc
from api.jobs.routes import router as jobs_router
from api.jobs.runner import JobRunner
from api.openrosa import errors as openrosa_errors
from api.openrosa.attachment_routes import router as attachments_router
from api.openrosa.envelope import OPENROSA_PATH
from api.openrosa.routes import accept_length
from api.openrosa.routes import router as openrosa_router
from api.questionnaires.routes import router as questionnaires_router
from api.redact import install_log_filter
from api.settings import Settings, get_settings
from api.submissions.routes import router as submissions_router
from api.submissions.schemas import SubmissionIn
from api.surveys.routes import router as surveys_router

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = Database(settings)
    runner = JobRunner(db, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tune_gc()
        if settings.run_jobs:
            runner.start()
        try:
            yield
        finally:
            runner.stop()
            db.dispose()

    app = FastAPI(
        title="papi-engine collection API",
        version="1.0.0",
        description=(
            "Collect PAPI-style survey interviews exactly once, review them, export them and "
            "score them. Authenticate with `Authorization: Bearer <token>` "
            "(`papi token create`). Every error is `application/problem+json` (RFC 9457)."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.jobs = runner
    # routes with their own error format, by URL prefix; everything else is problem+json
    renderers = {OPENROSA_PATH: openrosa_errors.renderer(accept_length(settings))}
    app.state.error_renderers = renderers
    problems.install(app)
    install_log_filter()
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.max_body_bytes,
        idle_timeout=settings.body_idle_timeout_seconds,
        renderers=renderers,
    )
    for router in (
        auth_router,
        questionnaires_router,
        surveys_router,
        submissions_router,
        attachments_router,
        exports_router,
        jobs_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(openrosa_router)  # ODK Central's URL shape: /v1/key/{token}/projects/{id}
    app.include_router(console_router)
    app.include_router(console_scores_router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="console-static")
    _health_routes(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _health_routes(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        """A browser that opens the server's address lands on the console."""
        return RedirectResponse(CONSOLE_PATH + "/", status_code=307)

    @app.get("/healthz", tags=["health"], summary="Liveness: the process answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        summary="Readiness: the database answers and is migrated",
        responses=problems.problem_responses(503),
    )
    async def readyz(request: Request) -> Response:
        db: Database = request.app.state.db
        try:
            revision = await run_in_threadpool(db.revision)
        except Exception as exc:  # any driver error means "not ready"
            return problems.problem_response(
                request,
                503,
                "database_unavailable",
                f"database not reachable: {type(exc).__name__}",
            )
        if revision is None:
            return problems.problem_response(
                request, 503, "database_not_migrated", "run `papi db upgrade` first"
            )
        return JSONResponse({"status": "ready", "revision": revision})


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ProblemDetail"] = problems.ProblemDetail.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    components.update(
        problems.ProblemDetail.model_json_schema(ref_template="#/components/schemas/{model}").pop(
            "$defs", {}
        )
    )
    components["ProblemDetail"].pop("$defs", None)
    # read by orjson in the handlers (not a body parameter), documented here
    for model in (SubmissionIn,):
        own = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(own.pop("$defs", {}))
        components.setdefault(model.__name__, own)
    app.openapi_schema = schema
    return schema
