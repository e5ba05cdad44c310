"""The compiled validity check (survey/validation/fast.py) agrees with the interpreted full
pass: it says "valid" exactly when the full pass finds no issue, on generated responses
(with special answers) and on every kind of corruption of them, for the mini questionnaire
and papi-2021."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey import Questionnaire
from survey.simulate.random_response import generate_response
from survey.validation import validate_response
from survey.validation.answer_bounds import bound_issues
from survey.validation.answer_rules import normalise_answers
from survey.validation.response import full_pass, plan_of
from tests.survey.test_validation import CORRUPTIONS, VALID, corrupt


def _agree(q: Questionnaire, answers: dict[str, object]) -> bool:
    plan = plan_of(q)
    assert plan.valid is not None
    full = full_pass(plan, answers)
    fast = plan.ids.issuperset(answers.keys()) and plan.valid(answers)
    assert fast == (not full), (fast, full)
    # validate_response reports the bounds no response may exceed alone
    # (survey.validation.answer_bounds), else reads an integral float as the integer first (as the
    # server does)
    expected = bound_issues(q, answers) or full_pass(plan, normalise_answers(answers))
    assert validate_response(q, answers) == expected
    return fast


def test_hand_made_cases(mini: Questionnaire) -> None:
    assert _agree(mini, dict(VALID))
    assert not _agree(mini, {**VALID, "q101": 99})
    assert not _agree(mini, {k: v for k, v in VALID.items() if k != "d_sex"})
    assert not _agree(mini, {**VALID, "q203": "ten"})


def _property(q: Questionnaire, data: st.DataObject) -> None:
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    rate = data.draw(st.sampled_from([0.0, 0.1, 0.3]))
    answers = generate_response(q, seed, special_rate=rate)
    assert _agree(q, answers)
    kind = data.draw(st.sampled_from(CORRUPTIONS), label="kind")
    result = corrupt(q, answers, kind, lambda xs: data.draw(st.sampled_from(sorted(xs))))
    if result is not None:
        assert not _agree(q, result[0])


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mini_agrees(mini: Questionnaire, data: st.DataObject) -> None:
    _property(mini, data)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_papi_2021_agrees(papi2021: Questionnaire, data: st.DataObject) -> None:
    _property(papi2021, data)
