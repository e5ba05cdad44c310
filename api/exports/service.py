"""Building a survey's export (also the input of the scoring job)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from api.auth.schemas import Principal
from api.auth.service import Action, authorize
from api.exports.frame import respondent_frame
from api.questionnaires import catalog
from api.submissions import service as submissions
from api.submissions.records import Filters
from api.surveys.service import get_survey
from survey.questionnaire.schema import Questionnaire


def survey_frame(
    session: Session,
    survey_id: int,
    *,
    include_rejected: bool = False,
    filters: Filters | None = None,
) -> tuple[pd.DataFrame, Questionnaire]:
    survey = get_survey(session, survey_id)
    q = catalog.get(session, survey.questionnaire_pk)
    rows = submissions.current_submissions(
        session, survey_id, filters=filters or Filters(), include_rejected=include_rejected
    )
    return respondent_frame(q, rows, survey.sample), q


def frame_version(session: Session, survey_id: int) -> tuple[int, int, str]:
    """Changes whenever ``survey_frame`` may change (a submission arrives, is edited or
    reviewed): the key of a process cache of the frame."""
    return submissions.frame_version(session, survey_id)


def check_export(session: Session, survey_id: int, caller: Principal) -> None:
    """404 for an unknown survey, then 403 unless ``caller`` may export it."""
    get_survey(session, survey_id)
    authorize(caller, Action.export, survey_id)
