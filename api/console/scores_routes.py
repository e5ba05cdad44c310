"""The console's survey-scores pages (``/console/surveys/{id}/scores...``): start a scoring
job, watch it, read its results, and the live what-if. Thin handlers over
``api.console.scores``, ``api.console.whatif`` and the jobs service."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.console import CONSOLE_PATH, scores, views, whatif
from api.console.i18n import translator
from api.console.routes import ConsoleRoute, Csrf, Current, _lang, render
from api.console.session import check_post
from api.jobs import service as jobs
from api.jobs.schemas import JobStatus, ScoreRequest
from api.unit_of_work import Uow
from survey.errors import PapiError
from survey.rng import DEFAULT_REPLICATES

router = APIRouter(prefix=CONSOLE_PATH, route_class=ConsoleRoute, include_in_schema=False)
JobId = Annotated[str, "uuid"]
LevelQ = Annotated[str, Query(max_length=3, pattern=r"^[A-Z0-9]*$")]
ProvinceQ = Annotated[str, Query(max_length=3, pattern=r"^(P[0-9]{2}|N[0-9]{2})?$")]
YearQ = Annotated[int | None, Query(ge=2018, le=2100)]


def _job_id(job_id: str) -> str:
    import uuid

    from survey.errors import NotFound

    try:
        return str(uuid.UUID(job_id))
    except ValueError:
        raise NotFound(f"{job_id!r} is not a job id") from None


@router.get("/surveys/{survey_id}/scores")
def scores_page(request: Request, session: Current, uow: Uow, survey_id: int) -> Response:
    survey = views.survey(uow.read, session.principal, survey_id)
    listed = scores.jobs_page(uow.read, session.principal, survey_id)
    return render(
        request,
        "scores.html",
        session=session,
        survey=survey,
        jobs=listed,
        tab="scores",
        default_replicates=DEFAULT_REPLICATES,
    )


@router.post("/surveys/{survey_id}/scores")
def start_scoring(
    request: Request,
    session: Current,
    uow: Uow,
    survey_id: int,
    csrf: Csrf,
    variance: Annotated[Literal["taylor", "bootstrap"], Form()] = "taylor",
    weighted: Annotated[str, Form(max_length=5)] = "",
    replicates: Annotated[int, Form(ge=10, le=5000)] = DEFAULT_REPLICATES,
) -> Response:
    """The jobs service's ``start_scoring`` (the API's POST .../scores); the runner is woken
    once the request's unit of work has committed the job (``after_commit``)."""
    check_post(request, session, csrf)
    spec = ScoreRequest(variance=variance, weighted=weighted == "1", replicates=replicates)
    job = jobs.start_scoring(uow.write, survey_id, session.principal, spec)
    uow.after_commit(request.app.state.jobs.wake)
    return RedirectResponse(f"{CONSOLE_PATH}/surveys/{survey_id}/scores/{job.id}", status_code=303)


@router.get("/surveys/{survey_id}/scores/{job_id}")
def job_page(
    request: Request,
    session: Current,
    uow: Uow,
    survey_id: int,
    job_id: JobId,
    level: LevelQ = "AGG",
    province: ProvinceQ = "",
    year: YearQ = None,
) -> Response:
    survey = views.survey(uow.read, session.principal, survey_id)
    lang = _lang(request)
    context = scores.job_context(
        uow.read, session.principal, survey_id, _job_id(job_id), lang, translator(lang),
        level, province, year,
    )  # fmt: skip
    return render(
        request, "score_job.html", session=session, survey=survey, tab="scores", **context
    )


@router.get("/surveys/{survey_id}/scores/{job_id}/status")
def job_status(
    request: Request, session: Current, uow: Uow, survey_id: int, job_id: JobId
) -> Response:
    """The job's status block (polled by the page while the job is queued or running)."""
    job = jobs.get_job(uow.read, survey_id, _job_id(job_id), session.principal)
    return render(request, "_score_status.html", session=session, job=job, survey_id=survey_id)


def _whatif_context(
    request: Request, session: Current, uow: Uow, survey_id: int, job_id: str
) -> dict[str, object]:
    lang = _lang(request)
    t = translator(lang)
    job = jobs.get_job(uow.read, survey_id, _job_id(job_id), session.principal)
    q = scores.questionnaire(uow.read, survey_id)
    label = scores.names(lang, q)
    base = whatif.defaults(job.params)
    query = parse_qs(request.url.query, keep_blank_values=True)
    context: dict[str, object] = {
        "job": job,
        "q": q,
        "label": label,
        "levels": scores.levels(q, t, label),
        "defaults": base,
        "aggregations": whatif.AGGREGATIONS,
        "normalisations": whatif.NORMALISATIONS,
        "variance_methods": whatif.VARIANCE_METHODS,
    }
    level = (query.get("level") or ["AGG"])[-1]
    level = level if level in dict(scores.levels(q, t, label)) else "AGG"
    context["level"] = level
    context["opened"] = {
        str(d.code)
        for d in q.structure.dimensions
        for s in d.subdimensions
        for code in (s.code, *(i.code for i in s.indicators))
        if code in set(query.get("drop", []))
    }
    try:
        choices = whatif.parse(query, q, base)
    except PapiError as exc:
        context.update(choices=base, error=exc, query=base.query())
        return context
    if job.status is not JobStatus.succeeded:
        context.update(choices=choices, query=choices.query())
        return context
    try:
        current = whatif.outcome(uow.read, survey_id, job.params, choices)
        # compare like with like: the nominal choices computed by the same engine
        nominal = whatif.outcome(
            uow.read, survey_id, job.params, choices.nominal(), engine=current.engine
        )
    except PapiError as exc:
        context.update(choices=choices, error=exc, query=choices.query())
        return context
    name = dict(scores.levels(q, t, label))[level]
    context.update(choices=choices, query=choices.query(), level_name=name)
    context.update(scores.whatif_view(current, nominal, level, label))
    return context


@router.get("/surveys/{survey_id}/scores/{job_id}/whatif")
def whatif_page(
    request: Request, session: Current, uow: Uow, survey_id: int, job_id: JobId
) -> Response:
    survey = views.survey(uow.read, session.principal, survey_id)
    context = _whatif_context(request, session, uow, survey_id, job_id)
    status = 422 if "error" in context else 200
    return render(
        request, "whatif.html", status, session=session, survey=survey, tab="scores", **context
    )


@router.get("/surveys/{survey_id}/scores/{job_id}/whatif/view")
def whatif_fragment(
    request: Request, session: Current, uow: Uow, survey_id: int, job_id: JobId
) -> Response:
    """The part of the what-if page that changes (fetched by whatif.js on every change)."""
    survey = views.survey(uow.read, session.principal, survey_id)
    context = _whatif_context(request, session, uow, survey_id, job_id)
    status = 422 if "error" in context else 200
    return render(request, "_whatif_result.html", status, session=session, survey=survey, **context)
