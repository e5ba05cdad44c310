"""The respondent table (one row per interview): answers to and from its columns
(``table``) and the analysis-frame contract between collection and scoring
(``analysis_frame``: columns, dtypes, design columns, weights; docs/data-layout.md).

from survey.respondents import conform, responses_to_frame
frame = conform(responses_to_frame(q, records))   # the frame scoring.score reads
"""

from survey.respondents.analysis_frame import (
    FrameError,
    check_for_scoring,
    conform,
    design_columns,
)
from survey.respondents.table import frame_to_responses, responses_to_frame

__all__ = [
    "FrameError",
    "check_for_scoring",
    "conform",
    "design_columns",
    "frame_to_responses",
    "responses_to_frame",
]
