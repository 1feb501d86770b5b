"""schemathesis against /openapi.json, over the ASGI app and offline: the API does what its schema says.

- Requests that fit the schema are accepted (2xx, or 404 for a code that fits the pattern but names nothing)
  and every answer fits its documented schema, status code, content type and headers.
- Requests that do not fit are refused with a 400 (never 422 and never a 5xx).

The schema states the rules the API enforces per parameter (patterns, minimum and maximum, enums: see
``web/api/routes.py``). Two rules join parameters, which OpenAPI cannot state; their cases are left out of the
positive run and tested on their own below. Each operation gets a fixed, derandomised budget (no flakes,
a few seconds in all).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema

POSITIVE_EXAMPLES = 40
NEGATIVE_EXAMPLES = 40


@pytest.fixture(scope="module")
def api_schema(web_client: TestClient) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", web_client.app)


def crosses_a_rule_between_parameters(case: schemathesis.Case[Any]) -> bool:
    """The rules the operations' descriptions state in words: observations need an indicator or a region;
    only a municipality is compared with a group (Norway with nothing, a county with Norway)."""
    query = case.query or {}
    if case.operation.path == "/api/v1/observations":
        return query.get("indicator") is None and query.get("region") is None
    if case.operation.path == "/api/v1/comparisons":
        return len(str(query.get("region", ""))) != 4 and query.get("benchmark", "norway") != "norway"
    return False


def run(api_schema: OpenApiSchema, mode: GenerationMode, examples: int) -> int:
    """Every check schemathesis has on ``examples`` generated cases per operation; the number of operations."""
    operations = []
    for result in api_schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not list(operation.iter_parameters()):
            continue  # nothing to get wrong
        strategy = operation.as_strategy(mode)
        if mode is GenerationMode.POSITIVE:
            strategy = strategy.filter(lambda case: not crosses_a_rule_between_parameters(case))

        @given(strategy)
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate()

        conforms()
    return len(operations)


def test_requests_that_fit_the_schema_are_accepted(api_schema: OpenApiSchema) -> None:
    assert run(api_schema, GenerationMode.POSITIVE, POSITIVE_EXAMPLES) == 6


def test_requests_that_do_not_fit_the_schema_are_refused(api_schema: OpenApiSchema) -> None:
    run(api_schema, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/observations", "indicator"),
        ("/api/v1/observations?year=2023&lang=en", "indicator"),
        ("/api/v1/comparisons?region=0&benchmark=peers", "benchmark"),
        ("/api/v1/comparisons?region=46&benchmark=county", "benchmark"),
    ],
)
def test_the_rules_between_parameters_are_400s_naming_a_parameter(
    web_client: TestClient, url: str, parameter: str
) -> None:
    response = web_client.get(url)
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter


def test_the_schema_states_the_rules_of_each_parameter(api_schema: OpenApiSchema) -> None:
    """Every query parameter has a type and a bound: a pattern, an enum or a minimum and maximum."""
    raw = api_schema.raw_schema
    for path, item in raw["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            schema = parameter["schema"]
            options = [option for option in schema.get("anyOf", [schema]) if option.get("type") != "null"]
            assert options, (path, parameter["name"])
            for option in options:
                bounded = "pattern" in option or "enum" in option or {"minimum", "maximum"} <= set(option)
                assert bounded, (path, parameter["name"], option)
