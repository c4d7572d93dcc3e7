"""The demo data set includes escalations in different states, after the demo cases."""

from __future__ import annotations

import pytest

from supportdesk import demo
from supportdesk.escalations.models import Escalation
from tests.factories import load_shipped_policies

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_escalations_in_different_states() -> None:
    load_shipped_policies()

    demo.seed()

    states = set(Escalation.objects.values_list("status", flat=True))
    assert len(states) >= 2
    assert "declined" in states
