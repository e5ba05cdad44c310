"""The scoring job's JSON body speaks ``scoring.score``'s names with its defaults
(docs/glossary.md): one name per concept, and the same replicates over HTTP as in the
library (the body once said ``rng`` in one request and ``seed`` in another, and 200
replicates against the library's 1000)."""

from __future__ import annotations

import inspect

from api.jobs.schemas import ScoreRequest, SensitivityRequest
from scoring import score
from scoring.sensitivity import microdata_input
from survey.rng import DEFAULT_SEED


def test_the_scoring_body_has_score_s_names_and_defaults() -> None:
    params = inspect.signature(score).parameters
    kwargs = ScoreRequest().score_kwargs()
    fields = set(ScoreRequest.model_fields) - {"include_rejected"}
    # every field is an argument of score() under the same name; the seed is `rng` there
    assert {"rng" if f == "seed" else f for f in fields} == set(kwargs) <= set(params)
    for name, value in kwargs.items():
        default = params[name].default
        if name == "rng":  # score(rng=None) is seed 0, recorded (survey.rng.seed_of)
            assert (value, default) == (DEFAULT_SEED, None)
        elif name == "psu":  # score(psu=None) reads `psu` (the API frame always has it)
            assert (value, default) == ("psu", None)
        else:
            assert value == default, name


def test_the_sensitivity_body_draws_as_many_replicates_as_the_library() -> None:
    library = inspect.signature(microdata_input).parameters["replicates"].default
    assert SensitivityRequest().replicates == library
    assert SensitivityRequest().seed == DEFAULT_SEED
