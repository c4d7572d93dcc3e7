"""The OpenAPI document is true: one schema per name, every refusal listed with the
shared error body, limits and enumerations stated."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from pydantic import BaseModel

from supportdesk.api import api

SCHEMA_MODULES = [
    "supportdesk.api_types",
    "supportdesk.api_paging",
    "supportdesk.accounts.schemas",
    "supportdesk.cases.schemas",
    "supportdesk.escalations.schemas",
    "supportdesk.oncall.schemas",
]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return api.get_openapi_schema()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]


def test_no_two_schemas_share_a_name() -> None:
    """ninja names a component after its class: two classes of one name overwrite each
    other in the document."""
    seen: dict[str, str] = {}
    for module_name in SCHEMA_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseModel) and cls.__module__ == module_name:
                assert name not in seen, f"{name} in {seen.get(name)} and {module_name}"
                seen[name] = module_name


def test_both_event_and_acknowledge_schemas_are_in_the_document(
    document: dict[str, Any],
) -> None:
    names = set(document["components"]["schemas"])
    assert {"CaseEventOut", "EscalationEventOut"} <= names
    assert {"AcknowledgeIn", "PageAcknowledgeIn"} <= names
    case_event = document["components"]["schemas"]["CaseEventOut"]["properties"]
    assert "public" in case_event  # the escalation log's events have no such field


def test_every_operation_lists_its_refusals_with_the_error_body(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        codes = {str(code) for code in op["responses"]}
        expected = {"400", "401", "403", "503"} | ({"404"} if "{" in path else set())
        assert expected <= codes, (method, path, codes)
        for code in codes - {"200", "201", "204"}:
            body = {str(k): v for k, v in op["responses"].items()}[code]["content"][
                "application/json"
            ]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, code)


def test_limits_and_enumerations_are_stated(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["ReleaseIn"]["properties"]["version"]["maxLength"] == 40
    assert schemas["SprintIn"]["properties"]["name"]["maxLength"] == 80
    assert schemas["TokenIn"]["properties"]["name"]["maxLength"] == 100
    severity = schemas["SeverityIn"]["properties"]["severity"]
    assert (severity["minimum"], severity["maximum"]) == (1, 4)
    list_cases = document["paths"]["/api/cases"]["get"]
    params = {p["name"]: p["schema"] for p in list_cases["parameters"]}
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 200)
    assert "enum" in str(params["status"]) or "$ref" in str(params["status"])
    get_case = document["paths"]["/api/cases/{case_id}"]["get"]
    case_id = next(p["schema"] for p in get_case["parameters"] if p["name"] == "case_id")
    assert case_id["maximum"] == 2**63 - 1
    create = document["paths"]["/api/cases"]["post"]
    key = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert key["in"] == "header" and key["schema"]["anyOf"][0]["maxLength"] == 200
