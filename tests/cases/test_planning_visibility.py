"""Customers see only the sprints and releases linked to their own cases; staff see all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from supportdesk.cases.models import Case, Release, Sprint
from tests.cases.conftest import NOW, bearer, open_sev


def _names(response: Any, key: str) -> set[str]:
    assert response.status_code == 200, response.content
    return {item[key] for item in response.json()["items"]}


def test_customers_see_only_the_plans_of_their_own_cases(
    customer: Any, stranger: Any, agent: Any, organisation: Any, other_organisation: Any
) -> None:
    mine = open_sev(customer, organisation, severity=3, now=NOW)
    theirs = open_sev(stranger, other_organisation, severity=3, now=NOW)
    day = NOW.date()
    ours = Sprint.objects.create(name="ours", starts_on=day, ends_on=day + dt.timedelta(days=13))
    other = Sprint.objects.create(name="other", starts_on=day, ends_on=day + dt.timedelta(days=13))
    fix = Release.objects.create(version="7.1", created_at=NOW)
    secret = Release.objects.create(version="7.2-hotfix", created_at=NOW)
    Case.objects.filter(pk=mine.pk).update(sprint=ours, release=fix)
    Case.objects.filter(pk=theirs.pk).update(sprint=other, release=secret)

    as_customer = bearer(customer)
    assert _names(as_customer.get("/api/cases/sprints"), "name") == {"ours"}
    assert _names(as_customer.get("/api/cases/releases"), "version") == {"7.1"}
    as_agent = bearer(agent)
    assert {"ours", "other"} <= _names(as_agent.get("/api/cases/sprints"), "name")
    assert _names(as_agent.get("/api/cases/releases"), "version") == {"7.1", "7.2-hotfix"}
