"""Fixtures for answer work (macros, tags, the knowledge base, satisfaction): the cases
app's world (an NA organisation on partner-services, its customer, an NA agent, a Sev2
case), plus articles and a pinned clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from supportdesk import clock
from supportdesk.knowledge import services as kb
from supportdesk.knowledge.models import Article
from tests.cases import conftest as cases

NOW = cases.NOW
# The cases app's fixtures, used here by name.
agent = cases.agent
customer = cases.customer
emea_agent = cases.emea_agent
manager = cases.manager
na_team = cases.na_team
now = cases.now
organisation = cases.organisation
other_organisation = cases.other_organisation
policies = cases.policies
sev2_case = cases.sev2_case
stranger = cases.stranger


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Pin the wall clock at ``at`` (services and views read it through ``clock``)."""

    def pin(at: dt.datetime) -> dt.datetime:
        monkeypatch.setattr(clock, "now", lambda: at)
        return at

    pin(NOW)
    return pin


@pytest.fixture
def export_article(agent: Any) -> Article:
    return kb.create_article(
        actor=agent,
        draft=kb.ArticleDraft(
            title="Exporting the arrivals list",
            body="Open **Reports**, choose *Arrivals* and press Export.",
            visibility="public",
        ),
        now=NOW,
    )


@pytest.fixture
def internal_article(agent: Any) -> Article:
    return kb.create_article(
        actor=agent,
        draft=kb.ArticleDraft(
            title="Arrivals export: the internal workaround",
            body="Run the export job by hand on the replica.",
            visibility="internal",
        ),
        now=NOW,
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
