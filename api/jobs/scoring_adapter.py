"""The scoring adapter of the job runner: each kind of job (``score``, ``sensitivity``)
reads the survey's respondent frame and calls the library (``scoring.score``,
``scoring.run_sensitivity``). A kind is a function ``(session, survey_id, params) -> result``
returning JSON-ready data; the runner knows nothing else about it."""

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

JobFn = Callable[[Session, int, dict[str, Any]], dict[str, Any]]


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


def run_score(session: Session, survey_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """``scoring.score`` on the survey's respondent frame (the Parquet export); the result is
    ``IndexScores.to_dict()``, the document ``papi score`` writes as scores.json."""
    from scoring import score

    spec = ScoreRequest.model_validate(params)
    frame, q = _frame(session, survey_id, spec.include_rejected)
    scores = score(frame, q, **spec.score_kwargs())
    # the one serialisation of a result: IndexScores.from_dict(job results) gives it back
    return scores.to_dict()


def run_sensitivity_job(session: Session, survey_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """``scoring.run_sensitivity`` on the survey's respondent frame, exactly as
    ``papi sensitivity --responses`` runs it on the same data: the document is the one of
    ``--json``, with ``input`` naming the survey instead of a file."""
    from scoring.sensitivity import default_audit, microdata_input, run_sensitivity
    from survey.geography import province_names

    req = SensitivityRequest.model_validate(params)
    spec = sensitivity_spec(req.spec)
    frame, q = _frame(session, survey_id, req.include_rejected)
    names = province_names()  # P01…P63 and the 2025 provinces N01…N96
    data = microdata_input(frame, q, replicates=req.replicates, rng=req.seed, names=names)
    result = run_sensitivity(
        data,
        spec if spec is not None else default_audit(microdata=True),
        runs=req.runs,
        sobol_n=req.sobol_n,
        rng=req.seed,
    )
    doc: dict[str, Any] = result.to_json()
    doc["input"] = {
        "survey": survey_id,
        "questionnaire": q.id,
        "replicates": req.replicates,
        "seed": req.seed,
    }
    return doc


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
