"""Questionnaire → ODK XForm: ODK Validate accepts it, the bytes are stable, both real form
engines fill it with our relevance and constraints, and their submissions read back into
the same answers."""

from __future__ import annotations

import numpy as np
import pytest

from survey.errors import QuestionnaireError
from survey.forms.xform import SubmissionInvalid, parse_submission, to_xform, validate_xform
from survey.forms.xlsform_read import read_xlsform
from survey.questionnaire.schema import Questionnaire
from tests.clients.answers import engine_answers, random_response
from tests.clients.authored import authored_xlsform
from tests.clients.engines import FillRejected, fill_javarosa, fill_webforms, javarosa_ready


@pytest.fixture(scope="module")
def papi_xform(papi2021: Questionnaire) -> bytes:
    return to_xform(papi2021).encode("utf-8")


def test_odk_validate_accepts_the_papi_2021_form(papi_xform: bytes) -> None:
    javarosa_ready()
    assert not [w for w in validate_xform(papi_xform) if "rror" in w]


def test_odk_validate_refuses_a_broken_form(papi_xform: bytes) -> None:
    javarosa_ready()
    broken = papi_xform.replace(b"selected(", b"no_such_function(", 1)
    with pytest.raises(QuestionnaireError) as err:
        validate_xform(broken)
    assert err.value.code == "xform_invalid"


def test_the_xform_bytes_are_deterministic(papi2021: Questionnaire, papi_xform: bytes) -> None:
    assert to_xform(papi2021.model_copy()).encode("utf-8") == papi_xform


@pytest.mark.parametrize("fill", [fill_javarosa, fill_webforms], ids=["javarosa", "webforms"])
def test_engines_fill_papi_2021_and_the_answers_come_back(
    papi2021: Questionnaire, papi_xform: bytes, fill: object
) -> None:
    """A random valid interview is accepted by the engine question by question (its
    relevance agrees with ours: nothing is skipped that we ask, nothing asked that we skip)
    and the instance XML parses back into exactly the same answers."""
    rng = np.random.default_rng(5)
    answers = random_response(papi2021, rng)
    filled = fill(papi_xform, engine_answers(answers, papi2021))  # type: ignore[operator]
    parsed = parse_submission(papi2021, filled.xml)
    assert parsed.answers == answers
    assert (parsed.form_id, parsed.version) == ("papi-2021", "2021.1")
    assert parsed.instance_id and parsed.instance_id.startswith("uuid:")
    assert {"start", "end"} <= set(parsed.meta)


@pytest.mark.parametrize("fill", [fill_javarosa, fill_webforms], ids=["javarosa", "webforms"])
def test_engines_enforce_the_exported_constraints(fill: object) -> None:
    q = read_xlsform(authored_xlsform())
    form = to_xform(q).encode("utf-8")
    base = {"province_code": "1", "district": "D1", "commune": "C1", "village": "V1", "sex": "2"}
    ok = fill(form, base | {"age": "40", "q1": "1", "q2": "-8", "q3": ["1"]})  # type: ignore[operator]
    assert parse_submission(q, ok.xml).answers["q2"] == -8  # don't know is allowed, and
    # counts as missing: q5 (relevant if q2 != 1) is not asked, as in our own validation
    assert "q5" not in parse_submission(q, ok.xml).answers
    cases = [
        ({"age": "12", "q1": "0"}, "age"),  # constraint . >= 18
        ({"age": "40", "q1": "0", "q2": "3"}, "q2"),  # not relevant when q1 = 0
        ({"age": "40", "q1": "1", "q2": "3", "q3": ["2"], "q4": "900", "q5": "0"}, "q4"),
        ({"age": "40", "q1": "1", "q2": "7", "q3": ["1"], "q5": "0"}, "q2"),  # no such choice
    ]
    for extra, item in cases:
        with pytest.raises(FillRejected) as err:
            fill(form, base | extra)  # type: ignore[operator]
        assert item in err.value.items, err.value.errors


def test_submissions_from_either_engine_dialect_parse_alike(papi2021: Questionnaire) -> None:
    collect = (
        b'<data xmlns:orx="http://openrosa.org/xforms" id="papi-2021" version="2021.1">'
        b"<sex>2</sex><q14_02>1 3</q14_02><q14_03>-8</q14_03><age>45</age>"
        b"<start>2026-11-21T10:00:00.000+07:00</start>"
        b"<orx:meta><orx:instanceID>uuid:1</orx:instanceID></orx:meta></data>"
    )
    parsed = parse_submission(papi2021, collect)
    assert parsed.answers == {"sex": 2, "age": 45, "q14_02": [1, 3], "q14_03": -8}
    assert parsed.instance_id == "uuid:1" and parsed.meta["start"].endswith("+07:00")
    with pytest.raises(SubmissionInvalid):
        parse_submission(papi2021, b"<data version='1'><sex>2</sex></data>")
    with pytest.raises(SubmissionInvalid, match="age"):
        parse_submission(papi2021, b"<data id='papi-2021'><age>forty</age></data>")


def test_a_date_with_dont_know_is_a_date_widget_and_a_special_question(
    papi2021: Questionnaire, papi_xform: bytes
) -> None:
    # q32_03 (a date allowing don't know) was a text field with a pattern that let
    # 2021-02-30 through: now a date widget after a select_one of the special answers
    text = papi_xform.decode()
    assert '<bind nodeset="/data/q32_03" type="date"' in text
    assert "q32_03__special" in text and "regex(" not in text


def _instance(fields: str) -> bytes:
    meta = "<meta><instanceID>uuid:1</instanceID></meta>"
    return f'<data id="papi-2021" version="2021.1">{fields}{meta}</data>'.encode()


def test_the_special_question_and_the_date_read_back_as_one_answer(
    papi2021: Questionnaire,
) -> None:
    def read(fields: str) -> object:
        return parse_submission(papi2021, _instance(fields)).answers.get("q32_03")

    assert read("<q32_03__special>-8</q32_03__special><q32_03/>") == -8
    assert read("<q32_03__special/><q32_03>2021-05-31</q32_03>") == "2021-05-31"
    assert read("<q32_03__special>-8</q32_03__special><q32_03>2021-05-31</q32_03>") == -8
    assert read("<q32_03__special/><q32_03/>") is None


def test_text_answers_are_read_as_typed(papi2021: Questionnaire) -> None:
    # spaces are part of a text answer (as in JSON); an engine lets an enumerator finalise
    # "  " for a required text question, so reading it as no answer stranded the interview
    answers = parse_submission(
        papi2021, _instance("<district>  Ba Đình </district><age> 45 </age>")
    ).answers
    assert answers["district"] == "  Ba Đình " and answers["age"] == 45
