"""schemathesis against the OpenAPI schema: no input produces a 5xx (bounded examples)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from api.app import create_app
from tests.api.support import Api, make_settings

EXAMPLES = 15
COVERAGE_EXAMPLES = 60


@pytest.fixture(scope="session")
def fuzz_target(api: Api, db_url: str) -> tuple[Any, dict[str, str], dict[str, str]]:
    """The schema, the admin, and an admin scoped to a survey of its own for
    ``DELETE /tokens/{id}``: the fuzzer's ids (1, 2, ...) would otherwise revoke the admin it
    calls with (and every later case would test the 401 of a revoked token); the scoped admin
    may revoke only itself."""
    app = create_app(make_settings(db_url, run_jobs=False))
    api.survey()  # something for survey 1.. to find
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.phases.update(phases=["examples", "fuzzing"])
    return schema, api.admin, api.token("admin", api.survey())


@pytest.fixture(scope="session")
def api_schema(fuzz_target: tuple[Any, dict[str, str], dict[str, str]]) -> Any:
    return fuzz_target[0]


@pytest.fixture(scope="session")
def coverage_target(api: Api, db_url: str) -> tuple[Any, dict[str, str]]:
    """The coverage phase (boundary and negative values of every parameter and body field,
    deterministic) as an enumerator of one survey: the cases that found undocumented 400s
    and XML answers (tests/api/test_api_hostile_inputs.py)."""
    app = create_app(make_settings(db_url, run_jobs=False))
    survey = api.survey()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.phases.update(phases=["coverage"])
    return schema, api.token("enumerator", survey)


@pytest.fixture(scope="session")
def coverage_schema(coverage_target: tuple[Any, dict[str, str]]) -> Any:
    return coverage_target[0]


schema = schemathesis.pytest.from_fixture("api_schema")
coverage = schemathesis.pytest.from_fixture("coverage_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_produces_a_server_error(
    case: Any, fuzz_target: tuple[Any, dict[str, str], dict[str, str]]
) -> None:
    _, admin, scoped_admin = fuzz_target
    revoking = case.method.upper() == "DELETE" and case.path.startswith("/api/v1/tokens/")
    case.call_and_validate(headers=scoped_admin if revoking else admin, checks=[not_a_server_error])


@pytest.mark.slow
@coverage.parametrize()
@settings(
    max_examples=COVERAGE_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_boundary_inputs_get_documented_answers(
    case: Any, coverage_target: tuple[Any, dict[str, str]]
) -> None:
    _, enumerator = coverage_target
    case.call_and_validate(
        headers=enumerator,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance],
    )
