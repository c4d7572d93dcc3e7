"""A case's page stored before its summary was the case's title said the case's
reference and severity in it too: the migration gives it the title alone."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from supportdesk.accounts.models import User
from supportdesk.oncall.models import Page, Schedule
from supportdesk.oncall.services import page_on_call
from tests.oncall.conftest import T0
from tests.oncall.test_paging import _sev1_case

pytestmark = pytest.mark.django_db

migration = importlib.import_module("supportdesk.oncall.migrations.0004_case_page_summary_once")


def test_a_stored_case_page_loses_the_case_words_from_its_summary(
    schedule: Schedule, nora: User
) -> None:
    case = _sev1_case(nora)
    old = page_on_call(
        schedule=schedule,
        summary=f"{case.reference} Sev1: Bookings fail",
        severity=1,
        case=case,
        now=T0,
    )
    own_words = page_on_call(schedule=schedule, summary="SD-000001 Sev1: down", severity=1, now=T0)
    migration.summary_without_case_words(apps, None)
    assert Page.objects.get(pk=old.pk).summary == "Bookings fail"
    assert Page.objects.get(pk=own_words.pk).summary == "SD-000001 Sev1: down"  # no case
