"""XLSForm ⇄ questionnaire: round trips, hand-written XLSForms, conditions ⇄ XPath, and
errors that name the sheet, row and column."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from survey.conditions.evaluate import evaluate
from survey.conditions.expressions import (
    And,
    Call,
    Cmp,
    In,
    Lit,
    Node,
    Not,
    Or,
    Ref,
    parse_condition,
)
from survey.conditions.xpath import ItemKind, render, to_xpath
from survey.conditions.xpath_parse import from_xpath
from survey.errors import QuestionnaireError
from survey.forms.xlsform import to_xlsform_rows, write_xlsform
from survey.forms.xlsform_read import read_xlsform
from survey.questionnaire.loader import load_questionnaire
from survey.questionnaire.schema import Questionnaire
from tests.clients.answers import random_response
from tests.clients.authored import CHOICES, INDICATORS, SETTINGS, SURVEY, authored_xlsform


@pytest.mark.parametrize("name", ["papi-2018", "papi-2019", "papi-2021"])
def test_bundled_questionnaires_round_trip_exactly(name: str) -> None:
    q = load_questionnaire(name)
    assert read_xlsform(write_xlsform(q)) == q


def _without_papi_columns(data: bytes) -> bytes:
    """The workbook as an ODK-only tool would keep it: no papi_relevant / papi_constraint /
    min / max columns, so conditions are read back from the XPath alone."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb["survey"]
    header = [c.value for c in ws[1]]
    for name in ("papi_relevant", "papi_constraint", "min", "max"):
        ws.delete_cols(header.index(name) + 1)
        header.remove(name)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_conditions_read_back_from_xpath_alone_mean_the_same(papi2021: Questionnaire) -> None:
    q2 = read_xlsform(_without_papi_columns(write_xlsform(papi2021)))
    assert [it.id for it in q2.items] == [it.id for it in papi2021.items]
    rng = np.random.default_rng(11)
    specials = papi2021.special_code_values
    checked = 0
    for _ in range(40):
        answers = random_response(papi2021, rng)
        # and a perturbed copy: answers dropped or replaced by a special code
        noisy = {
            k: (-8 if rng.random() < 0.2 else v) for k, v in answers.items() if rng.random() < 0.8
        }
        for env in (answers, noisy):
            for a, b in zip(papi2021.items, q2.items, strict=True):
                if a.relevant:
                    want = evaluate(papi2021.condition(a.relevant), env, special=specials)
                    got = evaluate(q2.condition(b.relevant or "true"), env, special=specials)
                    assert got == want, (a.id, a.relevant, b.relevant)
                    checked += 1
    assert checked > 1000
    bounded = q2.item("age")
    assert bounded.min is None and bounded.constraint == ". >= 18 and . <= 70"


def test_an_xlsform_written_by_hand_is_read_into_the_questionnaire() -> None:
    q = read_xlsform(authored_xlsform())
    assert (q.id, q.version, q.year, q.title.en) == (
        "commune-pilot",
        "2026.1",
        2026,
        "Commune services pilot",
    )
    assert q.item_ids == (
        "province_code",
        "district",
        "commune",
        "village",
        "sex",
        "age",
        "q1",
        "q2",
        "q3",
        "q4",
        "q5",
    )
    assert q.item("age").section == "respondent" and q.item("q5").section == "services"
    assert q.item("q2").relevant == "q1 == 1"
    assert q.item("q4").relevant == "selected(q3, 2)"
    assert q.item("q5").relevant == "q1 == 1 and q2 != 1"
    assert q.item("age").constraint == ". >= 18 and . <= 70"
    assert q.item("q2").special == ("dont_know",)
    assert [c.code for c in q.choices_of("q2")] == [1, 2, 3, 4]  # -8 is a special answer
    assert q.item("q3").type == "multiple_choice"
    assert q.structure_signature == "1"
    share, _, mean = q.indicators
    assert (share.kind, share.item, share.codes, share.eligible) == (
        "share",
        "q2",
        (3, 4),
        "q1 == 1",
    )
    assert (mean.kind, mean.items, mean.direction, mean.goalposts) == (
        "mean",
        ("q4",),
        "negative",
        (600.0, 0.0),
    )
    # and it exports again to a form pyxform and ODK tools accept, and round-trips from there
    assert read_xlsform(write_xlsform(q)) == q


def test_indicators_may_be_written_next_to_their_questions() -> None:
    """The survey-sheet shorthand (indicator, subdimension, codes, eligible, direction,
    goalposts) gives the same index as the indicators sheet, except the indicators' order,
    which follows the questions."""
    sheet = read_xlsform(authored_xlsform())
    short = read_xlsform(authored_xlsform(shorthand=True))
    assert short.items == sheet.items
    by_code = {i.code: i for i in sheet.indicators}
    assert [i.code for i in short.indicators] == ["SC11_01", "SC11_03", "SC11_02"]
    for ind in short.indicators:
        assert ind == by_code[ind.code].model_copy(update={"source": ind.source})
    assert [d.code for d in short.structure.dimensions] == ["D1"]


def test_shorthand_dimensions_default_to_published_names() -> None:
    rows = [
        r | {"indicator": "SC51_09", "subdimension": "SC51", "codes": "1"}
        if r.get("name") == "q1"
        else r
        for r in SURVEY
    ]
    q = read_xlsform(_workbook(sheets={"survey": rows}))
    d5 = next(d for d in q.structure.dimensions if d.code == "D5")
    assert d5.subdimensions[0].code == "SC51" and d5.name.en and d5.name.en != "D5"
    assert q.indicator("SC51_09").goalposts == (0.0, 1.0)


def _workbook(**changes: Any) -> bytes:
    from openpyxl import Workbook

    sheets = {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS, "indicators": INDICATORS}
    sheets = {k: [dict(r) for r in v] for k, v in (sheets | changes.get("sheets", {})).items()}
    for (sheet, index), row in changes.get("rows", {}).items():
        sheets[sheet][index] = {**sheets[sheet][index], **row}
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        cols = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c) for c in cols])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _problems(data: bytes) -> dict[str, str]:
    with pytest.raises(QuestionnaireError) as err:
        read_xlsform(data)
    return {p.pointer: p.message for p in err.value.problems}


@pytest.mark.parametrize(
    ("rows", "pointer", "text"),
    [
        ({("survey", 7): {"type": "geopoint"}}, "/survey/9/type", "no PAPI item type"),
        (
            {("survey", 12): {"relevant": "string-length(${q1}) > 0"}},
            "/survey/14/relevant",
            "string-length",
        ),
        ({("survey", 12): {"relevant": "${q5} = 1"}}, "/survey/14/relevant", "later"),
        ({("choices", 3): {"name": "female"}}, "/choices/5/name", "integer code"),
        ({("indicators", 2): {"items": "q99"}}, "/indicators/4/", "q99"),
        ({("settings", 0): {"form_id": "Commune_Pilot"}}, "/settings/2/form_id", "lowercase"),
    ],
)
def test_errors_name_sheet_row_and_column(rows: dict[Any, Any], pointer: str, text: str) -> None:
    problems = _problems(_workbook(rows=rows))
    hits = {p: m for p, m in problems.items() if p.startswith(pointer)}
    assert hits, problems
    message = next(iter(hits.values()))
    assert text in message
    sheet, row = pointer.split("/")[1:3]
    assert message.startswith(f"sheet {sheet!r}, row {row}")


def test_export_layout_carries_the_index_in_extra_columns(papi2021: Questionnaire) -> None:
    rows = to_xlsform_rows(papi2021)
    survey = {r["name"]: r for r in rows["survey"]}
    ind = papi2021.indicators[0]
    first_item = ind.item_ids[0]
    assert ind.code in survey[first_item]["indicators"].split()
    by_code = {r.get("indicator"): r for r in rows["indicators"]}
    assert by_code[ind.code]["goalposts"] == " ".join(
        str(int(g)) if float(g).is_integer() else str(g) for g in ind.goalposts
    )
    assert rows["settings"][0]["special_codes"] == "dont_know=-8 refused=-9 not_applicable=-7"


# ------------------------------------------------------------------ conditions ⇄ XPath
ITEMS = {
    "a": ItemKind(),
    "b": ItemKind(special=(-8, -9)),
    "m": ItemKind(multiple=True, special=(-8,)),
}
values = st.sampled_from([0, 1, 2, 3])
ref = st.sampled_from(["a", "b"]).map(lambda i: Ref(i, 0))
atoms = st.one_of(
    st.builds(
        lambda r, op, v: Cmp(op, r, Lit(v)),
        ref,
        st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
        values,
    ),
    st.builds(
        lambda r, vs, neg: In(r, tuple(vs), neg),
        ref,
        st.lists(values, min_size=1, max_size=3, unique=True),
        st.booleans(),
    ),
    st.builds(lambda c: Call("selected", "m", c), st.sampled_from([1, 2, 3])),
    st.builds(lambda i: Call("answered", i), st.sampled_from(["a", "b", "m"])),
    st.builds(
        lambda op, v: Cmp(op, Call("count_selected", "m"), Lit(v)),
        st.sampled_from([">", "=="]),
        values,
    ),
    st.builds(lambda r, op: Cmp(op, r, Lit(None)), ref, st.sampled_from(["==", "!="])),
)
trees: st.SearchStrategy[Node] = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.lists(inner, min_size=2, max_size=3).map(lambda t: And(tuple(t))),
        st.lists(inner, min_size=2, max_size=3).map(lambda t: Or(tuple(t))),
    ),
    max_leaves=6,
)
answer_sets = st.fixed_dictionaries(
    {},
    optional={
        "a": st.sampled_from([0, 1, 2, 3]),
        "b": st.sampled_from([0, 1, 2, 3, -8, -9]),
        "m": st.one_of(st.just(-8), st.lists(st.sampled_from([1, 2, 3]), min_size=1, unique=True)),
    },
)


@settings(max_examples=300, deadline=None)
@given(tree=trees, answers=st.lists(answer_sets, min_size=5, max_size=5))
def test_xpath_translation_keeps_our_semantics(tree: Node, answers: list[dict[str, Any]]) -> None:
    """to_xpath then from_xpath gives a condition with the same truth on every response, and
    render() writes it so that our parser reads the same condition back."""
    back = from_xpath(to_xpath(tree, ITEMS), ITEMS)
    again = parse_condition(render(back))
    for env in answers:
        want = evaluate(tree, env, special={-8, -9})
        assert evaluate(back, env, special={-8, -9}) == want
        assert evaluate(again, env, special={-8, -9}) == want


def test_xpath_of_conditions_guards_missing_and_special_answers() -> None:
    assert (
        to_xpath(parse_condition("b != 1"), ITEMS)
        == "(${b} != '' and ${b} != -8 and ${b} != -9 and ${b} != 1)"
    )
    assert (
        to_xpath(parse_condition("a in (1, 2)"), ITEMS) == "(${a} != '' and (${a} = 1 or ${a} = 2))"
    )
    assert render(from_xpath("${a} = 1 or ${a} = 2", ITEMS)) == "a in (1, 2)"
    assert render(from_xpath("${a} != '' and . <= ${a}", ITEMS, current="a")) == ". <= a"
    with pytest.raises(Exception, match="column 1"):
        from_xpath("pulldata('x', 'y')", ITEMS)


def test_a_workbook_of_the_earlier_date_layout_still_reads_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Older versions wrote a date with special answers was written as a text question with a
    pattern constraint; such workbooks read back into the same questionnaire."""
    import survey.forms.xlsform as xlsform

    q = load_questionnaire("papi-2021")
    rows_of = xlsform.to_xlsform_rows

    def legacy(q: Questionnaire) -> dict[str, list[dict[str, Any]]]:
        rows = rows_of(q)
        survey = [r for r in rows["survey"] if not r.get("special_of")]
        for r in survey:
            if r.get("name") == "q32_03":
                r |= {"type": "text", "item_type": "date", "required": "yes"}
                r["constraint"] = ". = '-8' or (regex(., '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'))"
        return rows | {"survey": survey}

    monkeypatch.setattr(xlsform, "to_xlsform_rows", legacy)
    data = write_xlsform(q)
    monkeypatch.undo()
    back = read_xlsform(data)
    assert back.item("q32_03") == q.item("q32_03")


def test_every_text_question_is_limited_to_what_the_server_keeps() -> None:
    """The form's length check and the server's are one rule (survey.validation.answer_bounds)."""
    from survey.validation.answer_bounds import max_text_length

    base = load_questionnaire("papi-2021")
    for q in (base, base.model_copy(update={"max_text_bytes": 301})):
        texts = [r for r in to_xlsform_rows(q)["survey"] if r.get("type") == "text"]
        assert texts
        for r in texts:
            assert f"string-length(.) <= {max_text_length(q)}" in r["constraint"], r
    assert max_text_length(base) == 681


def test_a_workbook_from_before_the_text_length_check_still_reads_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workbooks written before text questions carried ``string-length(.) <= 681`` (their
    own constraint and special answers only) read back into the same questionnaire."""
    import survey.forms.xlsform as xlsform

    kitchen_sink = Path(__file__).parents[1] / "clients" / "fixtures" / "kitchen-sink.yaml"
    q = load_questionnaire(str(kitchen_sink))
    rows_of = xlsform.to_xlsform_rows
    kinds = xlsform.item_kinds(q)

    def legacy(q: Questionnaire) -> dict[str, list[dict[str, Any]]]:
        rows = rows_of(q)
        for r in rows["survey"]:
            if r.get("type") == "text" and not r.get("special_of"):
                old = xlsform.constraint_xpath(q, q.item(r["name"]), kinds, text_limit=False)
                r["constraint"] = old or ""
        return rows

    texts = [it for it in q.items if it.type == "text"]
    assert any(it.constraint or it.special for it in texts)
    monkeypatch.setattr(xlsform, "to_xlsform_rows", legacy)
    data = write_xlsform(q)
    monkeypatch.undo()
    back = read_xlsform(data)
    for it in texts:
        assert back.item(it.id) == it
