"""The spec validates itself and its fit to the data, failing loudly with located problems."""

from __future__ import annotations

import pytest

from scoring.sensitivity import Design, Spec, default_audit, published_input
from scoring.sensitivity.spec import Aggregation
from survey.errors import SpecError
from survey.published import subdimensions


@pytest.fixture(scope="module")
def published():  # type: ignore[no-untyped-def]
    return published_input(subdimensions(2023))


def pointers(exc: pytest.ExceptionInfo[SpecError]) -> list[str]:
    return [p.pointer for p in exc.value.problems]


def test_defaults_are_papi() -> None:
    s = Spec()
    assert s.normalisation == ("goalposts",)
    assert s.aggregations("index") == (Aggregation(method="arithmetic"),)
    assert s.weights.schemes == ("equal",) and s.weights.noise == 0
    assert s.exclusion.mode == "none" and not s.sampling_error


def test_yaml_round_trip() -> None:
    s = Spec.from_yaml(
        """
normalisation: [goalposts, minmax]
aggregation:
  index: [arithmetic, "generalised:0.5", {method: copeland}]
weights: {schemes: [equal, user], user: {D1: 2}, noise: 0.2}
exclusion: {mode: random, level: dimension, k: 2}
"""
    )
    assert [a.label for a in s.aggregations("index")] == [
        "arithmetic",
        "generalised(p=0.5)",
        "copeland",
    ]
    assert Spec.parse(s.model_dump()) == s
    with pytest.raises(Exception):  # noqa: B017 - frozen
        s.normalisation = ("rank",)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("doc", "pointer"),
    [
        ("normalisation: [goalposts, softmax]", "/normalisation/1"),
        ("colour: red", "/colour"),
        ("aggregation: {index: [generalised]}", "/aggregation/index/0"),
        ("aggregation: {index: ['arithmetic:2']}", "/aggregation/index/0"),
        ("weights: {schemes: [user]}", "/weights"),
        ("weights: {noise: 1.5}", "/weights/noise"),
        ("normalisation: []", "/normalisation"),
        ("exclusion: {mode: sometimes}", "/exclusion/mode"),
    ],
)
def test_invalid_spec_names_the_choice(doc: str, pointer: str) -> None:
    with pytest.raises(SpecError) as exc:
        Spec.from_yaml(doc)
    assert exc.value.code == "spec_invalid"
    assert pointer in pointers(exc), pointers(exc)


def test_not_a_mapping() -> None:
    with pytest.raises(SpecError, match="mapping"):
        Spec.from_yaml("- goalposts")


@pytest.mark.parametrize(
    ("data", "pointer"),
    [
        ({"sampling_error": True}, "/sampling_error"),
        ({"estimates": ["unweighted", "weighted"]}, "/estimates"),
        ({"aggregation": {"subdimension": ["geometric"]}}, "/aggregation/subdimension"),
        ({"exclusion": {"mode": "one_at_a_time", "level": "indicator"}}, "/exclusion/level"),
        ({"exclusion": {"mode": "random", "level": "dimension", "k": 8}}, "/exclusion/k"),
        ({"weights": {"schemes": ["user"], "user": {"SC99": 2}}}, "/weights/user/SC99"),
        (
            {"normalisation": ["goalposts", "zscore"], "aggregation": {"dimension": ["geometric"]}},
            "/aggregation/dimension/0",
        ),
        (
            {"aggregation": {"dimension": ["copeland"], "index": ["arithmetic", "generalised:2"]}},
            "/aggregation/index/1",
        ),
        (  # means of z-scores can be negative too
            {"normalisation": ["goalposts", "zscore"], "aggregation": {"index": ["geometric"]}},
            "/aggregation/index/0",
        ),
    ],
)
def test_inapplicable_to_published_scores(published, data, pointer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpecError) as exc:
        Design(published, Spec.parse(data))
    assert exc.value.code == "spec_inapplicable"
    assert pointer in pointers(exc), pointers(exc)


def test_default_audit_applies(published) -> None:  # type: ignore[no-untyped-def]
    d = Design(published, default_audit(microdata=False))
    assert [f.name for f in d.factors] == [
        "normalisation",
        "aggregation.dimension",
        "aggregation.index",
        "weight_noise",
        "exclusion",
    ]
    assert len(d.factors[3].columns) == 28 + 8
    # one sub-dimension at a time, or none: 28 + 1 alternatives
    assert d.factors[4].labels[0] == "none" and len(d.factors[4].labels) == 29
