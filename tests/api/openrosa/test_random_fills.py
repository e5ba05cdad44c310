"""Both real engines fill and submit random interviews of every bundled PAPI form, and the
server accepts every one (201) and stores it once (no interview stranded on a tablet). 20 seeds per form and engine, on the form as the server serves it; each engine
runs once per form (the fillers' batch mode). Special answers come one time in seven, so
the date that allows "don't know" (q32_03) is answered both ways."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from survey.forms.xform import parse_submission
from survey.questionnaire.loader import load_questionnaire
from tests.api.openrosa.conftest import Fill, Server
from tests.api.openrosa.test_engines import browser_post
from tests.clients.answers import engine_answers, random_response
from tests.clients.collect import openrosa_message
from tests.clients.engines import Filled, FillRejected, fill_javarosa_batch, fill_webforms_batch

pytestmark = pytest.mark.slow  # about two minutes: 120 fills of ~190-item forms

FORMS = ("papi-2018", "papi-2019", "papi-2021")
SEEDS = range(20)
BATCH = {"javarosa": fill_javarosa_batch, "webforms": fill_webforms_batch}


_filled: dict[tuple[str, bytes], list[Fill]] = {}


@dataclass
class Project:
    survey: int
    token: str
    fills: list[Fill]


def _project(server: Server, name: str) -> Project:
    """A survey of ``name``, its form downloaded as Collect does, filled by both engines."""
    q = load_questionnaire(name)
    survey = server.survey(name)
    token = server.token(survey)
    collect = server.collect(survey, token)
    (entry,) = collect.form_list()
    form = collect.download(entry)
    if (name, form) in _filled:  # the same bytes on the other backend: filled already
        return Project(survey, token, _filled[(name, form)])
    fills = []
    for engine, fill in BATCH.items():
        answers = [random_response(q, np.random.default_rng(seed)) for seed in SEEDS]
        filled = fill(form, [engine_answers(a, q) for a in answers])
        refused = [f for f in filled if isinstance(f, FillRejected)]
        assert not refused, refused[:3]
        fills += [Fill(engine, a, f) for a, f in zip(answers, filled, strict=True)]
    _filled[(name, form)] = fills
    return Project(survey, token, fills)


@pytest.mark.parametrize("name", FORMS)
def test_every_random_fill_is_accepted_and_stored_once(server: Server, name: str) -> None:
    project = _project(server, name)
    q = load_questionnaire(name)
    expected: dict[str, dict[str, Any]] = {}
    for fill in project.fills:
        assert isinstance(fill.filled, Filled)
        if fill.engine == "javarosa":
            collect = server.collect(project.survey, project.token)
            (r,) = collect.submit(fill.filled.xml, fill.filled.attachments)
        else:
            r = browser_post(server, project.survey, project.token, fill)
        message = openrosa_message(r.content)
        assert (r.status_code, message) == (201, "full submission received"), fill.engine
        instance = parse_submission(q, fill.filled.xml).instance_id or ""
        expected[str(uuid.UUID(instance.removeprefix("uuid:")))] = fill.answers
    records = server.get(f"/surveys/{project.survey}/submissions?limit=1000")["items"]
    assert len(records) == len(expected) == len(BATCH) * len(SEEDS)
    assert {r["submission_id"]: r["answers"] for r in records} == expected
    specials = {v for f in project.fills for v in f.answers.values() if type(v) is int and v < 0}
    assert specials  # special answers were entered and came back
