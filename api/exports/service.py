"""Building a survey's export (also the input of the scoring job)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from api.exports.frame import respondent_frame
from api.questionnaires import catalog
from api.submissions import repository
from api.submissions.repository import Filters
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
    rows = repository.all_current(
        session, survey_id, filters or Filters(), None if include_rejected else "rejected"
    )
    return respondent_frame(q, rows, survey.sample), q


def frame_version(session: Session, survey_id: int) -> tuple[int, int, str]:
    """Changes whenever ``survey_frame`` may change (a submission arrives, is edited or
    reviewed): the key of a process cache of the frame."""
    return repository.frame_version(session, survey_id)
