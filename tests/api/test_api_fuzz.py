"""schemathesis against the OpenAPI schema: no input produces a 5xx (bounded examples)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from tests.api.support import Api, make_settings

EXAMPLES = 15


@pytest.fixture(scope="session")
def fuzz_target(api: Api, db_url: str) -> tuple[Any, dict[str, str]]:
    app = create_app(make_settings(db_url, run_jobs=False))
    api.survey()  # something for survey 1.. to find
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.phases.update(phases=["examples", "fuzzing"])
    return schema, api.admin


@pytest.fixture(scope="session")
def api_schema(fuzz_target: tuple[Any, dict[str, str]]) -> Any:
    return fuzz_target[0]


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_produces_a_server_error(
    case: Any, fuzz_target: tuple[Any, dict[str, str]]
) -> None:
    _, admin = fuzz_target
    case.call_and_validate(headers=admin, checks=[not_a_server_error])
