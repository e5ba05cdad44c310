"""Round trips: YAML -> model -> YAML, responses -> table -> responses, and the response
JSON Schema accepting generated responses (checked with the `jsonschema` library)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from survey import Questionnaire, dump_questionnaire, load_questionnaire
from survey.errors import NotFound
from survey.forms.jsonschema import response_json_schema
from survey.respondents.table import frame_to_responses, responses_to_frame
from survey.rng import spawn
from survey.simulate.random_response import generate_response
from survey.validation import validate_response

NAMES = [
    "papi-2018",
    "papi-2019",
    "papi-2021",
    str(Path(__file__).parent / "fixtures" / "mini.yaml"),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_yaml_model_yaml_round_trip(name: str, suffix: str, tmp_path: Path) -> None:
    q = load_questionnaire(name)
    first = dump_questionnaire(q, tmp_path / f"a{suffix}")
    again = load_questionnaire(first)
    assert again == q
    second = dump_questionnaire(again, tmp_path / f"b{suffix}")
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def test_dump_keeps_the_document(
    mini: Questionnaire, mini_doc: dict[str, Any], tmp_path: Path
) -> None:
    dumped = yaml.safe_load(
        dump_questionnaire(mini, tmp_path / "m.yaml").read_text(encoding="utf-8")
    )
    assert dumped["items"][0] == mini_doc["items"][0]
    assert dumped["structure"]["dimensions"][0]["subdimensions"][0]["indicators"][0][
        "goalposts"
    ] == [0.0, 1.0]


def test_model_is_immutable(mini: Questionnaire) -> None:
    with pytest.raises(Exception, match="frozen"):
        mini.items[0].required = False  # type: ignore[misc]


def test_helpers(mini: Questionnaire) -> None:
    assert mini.item("q202").scale is not None
    assert [i.code for i in mini.indicators] == ["SC11_01", "SC11_02", "SC12_01", "SC21_01"]
    assert mini.structure.k == (2, 1)
    assert mini.structure_signature == "2-1"
    assert mini.full_version == "1.0+2-1"
    assert mini.indicator("SC21_01").rescale(0.25) == pytest.approx(1 + 9 * (0.25 - 1) / (0 - 1))
    assert mini.codes_of("q101") == {0, 1}
    assert mini.subdimension("SC12").indicators[0].kind == "checklist"
    assert mini.dimension("D2").k == 1
    with pytest.raises(NotFound):
        mini.subdimension("SC99")
    assert [c.code for c in mini.choices_of("q202")] == [1, 2, 3, 4]


@pytest.mark.parametrize("name", ["papi-2021", NAMES[-1]])
def test_responses_table_round_trip(name: str) -> None:
    q = load_questionnaire(name)
    responses = [generate_response(q, g, special_rate=0.2) for g in spawn(11, 80)]
    records = [{"submission_id": f"s{i}", "province": "P01", **r} for i, r in enumerate(responses)]
    frame = responses_to_frame(q, records)
    assert list(frame.columns[:2]) == ["submission_id", "province"]
    assert frame_to_responses(q, frame) == responses
    with_meta = frame_to_responses(q, frame, extra=["submission_id"])
    assert with_meta[3] == {"submission_id": "s3", **responses[3]}


def test_table_layout(mini: Questionnaire) -> None:
    frame = responses_to_frame(
        mini, [{"d_sex": 2, "q201": [2], "q203": 1.5, "d_date": "2021-07-01"}, {"q201": -8}]
    )
    assert str(frame["d_sex"].dtype) == "Int64"
    assert frame["q203"].dtype == float
    assert frame["q201_2"].isna().tolist() == [False, True]
    assert frame.loc[0, "q201_2"] == 1
    assert frame.loc[1, "q201"] == -8
    assert frame["d_date"].tolist() == ["2021-07-01", None]


@pytest.mark.parametrize("name", ["papi-2021", NAMES[-1]])
def test_json_schema_accepts_generated_responses(name: str) -> None:
    q = load_questionnaire(name)
    schema = response_json_schema(q)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for g in spawn(5, 40):
        answers = generate_response(q, g, special_rate=0.2)
        assert not list(validator.iter_errors(answers))


def test_json_schema_rejects_what_it_can_express(mini: Questionnaire) -> None:
    validator = jsonschema.Draft202012Validator(response_json_schema(mini))
    base = generate_response(mini, 3, special_rate=0.0)
    for bad in (
        {"d_sex": 3},
        {"d_sex": -8},
        {"zz": 1},
        {"q201": [1, 1]},
        {"q202": 9},
        {"d_age": 12},
        {"q101": "1"},
    ):
        assert list(validator.iter_errors({**base, **bad})), bad


def test_unquoted_yaml_dates_become_iso_bounds(mini_doc: dict[str, Any]) -> None:
    from datetime import date

    from survey import parse_questionnaire

    mini_doc["items"][3]["min"] = date(2021, 6, 1)
    q = parse_questionnaire(mini_doc)
    assert q.item("d_date").min == "2021-06-01"
    assert ("out_of_range", "/answers/d_date") in {
        (i.code, i.pointer) for i in validate_response(q, {"d_date": "2021-05-31"})
    }


def test_a_loaded_questionnaire_is_shared_until_its_file_changes(tmp_path: Path) -> None:
    """load_questionnaire reads a file once: the same (frozen) questionnaire comes back until
    the file is edited, then the edit is read."""
    import os

    assert load_questionnaire("papi-2021") is load_questionnaire("papi-2021")
    path = dump_questionnaire(load_questionnaire("papi-2021"), tmp_path / "q.yaml")
    first = load_questionnaire(path)
    assert load_questionnaire(path) is first
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(first.version, first.version + "-edited", 1), "utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    edited = load_questionnaire(path)
    assert edited is not first and edited.version == first.version + "-edited"
