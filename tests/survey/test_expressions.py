"""The condition language: parser (trees, errors with columns), scalar semantics of missing
values, and the agreement of the scalar and the vectorised evaluators (hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey import Questionnaire
from survey.conditions.evaluate import evaluate
from survey.conditions.expressions import (
    And,
    Arith,
    Call,
    Cmp,
    ExpressionParseError,
    In,
    Lit,
    Node,
    Not,
    Or,
    Ref,
    parse_condition,
    referenced_items,
    to_source,
)
from survey.conditions.frame_eval import evaluate_frame
from survey.errors import ExpressionError
from survey.respondents.table import responses_to_frame
from survey.rng import spawn
from survey.simulate.random_response import generate_response


def test_precedence_not_binds_tighter_than_and_than_or() -> None:
    tree = parse_condition("not a == 1 and b in (1, 2) or c != 'x'")
    assert tree == Or(
        (
            And((Not(Cmp("==", Ref("a", 5), Lit(1))), In(Ref("b", 16), (1, 2)))),
            Cmp("!=", Ref("c", 31), Lit("x")),
        )
    )


def test_calls_lists_and_literals() -> None:
    assert parse_condition("selected(q201, 4)") == Call("selected", "q201", 4, 10)
    assert parse_condition("count_selected(q201) >= 2") == Cmp(
        ">=", Call("count_selected", "q201", None, 16), Lit(2)
    )
    assert parse_condition("x not in [-8, 'a', 2.5]") == In(
        Ref("x", 1), (-8, "a", 2.5), negated=True
    )
    assert parse_condition("x == null") == Cmp("==", Ref("x", 1), Lit(None))
    assert parse_condition(". <= age - 18").left == Ref(".", 1)


@pytest.mark.parametrize(
    ("source", "column"),
    [
        ("q1 ==", 6),
        ("q1 = 1", 4),
        ("(q1 == 1", 9),
        ("selected(q1)", 12),
        ("selected(q1, 'a')", 14),
        ("q1 in 1", 7),
        ("q1 == 1 q2", 9),
        ("and q1", 1),
        ("q1 @ 2", 4),
        ("", 1),
        ("q1 in (1,)", 10),
    ],
)
def test_parse_errors_carry_the_column(source: str, column: int) -> None:
    with pytest.raises(ExpressionParseError) as info:
        parse_condition(source)
    assert info.value.column == column
    assert f"column {column}" in info.value.message
    assert isinstance(info.value, ExpressionError)


def test_referenced_items_excludes_dot() -> None:
    tree = parse_condition(". <= a + count_selected(b) and answered(c) or not selected(d, 1)")
    assert referenced_items(tree) == {"a", "b", "c", "d"}


MISSING_CASES = [
    ("x == 1", {"x": 1}, True),
    ("x == 1", {}, False),
    ("x != 1", {}, False),
    ("not (x == 1)", {}, True),
    ("x == 1", {"x": -8}, False),
    ("x != 1", {"x": -8}, False),
    ("x in (1, 2)", {"x": None}, False),
    ("x not in (1, 2)", {}, False),
    ("x not in (1, 2)", {"x": 3}, True),
    ("answered(x)", {"x": -8}, False),
    ("answered(x)", {"x": 0}, True),
    ("selected(m, 2)", {"m": [1, 2]}, True),
    ("selected(m, 2)", {"m": -8}, False),
    ("count_selected(m) == 0", {"m": -8}, True),
    ("count_selected(m) == 2", {"m": [1, 3]}, True),
    ("x == null", {"x": -8}, True),
    ("x != null", {"x": 2}, True),
    ("x + 1 > 2", {"x": 2}, True),
    ("x + 1 > 2", {}, False),
    ("x == 'a'", {"x": 1}, False),
    ("x != 'a'", {"x": 1}, True),
    ("x < 'a'", {"x": 1}, False),
    ("d >= '2021-01-01'", {"d": "2021-06-30"}, True),
    ("x", {"x": 0}, False),
    ("x", {"x": 3}, True),
    ("true and not false", {}, True),
]


@pytest.mark.parametrize(("source", "answers", "expected"), MISSING_CASES)
def test_scalar_semantics(source: str, answers: dict[str, Any], expected: bool) -> None:
    assert evaluate(source, answers, special={-8, -9}) is expected


def test_constraint_reads_the_current_answer() -> None:
    assert evaluate(". <= age", {"age": 30}, current=20)
    assert not evaluate(". <= age", {"age": 30}, current=40)


# ------------------------------------------------------------------ scalar == frame
NUMERIC = ["d_sex", "d_age", "q101", "q102", "q202", "q203", "q204"]
STRINGS = ["d_name", "d_date"]
num_lit = st.one_of(st.integers(-9, 80), st.sampled_from([0.5, 2.5, 30.25]))
str_lit = st.sampled_from(["a", "zz", "2021-07-01", "2021-10-15", ""])

leaf: st.SearchStrategy[Node] = st.one_of(
    st.sampled_from(NUMERIC + STRINGS).map(lambda i: Ref(i)),
    num_lit.map(Lit),
    str_lit.map(Lit),
    st.sampled_from([None, True, False]).map(Lit),
    st.sampled_from([1, 2, 3, 4, 9]).map(lambda c: Call("selected", "q201", c)),
    st.just(Call("count_selected", "q201")),
    st.sampled_from([*NUMERIC, *STRINGS, "q201"]).map(lambda i: Call("answered", i)),
)


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    return st.one_of(
        st.builds(Cmp, ops, children, children),
        st.builds(
            In,
            children,
            st.lists(st.one_of(num_lit, str_lit), min_size=1, max_size=3).map(tuple),
            st.booleans(),
        ),
        st.builds(lambda a, b: And((a, b)), children, children),
        st.builds(lambda a, b: Or((a, b)), children, children),
        st.builds(Not, children),
        st.builds(
            lambda op, a, b: Arith(op, a, b),
            st.sampled_from(["+", "-"]),
            children,
            children,
        ),
    )


trees = st.recursive(leaf, _extend, max_leaves=8)


@pytest.fixture(scope="module")
def sample(mini: Questionnaire) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    responses = [generate_response(mini, g, special_rate=0.2) for g in spawn(7, 60)]
    responses += [{}, {"d_sex": 2, "q201": -8, "q101": -8}]
    return responses, responses_to_frame(mini, responses)


@settings(max_examples=300, deadline=None)
@given(tree=trees)
def test_scalar_and_frame_evaluators_agree(
    tree: Node, mini: Questionnaire, sample: tuple[list[dict[str, Any]], pd.DataFrame]
) -> None:
    responses, frame = sample
    source = to_source(tree)
    reparsed = parse_condition(source)
    assert to_source(reparsed) == source
    vector = evaluate_frame(reparsed, frame, mini)
    scalar = np.array([evaluate(reparsed, r, special=mini.special_code_values) for r in responses])
    assert vector.dtype == bool
    assert (vector == scalar).all(), (source, np.flatnonzero(vector != scalar))


def test_frame_reads_multiple_choice_columns(mini: Questionnaire) -> None:
    frame = responses_to_frame(mini, [{"q201": [1, 3]}, {"q201": -8}, {}])
    assert list(frame.columns[:5]) == ["d_sex", "d_age", "d_name", "d_date", "q101"]
    assert {"q201", "q201_1", "q201_4"} <= set(frame.columns)
    assert evaluate_frame("selected(q201, 3)", frame, mini).tolist() == [True, False, False]
    assert evaluate_frame("count_selected(q201)", frame, mini).tolist() == [True, False, False]
    assert evaluate_frame("answered(q201)", frame, mini).tolist() == [True, False, False]


def test_frame_errors_name_the_missing_column(mini: Questionnaire) -> None:
    frame = pd.DataFrame({"d_sex": [1, 2]})
    with pytest.raises(ExpressionError, match="no column 'd_age'"):
        evaluate_frame("d_age > 3", frame, mini)
    with pytest.raises(ExpressionError, match="selected"):
        evaluate_frame("q201 == 1", frame, mini)


def test_frame_special_codes_count_as_missing(mini: Questionnaire) -> None:
    frame = pd.DataFrame({"q101": pd.array([1, -8, None, 0], dtype="Int64")})
    assert evaluate_frame("q101 == 1", frame, mini).tolist() == [True, False, False, False]
    assert evaluate_frame("not (q101 == 0)", frame, mini).tolist() == [True, True, True, False]
    assert evaluate_frame("q101 == null", frame, mini).tolist() == [False, True, True, False]
