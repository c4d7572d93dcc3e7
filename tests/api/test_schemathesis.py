"""schemathesis against /api/openapi.json as an agent and as a customer: no 5xx, and no
response the document does not describe. Runs on the PostgreSQL pass (the SQLite pass
skips it): at most 20 examples per operation, a couple of minutes in all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.conftest import World

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        and not os.environ.get("SCHEMATHESIS_ON_SQLITE"),
        reason="schemathesis runs on the PostgreSQL pass",
    ),
]

MAX_EXAMPLES = 20


@pytest.fixture
def keep_the_test_connection() -> Iterator[None]:
    """The WSGI handler would close the test's connection (and its transaction) around
    each request; Django's test client holds the same two signals back."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.mark.usefixtures("keep_the_test_connection")
@pytest.mark.parametrize("role", ["agent", "customer"])
def test_the_api_keeps_to_its_openapi_document(world: World, role: str) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            # A well-formed request may still be refused for what it means (an opaque
            # cursor this API did not issue, a transition the lifecycle forbids): a 400
            # is an answer, not a fault. Every other check applies.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Exception as exc:  # every operation's failure, not only the first
            failures[operation.label] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
