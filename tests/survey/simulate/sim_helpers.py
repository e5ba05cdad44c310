"""Helpers shared by the simulator tests (a uniquely named module: tests/survey has its own
conftest.py, so ``from conftest import`` would be ambiguous)."""

from __future__ import annotations

import pandas as pd

from survey.loader import load_questionnaire, parse_questionnaire, to_document
from survey.published import subdimensions
from survey.sampling import Frame, load_frame
from survey.schema import Questionnaire


def flat_questionnaire(name: str = "papi-2021") -> Questionnaire:
    """The bundled questionnaire with every indicator asked of everyone.

    In the bundled questionnaires some indicators sit two rare screeners deep (SC32_03 needs
    a contact with the authorities *and* a response; SC83_03 an e-complaint *and* a reply).
    At the published 2023 levels (SC32 ≈ 1.3 on 1..10, so about 4% at each step) a province
    of 192 respondents expects fewer than one eligible respondent, scoring suppresses the
    indicator (min_n = 10), and with it the province's dimension and aggregate. To test
    calibration and coverage of *aggregates* we therefore drop the skip logic of indicator
    items (relevance and eligibility); the same indicators, goalposts and targets remain.
    """
    q = load_questionnaire(name)
    doc = to_document(q)
    scored = {i for ind in q.indicators for i in ind.item_ids}
    for item in doc["items"]:
        if item["id"] in scored:
            item["relevant"] = None
    for dim in doc["structure"]["dimensions"]:
        for sub in dim["subdimensions"]:
            for ind in sub["indicators"]:
                ind["eligible"] = None
    return parse_questionnaire(doc, source=f"{name} (flattened for tests)")


def replicated(provinces: list[str], copies: int, year: int) -> tuple[Frame, pd.DataFrame]:
    """A frame of ``copies`` independent copies of some provinces, and their targets."""
    frame = load_frame().subset(provinces).replicated(copies)
    published = subdimensions(year).set_index("province")
    codes = frame.provinces["province"]
    targets = published.loc[[c.split(".")[0] for c in codes]]
    targets.index = pd.Index(codes.to_numpy())
    return frame, targets
