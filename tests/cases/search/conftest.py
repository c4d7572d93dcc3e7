"""A small corpus of two tenants' cases for the search tests (same on both databases)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.cases import services
from supportdesk.cases.models import Case
from tests.cases.conftest import NOW, open_sev


@pytest.fixture
def corpus(
    customer: Any, organisation: Any, agent: Any, stranger: Any, other_organisation: Any
) -> dict[str, Case]:
    """``booking``: Alpine's case with a distinct word in each field; ``rates``: another
    Alpine case; ``foreign``: the other tenant's case sharing most words."""
    booking = open_sev(
        customer,
        organisation,
        severity=2,
        now=NOW,
        title="Guests cannot finish booking",
        description="The checkout page spins forever (zeppelin) after the payment step.",
    )
    services.add_comment(
        actor=agent, case_id=booking.pk, body="Customer says marmalade fails too.", now=NOW
    )
    services.add_comment(
        actor=agent,
        case_id=booking.pk,
        body="Internal: suspect the quokka cache.",
        public=False,
        now=NOW,
    )
    services.add_attachment(
        actor=customer,
        case_id=booking.pk,
        upload=SimpleUploadedFile("harpsichord-trace.txt", b"trace", content_type="text/plain"),
        now=NOW,
    )
    rates = open_sev(
        customer,
        organisation,
        severity=3,
        now=NOW,
        title="Rate update delayed",
        description="Rates for the spring season show late; booking still works.",
    )
    foreign = open_sev(
        stranger,
        other_organisation,
        severity=2,
        now=NOW,
        title="Guests cannot finish booking",
        description="Checkout spins forever (zeppelin), marmalade too; quokka.",
    )
    return {"booking": booking, "rates": rates, "foreign": foreign}
