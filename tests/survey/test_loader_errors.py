"""Each loader error of docs/questionnaire-format.md, on one broken copy of the mini
questionnaire per error: the stable code and the JSON pointer of the problem."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from survey import QuestionnaireError, load_questionnaire, parse_questionnaire
from survey.errors import NotFound

Doc = dict[str, Any]
IND = "/structure/dimensions/0/subdimensions/0/indicators"


def ind(doc: Doc, d: int, s: int, k: int) -> dict[str, Any]:
    found: dict[str, Any] = doc["structure"]["dimensions"][d]["subdimensions"][s]["indicators"][k]
    return found


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _two_subdimensions(doc: Doc) -> None:
    doc["structure"]["dimensions"][1]["subdimensions"][0]["indicators"].append(
        copy.deepcopy(ind(doc, 0, 0, 0))
    )


def _cycle(doc: Doc) -> None:
    doc["items"][4]["relevant"] = "q102 == 1"  # q102 already reads q101


def _no_scale(doc: Doc) -> None:
    del doc["items"][7]["scale"]


def _no_codes(doc: Doc) -> None:
    del ind(doc, 0, 0, 0)["codes"]


S = ("structure", "dimensions")
CASES: list[tuple[str, Callable[[Doc], None], str, str]] = [
    ("duplicate item id", _set(("items", 3, "id"), "d_sex"), "duplicate_id", "/items/3/id"),
    (
        "duplicate choice code",
        _set(("choice_lists", "sex", 1, "code"), 1),
        "duplicate_code",
        "/choice_lists/sex/1/code",
    ),
    (
        "duplicate indicator code",
        _set((*S, 0, "subdimensions", 0, "indicators", 1, "code"), "SC11_01"),
        "duplicate_code",
        f"{IND}/1/code",
    ),
    (
        "duplicate sub-dimension code",
        _set((*S, 1, "subdimensions", 0, "code"), "SC11"),
        "duplicate_code",
        "/structure/dimensions/1/subdimensions/0/code",
    ),
    (
        "duplicate dimension code",
        _set((*S, 1, "code"), "D1"),
        "duplicate_code",
        "/structure/dimensions/1/code",
    ),
    (
        "unknown item in share",
        _set((*S, 0, "subdimensions", 0, "indicators", 0, "item"), "q999"),
        "unknown_item",
        f"{IND}/0/item",
    ),
    (
        "unknown item in mean",
        _set((*S, 0, "subdimensions", 0, "indicators", 1, "items"), ["q999"]),
        "unknown_item",
        f"{IND}/1/items/0",
    ),
    (
        "unknown item in criterion",
        _set((*S, 0, "subdimensions", 1, "indicators", 0, "criteria", 0, "item"), "q999"),
        "unknown_item",
        "/structure/dimensions/0/subdimensions/1/indicators/0/criteria/0/item",
    ),
    (
        "unknown item in condition",
        _set(("items", 5, "relevant"), "q999 == 1"),
        "unknown_item",
        "/items/5/relevant",
    ),
    (
        "unknown item in eligibility",
        _set((*S, 0, "subdimensions", 0, "indicators", 1, "eligible"), "q999 == 1"),
        "unknown_item",
        f"{IND}/1/eligible",
    ),
    (
        "condition on a later item",
        _set(("items", 4, "relevant"), "q203 > 1"),
        "forward_reference",
        "/items/4/relevant",
    ),
    (
        "condition on the item itself",
        _set(("items", 5, "relevant"), "q102 == 1"),
        "self_reference",
        "/items/5/relevant",
    ),
    ("cycle", _cycle, "cycle", "/items/4"),
    (
        "unknown choice list",
        _set(("items", 0, "choices"), "nosuch"),
        "unknown_choice_list",
        "/items/0/choices",
    ),
    (
        "share code not among choices",
        _set((*S, 0, "subdimensions", 0, "indicators", 0, "codes"), [5]),
        "unknown_code",
        f"{IND}/0/codes/0",
    ),
    (
        "criterion code not among choices",
        _set((*S, 0, "subdimensions", 1, "indicators", 0, "criteria", 1, "codes"), [2, 9]),
        "unknown_code",
        "/structure/dimensions/0/subdimensions/1/indicators/0/criteria/1/codes/1",
    ),
    (
        "selected code not among choices",
        _set(("items", 7, "relevant"), "selected(q201, 9)"),
        "unknown_code",
        "/items/7/relevant",
    ),
    (
        "L == U",
        _set((*S, 0, "subdimensions", 0, "indicators", 0, "goalposts"), [1, 1]),
        "goalposts_equal",
        f"{IND}/0/goalposts",
    ),
    (
        "direction vs goalposts",
        _set((*S, 0, "subdimensions", 0, "indicators", 0, "direction"), "negative"),
        "direction_mismatch",
        f"{IND}/0/goalposts",
    ),
    (
        "goalposts outside a share",
        _set((*S, 0, "subdimensions", 0, "indicators", 0, "goalposts"), [0, 100]),
        "goalposts_out_of_range",
        f"{IND}/0/goalposts",
    ),
    (
        "indicator in two sub-dimensions",
        _two_subdimensions,
        "indicator_in_two_subdimensions",
        "/structure/dimensions/1/subdimensions/0/indicators/1/code",
    ),
    (
        "empty sub-dimension",
        _set((*S, 0, "subdimensions", 1, "indicators"), []),
        "empty_subdimension",
        "/structure/dimensions/0/subdimensions/1/indicators",
    ),
    (
        "empty dimension",
        _set((*S, 1, "subdimensions"), []),
        "empty_dimension",
        "/structure/dimensions/1/subdimensions",
    ),
    (
        "empty structure",
        _set(("structure", "dimensions"), []),
        "empty_structure",
        "/structure/dimensions",
    ),
    ("rating without scale", _no_scale, "rating_without_scale", "/items/7/scale"),
    (
        "scale min >= max",
        _set(("items", 7, "scale"), {"min": 4, "max": 1}),
        "min_greater_than_max",
        "/items/7/scale",
    ),
    ("min > max", _set(("items", 1, "min"), 80), "min_greater_than_max", "/items/1/min"),
    (
        "date bound not ISO",
        _set(("items", 3, "max"), "31/12/2021"),
        "bound_invalid",
        "/items/3/max",
    ),
    ("bounds on a text item", _set(("items", 2, "max"), 5), "field_not_allowed", "/items/2/max"),
    (
        "unknown special name",
        _set(("items", 4, "special"), ["dont_know", "maybe"]),
        "unknown_special",
        "/items/4/special/1",
    ),
    (
        "special code not negative",
        _set(("special_codes", "refused"), 9),
        "special_code_not_negative",
        "/special_codes/refused",
    ),
    (
        "duplicate special code",
        _set(("special_codes", "refused"), -8),
        "duplicate_code",
        "/special_codes/refused",
    ),
    (
        "choice code equal to a special code",
        _set(("choice_lists", "sex", 1, "code"), -8),
        "special_code_conflict",
        "/choice_lists/sex/1/code",
    ),
    (
        "range containing a special code",
        _set(("items", 1, "min"), -10),
        "special_code_conflict",
        "/items/1/min",
    ),
    (
        "expression does not parse",
        _set(("items", 5, "relevant"), "q101 =="),
        "expression_syntax",
        "/items/5/relevant",
    ),
    (
        "'.' outside a constraint",
        _set(("items", 5, "relevant"), ". == 1"),
        "dot_outside_constraint",
        "/items/5/relevant",
    ),
    (
        "multiple choice used as a value",
        _set(("items", 7, "relevant"), "q201 == 1"),
        "wrong_item_type",
        "/items/7/relevant",
    ),
    (
        "selected() on a single choice",
        _set(("items", 5, "relevant"), "selected(q101, 1)"),
        "wrong_item_type",
        "/items/5/relevant",
    ),
    (
        "mean over a text item",
        _set((*S, 0, "subdimensions", 0, "indicators", 1, "items"), ["d_name"]),
        "wrong_item_type",
        f"{IND}/1/items/0",
    ),
    ("share without codes", _no_codes, "missing_field", f"{IND}/0/codes"),
    (
        "field of another kind",
        _set((*S, 0, "subdimensions", 0, "indicators", 1, "codes"), [1]),
        "field_not_allowed",
        f"{IND}/1/codes",
    ),
    (
        "choice and multiple choice need choices",
        _set(("items", 0, "choices"), None),
        "choices_missing",
        "/items/0/choices",
    ),
    (
        "choices on an integer item",
        _set(("items", 1, "choices"), "sex"),
        "field_not_allowed",
        "/items/1/choices",
    ),
    ("unknown item type", _set(("items", 0, "type"), "slider"), "literal_error", "/items/0/type"),
    ("missing label", _set(("items", 1, "label"), None), "model_type", "/items/1/label"),
    ("unknown field", _set(("items", 2, "hint"), "x"), "extra_forbidden", "/items/2/hint"),
    ("bad item id", _set(("items", 2, "id"), "Name"), "string_pattern_mismatch", "/items/2/id"),
    (
        "bad choice code type",
        _set(("choice_lists", "sex", 0, "code"), "one"),
        "int_parsing",
        "/choice_lists/sex/0/code",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "code", "pointer"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_loader_error_is_located(
    mini_doc: Doc, mutate: Callable[[Doc], None], code: str, pointer: str
) -> None:
    mutate(mini_doc)
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(mini_doc, source="mini")
    found = {(p.code, p.pointer) for p in info.value.problems}
    assert (code, pointer) in found, found
    assert info.value.code == "questionnaire_invalid"
    assert all(p.message for p in info.value.problems)


def test_parse_error_reports_the_column(mini_doc: Doc) -> None:
    mini_doc["items"][5]["relevant"] = "q101 == 1 and and"
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(mini_doc)
    (problem,) = info.value.problems
    assert "column 15" in problem.message


def test_every_problem_is_listed_at_once(mini_doc: Doc) -> None:
    names = {
        "duplicate choice code",
        "unknown item in mean",
        "unknown item in condition",
        "unknown choice list",
        "L == U",
        "empty dimension",
        "rating without scale",
        "min > max",
        "unknown special name",
        "date bound not ISO",
        "criterion code not among choices",
    }
    picks = [c for c in CASES if c[0] in names]
    assert len(picks) == len(names)
    for _, mutate, _, _ in picks:
        mutate(mini_doc)
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(mini_doc)
    found = {(p.code, p.pointer) for p in info.value.problems}
    missing = [(c, p) for _, _, c, p in picks if (c, p) not in found]
    assert not missing, (missing, found)
    text = str(info.value)
    assert all(p in text for _, _, _, p in picks)


def test_cycle_message_names_the_path(mini_doc: Doc) -> None:
    _cycle(mini_doc)
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(mini_doc)
    cycle = next(p for p in info.value.problems if p.code == "cycle")
    assert "q101 -> q102 -> q101" in cycle.message


def test_document_must_be_a_mapping() -> None:
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(["not", "a", "mapping"])
    assert info.value.problems[0].code == "not_a_mapping"


def test_yaml_syntax_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(bad)
    assert info.value.problems[0].code == "syntax_error"


def test_unknown_name_is_not_found() -> None:
    with pytest.raises(NotFound) as info:
        load_questionnaire("papi-1999")
    assert "papi-2021" in info.value.message


def test_json_definition_loads(tmp_path: Path, mini_doc: Doc) -> None:
    import json

    path = tmp_path / "mini.json"
    path.write_text(json.dumps(mini_doc), encoding="utf-8")
    assert load_questionnaire(path).id == "mini"
