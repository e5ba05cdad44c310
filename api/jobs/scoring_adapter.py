"""The scoring adapter of the job runner: each kind of job (``score``, ``sensitivity``)
reads the survey's respondent frame and calls the library (``scoring.score``,
``scoring.run_sensitivity``). A kind is a function ``(session, survey_id, params, report) ->
result`` returning JSON-ready data; the runner knows nothing else about it. ``report(fraction,
stage)`` tells how far the job is (``fraction`` in 0–1, ``stage`` one of ``STAGES``); the runner
stores it, throttled.

Scoring reports coarse steps (its frame read, then scored); the sensitivity audit reports
each chunk of its runs, the Monte Carlo runs filling ``MC_BAND`` and the Sobol' runs
``SOBOL_BAND`` of the bar (each stage's own ``done / total`` is exact; the split between the
two is a fixed share, as their relative cost depends on the number of uncertain choices)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy.orm import Session

from api.exports.service import survey_frame
from api.jobs.schemas import ScoreRequest, SensitivityRequest

if TYPE_CHECKING:
    from scoring.sensitivity import Spec
    from survey.questionnaire.schema import Questionnaire

Report = Callable[[float, str], None]
JobFn = Callable[[Session, int, dict[str, Any], Report], dict[str, Any]]

# every stage a job reports, in order (the console translates each: job_stage_<name>)
STAGES = ("started", "reading", "scoring", "preparing", "monte_carlo", "sobol", "finishing", "done")
MC_BAND = (0.10, 0.50)
SOBOL_BAND = (0.50, 0.95)


def _frame(
    session: Session, survey_id: int, include_rejected: bool
) -> tuple[pd.DataFrame, Questionnaire]:
    """The respondent frame a job works on; a failed job with a reason when it is empty
    (scoring no rows used to fail deep in the variance code with a numpy ValueError)."""
    from survey.errors import PapiError

    frame, q = survey_frame(session, survey_id, include_rejected=include_rejected)
    if frame.empty:
        scope = "" if include_rejected else " that is not rejected"
        raise PapiError(
            f"survey {survey_id} has no submission{scope} yet: nothing to compute",
            code="no_submissions",
        )
    return frame, q


def run_score(
    session: Session, survey_id: int, params: dict[str, Any], report: Report
) -> dict[str, Any]:
    """``scoring.score`` on the survey's respondent frame (the Parquet export); the result is
    ``IndexScores.to_dict()``, the document ``papi score`` writes as scores.json."""
    from scoring import score

    spec = ScoreRequest.model_validate(params)
    report(0.0, "reading")
    frame, q = _frame(session, survey_id, spec.include_rejected)
    report(0.1, "scoring")
    scores = score(frame, q, **spec.score_kwargs())
    report(0.95, "finishing")
    # the one serialisation of a result: IndexScores.from_dict(job results) gives it back
    return scores.to_dict()


def run_sensitivity_job(
    session: Session, survey_id: int, params: dict[str, Any], report: Report
) -> dict[str, Any]:
    """``scoring.run_sensitivity`` on the survey's respondent frame, exactly as
    ``papi sensitivity --responses`` runs it on the same data: the document is the one of
    ``--json``, with ``input`` naming the survey instead of a file."""
    from scoring.sensitivity import default_audit, microdata_input, run_sensitivity
    from survey.geography import province_names

    req = SensitivityRequest.model_validate(params)
    spec = sensitivity_spec(req.spec)
    report(0.0, "reading")
    frame, q = _frame(session, survey_id, req.include_rejected)
    report(0.02, "preparing")
    names = province_names()  # P01…P63 and the 2025 provinces N01…N96
    data = microdata_input(frame, q, replicates=req.replicates, rng=req.seed, names=names)
    result = run_sensitivity(
        data,
        spec if spec is not None else default_audit(microdata=True),
        runs=req.runs,
        sobol_n=req.sobol_n,
        rng=req.seed,
        progress=lambda stage, done, total: report(*sensitivity_progress(stage, done, total)),
    )
    doc: dict[str, Any] = result.to_json()
    doc["input"] = {
        "survey": survey_id,
        "questionnaire": q.id,
        "replicates": req.replicates,
        "seed": req.seed,
    }
    return doc


def sensitivity_progress(stage: str, done: int, total: int) -> tuple[float, str]:
    """The fraction and stage of a sensitivity job whose ``run_sensitivity`` reported
    ``progress(stage, done, total)``: after the last Sobol' run come its confidence
    intervals, the removals and the diagnostics ("finishing")."""
    low, high = MC_BAND if stage == "monte_carlo" else SOBOL_BAND
    part = done / total if total > 0 else 1.0
    if stage == "sobol" and done >= total:
        return SOBOL_BAND[1], "finishing"
    return low + (high - low) * min(part, 1.0), stage


def sensitivity_spec(
    data: dict[str, Any] | None, questionnaire: Questionnaire | None = None
) -> Spec | None:
    """The validated spec of a request (``None``: the default audit), checked against the
    questionnaire's index when given. A bad choice is a ``SpecError`` whose problems point
    into the request body (``/spec/...``)."""
    from scoring.index.structure import IndexStructure
    from scoring.sensitivity import Spec
    from survey.errors import Problem, SpecError

    if data is None:
        return None
    try:
        spec = Spec.parse(data)
        if questionnaire is not None:
            st = IndexStructure.from_questionnaire(questionnaire)
            spec.check(
                microdata=True,
                levels=("subdimension", "dimension", "index"),
                codes={
                    "indicator": st.indicators,
                    "subdimension": st.subdimensions,
                    "dimension": st.dimensions,
                },
            )
    except SpecError as exc:
        raise SpecError.with_problems(
            exc.message,
            [Problem("/spec" + p.pointer, p.code, p.message) for p in exc.problems],
            code=exc.code,
        ) from None
    return spec


KINDS: dict[str, JobFn] = {"score": run_score, "sensitivity": run_sensitivity_job}
