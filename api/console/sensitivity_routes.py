"""The console's sensitivity pages (``/console/published/sensitivity`` and
``/console/surveys/{id}/sensitivity``): thin handlers over ``api.console.sensitivity`` and
the API's job service. Included by ``api.console.routes``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.console import CONSOLE_PATH, views
from api.console import sensitivity as sens
from api.console.routes import ConsoleRoute, Csrf, Current, Year, _lang, render
from api.console.session import check_post
from api.jobs import service as jobs
from api.jobs.schemas import JobOut, JobStatus, SensitivityRequest
from api.unit_of_work import Uow
from survey.published import YEARS

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Runs = Annotated[int, Query(ge=1, le=100_000)]
Seed = Annotated[int, Query(ge=0, le=2**32 - 1)]
JobParam = Annotated[str, Query(max_length=36, pattern=r"^[0-9a-f\-]*$")]
DEFAULT_YEAR = 2023


def _names(lang: str, questionnaire: str | None) -> dict[str, str]:
    from api.reporting.brief import names

    return names(lang, questionnaire)


# ------------------------------------------------------------------------ published year


def _published_query(year: int, runs: int, seed: int) -> str:
    return urlencode({"year": year, "runs": runs, "seed": seed, "run": 1})


@router.get("/published/sensitivity")
def published_page(
    request: Request,
    session: Current,
    year: Year = DEFAULT_YEAR,
    runs: Runs = sens.RUN_CHOICES[0],
    seed: Seed = 0,
    run: bool = False,
) -> Response:
    """``run=1`` (the address the form leads to): a worker that has not computed this audit
    starts it, so that with several workers the page never loses an audit it was asked for
    (the result depends on the year, runs and seed only)."""
    from api.console import explorer as ex

    key = sens.AuditKey(ex.check_year(year), sens.check_runs(runs), seed)
    state = sens.AUDITS.get(key)
    if state is None and run:
        state = sens.AUDITS.start(key)
    lang = _lang(request)
    context: dict[str, Any] = {}
    if state is not None and state.result is not None:
        context = sens.view(state.result, ex.names(lang, year), lang)
    return render(
        request,
        "sensitivity.html",
        session=session,
        source="published",
        year=year,
        years=YEARS,
        chosen_runs=runs,
        chosen_seed=seed,
        run_choices=sens.RUN_CHOICES,
        state=state,
        status_url=f"{CONSOLE_PATH}/published/sensitivity/status?{_published_query(year, runs, seed)}",
        action=f"{CONSOLE_PATH}/published/sensitivity",
        data_text=_data_text(lang, year=year),
        **context,
    )


@router.post("/published/sensitivity")
def published_start(
    request: Request,
    session: Current,
    csrf: Csrf,
    year: Annotated[int, Form(ge=1900, le=2100)] = DEFAULT_YEAR,
    runs: Annotated[int, Form(ge=1, le=100_000)] = sens.RUN_CHOICES[0],
    seed: Annotated[int, Form(ge=0, le=2**32 - 1)] = 0,
) -> Response:
    from api.console import explorer as ex

    check_post(request, session, csrf)
    sens.AUDITS.start(sens.AuditKey(ex.check_year(year), sens.check_runs(runs), seed))
    return RedirectResponse(
        f"{CONSOLE_PATH}/published/sensitivity?{_published_query(year, runs, seed)}",
        status_code=303,
    )


@router.get("/published/sensitivity/status")
def published_status(
    request: Request,
    session: Current,
    year: Year = DEFAULT_YEAR,
    runs: Runs = sens.RUN_CHOICES[0],
    seed: Seed = 0,
) -> Response:
    """The progress fragment; a worker that has not seen this audit starts it (see above)."""
    from api.console import explorer as ex

    key = sens.AuditKey(ex.check_year(year), sens.check_runs(runs), seed)
    state = sens.AUDITS.get(key) or sens.AUDITS.start(key)
    return render(request, "sensitivity_status.html", session=session, state=state, job=None)


def _data_text(lang: str, *, year: int | None = None, survey: str | None = None) -> str:
    from api.console.i18n import translator
    from api.reporting.i18n import labels

    if year is not None:
        return labels(lang)["sens_data_published"].format(year=year)
    return translator(lang)("sens_data_survey").format(survey=survey)


# -------------------------------------------------------------------------------- survey


@router.get("/surveys/{survey_id}/sensitivity")
def survey_page(
    request: Request,
    session: Current,
    uow: Uow,
    survey_id: int,
    job: JobParam = "",
) -> Response:
    survey = views.survey(uow.read, session.principal, survey_id)
    jobs.check_score(uow.read, survey_id, session.principal)
    found: JobOut | None = None
    context: dict[str, Any] = {}
    lang = _lang(request)
    if job:
        found = jobs.get_job(uow.read, survey_id, job, session.principal, kind="sensitivity")
        if found.status is JobStatus.succeeded and found.results is not None:
            context = sens.view(found.results, _names(lang, survey.questionnaire.id), lang)
    return render(
        request,
        "sensitivity.html",
        session=session,
        survey=survey,
        tab="sensitivity",
        source="survey",
        chosen_runs=found.params.get("runs", sens.RUN_CHOICES[0]) if found else sens.RUN_CHOICES[0],
        chosen_seed=found.params.get("seed", 0) if found else 0,
        run_choices=sens.RUN_CHOICES,
        job=found,
        state=None,
        status_url=f"{CONSOLE_PATH}/surveys/{survey_id}/sensitivity/status?job={job}",
        action=f"{CONSOLE_PATH}/surveys/{survey_id}/sensitivity",
        data_text=_data_text(lang, survey=survey.name),
        **context,
    )


@router.post("/surveys/{survey_id}/sensitivity")
def survey_start(
    request: Request,
    session: Current,
    uow: Uow,
    survey_id: int,
    csrf: Csrf,
    runs: Annotated[int, Form(ge=1, le=100_000)] = sens.RUN_CHOICES[0],
    seed: Annotated[int, Form(ge=0, le=2**32 - 1)] = 0,
) -> Response:
    """The API's ``POST /api/v1/surveys/{id}/sensitivity`` with the session's principal."""
    check_post(request, session, csrf)
    req = SensitivityRequest(runs=sens.check_runs(runs), seed=seed, sobol_n=sens.SOBOL_N)
    job = jobs.start_sensitivity(uow.write, survey_id, session.principal, req)
    uow.after_commit(request.app.state.jobs.wake)
    return RedirectResponse(
        f"{CONSOLE_PATH}/surveys/{survey_id}/sensitivity?job={job.id}", status_code=303
    )


@router.get("/surveys/{survey_id}/sensitivity/status")
def survey_status(
    request: Request, session: Current, uow: Uow, survey_id: int, job: JobParam = ""
) -> Response:
    found = jobs.get_job(uow.read, survey_id, job, session.principal, kind="sensitivity")
    elapsed = None
    if found.started_at is not None and found.finished_at is None:
        elapsed = int((datetime.now(UTC) - found.started_at).total_seconds())
    return render(
        request, "sensitivity_status.html", session=session, state=None, job=found, elapsed=elapsed
    )
