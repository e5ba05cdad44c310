"""Response validation: each rule on the mini questionnaire, and the properties that a
generated response validates and that any single corruption of it is caught (hypothesis),
on the mini questionnaire and on papi-2021."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey import Questionnaire, ValidationIssue
from survey.conditions.evaluate import compile_predicate
from survey.simulate.random_response import generate_response
from survey.validation import validate_response, verdict

VALID: dict[str, Any] = {
    "d_sex": 1,
    "d_age": 25,
    "d_date": "2021-07-01",
    "q101": 1,
    "q102": 5,
    "q201": [1, 4],
    "q202": 3,
    "q203": 10.5,
    "q204": 2,
}


def issues(q: Questionnaire, **changes: Any) -> list[tuple[str, str]]:
    answers = {**VALID, **changes}
    for key in [k for k, v in changes.items() if v is ...]:
        del answers[key]
    return [(i.code, i.pointer) for i in validate_response(q, answers)]


def test_valid_response_has_no_issue(mini: Questionnaire) -> None:
    assert validate_response(mini, VALID) == []


RULES = [
    ("unknown item", {"q999": 1}, "unknown_item", "/answers/q999"),
    ("string for a choice", {"d_sex": "1"}, "wrong_type", "/answers/d_sex"),
    ("boolean for yes/no", {"q101": True}, "wrong_type", "/answers/q101"),
    ("fraction for an integer", {"d_age": 25.5}, "wrong_type", "/answers/d_age"),
    ("number for text", {"d_name": 3}, "wrong_type", "/answers/d_name"),
    ("not a date", {"d_date": "2021-02-30"}, "wrong_type", "/answers/d_date"),
    ("scalar for multiple choice", {"q201": 1}, "wrong_type", "/answers/q201"),
    ("string in a multiple choice", {"q201": [1, "2"]}, "wrong_type", "/answers/q201/1"),
    ("nested list in a multiple choice", {"q201": [[1], 2]}, "wrong_type", "/answers/q201/0"),
    ("object for a choice", {"d_sex": {"code": 1}}, "wrong_type", "/answers/d_sex"),
    ("nan for a decimal", {"q203": float("nan")}, "wrong_type", "/answers/q203"),
    ("code not among choices", {"d_sex": 3}, "unknown_code", "/answers/d_sex"),
    ("yes/no code 2", {"q101": 2}, "unknown_code", "/answers/q101"),
    ("multiple-choice code not among choices", {"q201": [1, 7]}, "unknown_code", "/answers/q201/1"),
    ("duplicate codes", {"q201": [4, 1, 4]}, "duplicate_code", "/answers/q201/2"),
    ("integer out of range", {"d_age": 71}, "out_of_range", "/answers/d_age"),
    ("decimal out of range", {"q203": 100.75}, "out_of_range", "/answers/q203"),
    ("rating outside its scale", {"q202": 5}, "out_of_range", "/answers/q202"),
    ("date out of range", {"d_date": "2022-01-01"}, "out_of_range", "/answers/d_date"),
    ("constraint false", {"q203": 30.0}, "constraint_failed", "/answers/q203"),
    ("required missing", {"d_age": ...}, "required", "/answers/d_age"),
    ("required when relevant", {"q102": ...}, "required", "/answers/q102"),
    ("answered when not relevant", {"q101": 0}, "not_relevant", "/answers/q102"),
    ("special not allowed", {"d_sex": -8}, "special_not_allowed", "/answers/d_sex"),
    ("special not allowed for this item", {"q101": -9}, "special_not_allowed", "/answers/q101"),
    (
        "special code inside a multiple-choice list",
        {"q201": [1, -8]},
        "unknown_code",
        "/answers/q201/1",
    ),
]


@pytest.mark.parametrize(
    ("changes", "code", "pointer"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_each_rule(mini: Questionnaire, changes: dict[str, Any], code: str, pointer: str) -> None:
    found = issues(mini, **changes)
    assert (code, pointer) in found, found


FLAGGED = {"integer out of range", "decimal out of range", "date out of range", "constraint false"}


@pytest.mark.parametrize(("name", "changes", "code", "pointer"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_rejects_or_flags_as_the_server_does(
    mini: Questionnaire, name: str, changes: dict[str, Any], code: str, pointer: str
) -> None:
    answers = {k: v for k, v in {**VALID, **changes}.items() if v is not ...}
    (issue,) = [
        i for i in validate_response(mini, answers) if (i.code, i.pointer) == (code, pointer)
    ]
    assert issue.severity == ("flag" if name in FLAGGED else "reject")
    v = verdict(mini, answers)
    assert v.accepted is (name in FLAGGED)
    assert issue in (v.flagged if name in FLAGGED else v.rejected)


def test_an_integral_float_is_that_integer(mini: Questionnaire) -> None:
    # JSON has one number type; the server stores 25.0 as 25 (api/canonical.py), so the
    # library reads it the same way: for an integer, a choice and a special code alike
    assert validate_response(mini, {**VALID, "d_age": 25.0, "d_sex": 1.0, "q204": 2.0}) == []
    assert verdict(mini, {**VALID, "d_age": 25.0}).accepted
    found = {
        (i.pointer, i.code, i.severity) for i in validate_response(mini, {**VALID, "d_sex": -8.0})
    }
    assert ("/answers/d_sex", "special_not_allowed", "reject") in found
    assert [i.code for i in validate_response(mini, {**VALID, "d_age": 2.0**53})] == ["wrong_type"]


def test_messages_name_item_value_and_expectation(mini: Questionnaire) -> None:
    (issue,) = validate_response(mini, {**VALID, "d_age": 71})
    assert isinstance(issue, ValidationIssue)
    assert "'d_age'" in issue.message and "71" in issue.message and "18..70" in issue.message
    assert issue.item == "d_age"
    assert issue.as_dict() == {
        "pointer": issue.pointer,
        "code": issue.code,
        "message": issue.message,
    }
    (issue,) = validate_response(mini, {**VALID, "q203": 30.0})
    assert "At most the age" in issue.message


def test_special_answers_are_accepted_and_count_as_missing(mini: Questionnaire) -> None:
    # q101 = don't know: q102 (relevant only if q101 == 1) must then be absent
    answers = {**VALID, "q101": -8}
    assert ("not_relevant", "/answers/q102") in issues(mini, q101=-8)
    del answers["q102"]
    assert validate_response(mini, answers) == []
    # a special multiple choice makes q202 (count_selected(q201) >= 1) not relevant
    answers = {**VALID, "q201": -8, "d_age": 40, "q203": ..., "q202": ...}
    answers = {k: v for k, v in answers.items() if v is not ...}
    assert validate_response(mini, answers) == []


def test_null_is_absent_and_optional_items_may_be_skipped(mini: Questionnaire) -> None:
    assert validate_response(mini, {**VALID, "d_name": None, "q204": None}) == []
    assert ("required", "/answers/d_sex") in issues(mini, d_sex=None)


def test_answers_must_be_a_mapping(mini: Questionnaire) -> None:
    (issue,) = validate_response(mini, [1, 2])
    assert (issue.code, issue.pointer) == ("wrong_type", "/answers")


def test_plan_is_compiled_once(mini: Questionnaire) -> None:
    validate_response(mini, VALID)
    plan = mini.cached("validation_plan")
    validate_response(mini, VALID)
    assert mini.cached("validation_plan") is plan


# ------------------------------------------------------------------ properties
CORRUPTIONS = [
    "unknown_item",
    "wrong_type",
    "unknown_code",
    "out_of_range",
    "required",
    "not_relevant",
    "special_not_allowed",
    "duplicate_code",
]


def _relevant_false(q: Questionnaire, answers: dict[str, Any]) -> list[str]:
    """Items that are absent because their relevance condition is false."""
    env: dict[str, Any] = {}
    specials = q.special_code_values
    out = []
    for item in q.items:
        if item.relevant and not compile_predicate(q.condition(item.relevant))(env):
            out.append(item.id)
            continue
        v = answers.get(item.id)
        env[item.id] = None if isinstance(v, int) and v in specials else v
    return out


def corrupt(
    q: Questionnaire, answers: dict[str, Any], kind: str, pick: Any
) -> tuple[dict[str, Any], str] | None:
    """One corruption of the given kind; returns the corrupted answers and the pointer that
    must carry an issue of that kind, or None when the response offers no target."""
    bad = dict(answers)
    specials = q.special_code_values
    real = [k for k, v in answers.items() if not (isinstance(v, int) and v in specials)]
    items = {it.id: it for it in q.items}
    if kind == "unknown_item":
        bad["zz_not_an_item"] = 1
        return bad, "/answers/zz_not_an_item"
    if kind == "wrong_type":
        if not real:
            return None
        key = pick(real)
        bad[key] = 3.5 if items[key].type in ("text", "date") else "3"
        return bad, f"/answers/{key}"
    if kind == "unknown_code":
        keys = [k for k in real if items[k].type in ("single_choice", "multiple_choice")]
        if not keys:
            return None
        key = pick(keys)
        code = max(q.codes_of(key)) + 100
        if items[key].type == "multiple_choice":
            bad[key] = [*answers[key], code]
            return bad, f"/answers/{key}/{len(answers[key])}"
        bad[key] = code
        return bad, f"/answers/{key}"
    if kind == "out_of_range":
        keys = [
            k
            for k in real
            if items[k].type == "rating"
            or (items[k].type in ("integer", "decimal") and items[k].max is not None)
        ]
        if not keys:
            return None
        key = pick(keys)
        it = items[key]
        bad[key] = (
            it.scale.max + 1
            if it.scale
            else (int(it.max) + 1 if it.type == "integer" else float(it.max) + 0.5)
        )  # type: ignore[arg-type]
        return bad, f"/answers/{key}"
    if kind == "required":
        keys = [k for k in answers if items[k].required]
        if not keys:
            return None
        key = pick(keys)
        del bad[key]
        return bad, f"/answers/{key}"
    if kind == "not_relevant":
        keys = _relevant_false(q, answers)
        if not keys:
            return None
        key = pick(keys)
        bad[key] = "x" if items[key].type == "text" else 1
        return bad, f"/answers/{key}"
    if kind == "special_not_allowed":
        keys = [k for k in answers if set(q.special_codes) - set(items[k].special)]
        if not keys:
            return None
        key = pick(keys)
        name = sorted(set(q.special_codes) - set(items[key].special))[0]
        bad[key] = q.special_codes[name]
        return bad, f"/answers/{key}"
    keys = [k for k in real if isinstance(answers[k], list) and answers[k]]
    if not keys:
        return None
    key = pick(keys)
    bad[key] = [*answers[key], answers[key][0]]
    return bad, f"/answers/{key}/{len(answers[key])}"


def _property(q: Questionnaire, data: st.DataObject) -> None:
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    answers = generate_response(q, seed, special_rate=data.draw(st.sampled_from([0.0, 0.1, 0.3])))
    assert validate_response(q, answers) == []
    kind = data.draw(st.sampled_from(CORRUPTIONS), label="kind")
    result = corrupt(q, answers, kind, lambda xs: data.draw(st.sampled_from(sorted(xs))))
    if result is None:
        return
    bad, pointer = result
    found = {(i.code, i.pointer) for i in validate_response(q, bad)}
    # a repeated or unknown code that makes the list longer than the item's choices exceeds a
    # bound no response may (survey.validation.answer_bounds), reported alone at the item
    exceeded = (
        kind in ("duplicate_code", "unknown_code")
        and ("too_many_codes", pointer.rsplit("/", 1)[0]) in found
    )
    assert (kind, pointer) in found or exceeded, (kind, pointer, found)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_generated_response_validates_and_any_corruption_is_caught(
    mini: Questionnaire, data: st.DataObject
) -> None:
    _property(mini, data)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_papi_2021_generated_and_corrupted(papi2021: Questionnaire, data: st.DataObject) -> None:
    _property(papi2021, data)
