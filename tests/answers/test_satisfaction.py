"""Customer satisfaction: a survey when a case is resolved (through the policy's
notification rules), one-click links that only preselect, a rating recorded once per
link and changeable in the portal for a week, tenant-safe, and the report."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.cases import services as case_services
from supportdesk.cases.models import Case
from supportdesk.notifications.models import Notification, OutboxMessage
from supportdesk.satisfaction import selectors, services
from supportdesk.satisfaction.models import Survey
from supportdesk.satisfaction.services import SurveyClosed
from tests.answers.conftest import NOW, signed_in
from tests.cases.conftest import open_sev

pytestmark = pytest.mark.django_db
RESOLVED_AT = NOW + dt.timedelta(hours=1)
LATER = NOW + dt.timedelta(hours=2)


def resolve(case: Case, agent: Any) -> Case:
    case_services.assign_case(actor=agent, case_id=case.pk, assignee_id=agent.pk, now=NOW)
    for step in ("in_progress", "workaround_provided"):
        case_services.transition_case(actor=agent, case_id=case.pk, to=step, now=NOW)
    return case_services.transition_case(
        actor=agent,
        case_id=case.pk,
        to="resolved",
        agreement="Customer confirmed by phone",
        now=RESOLVED_AT,
    )


@pytest.fixture
def surveyed(sev2_case: Case, agent: Any) -> Survey:
    resolve(sev2_case, agent)
    assert services.send_surveys(now=LATER) == 1
    return Survey.objects.get(case=sev2_case)


def _links(customer: Any) -> dict[str, str]:
    mail = OutboxMessage.objects.get(
        recipient_user=customer, dedupe_key__contains="satisfaction_survey"
    )
    found = dict(re.findall(r"^(Good|Bad):\s+\S*(/rate/[^\s]+)$", mail.body, re.M))
    return {"good": found["Good"], "bad": found["Bad"]}


def test_the_requester_is_asked_by_mail_and_in_the_portal(
    surveyed: Survey, customer: Any, agent: Any
) -> None:
    links = _links(customer)
    assert set(links) == {"good", "bad"}
    mail = OutboxMessage.objects.get(dedupe_key__contains="satisfaction_survey")
    assert "How did we do with this case?" in mail.body
    assert Notification.objects.filter(recipient=customer, event="satisfaction_survey").exists()
    # Only the requester: not the agent, who resolved it.
    assert not OutboxMessage.objects.filter(
        recipient_user=agent, dedupe_key__contains="satisfaction_survey"
    ).exists()
    assert (surveyed.agent_id, surveyed.region) == (agent.pk, "na")
    assert surveyed.open_until == LATER + dt.timedelta(days=7)


def test_a_case_is_surveyed_once_however_often_the_sweep_runs(surveyed: Survey) -> None:
    assert services.send_surveys(now=LATER + dt.timedelta(minutes=1)) == 0
    assert OutboxMessage.objects.filter(dedupe_key__contains="satisfaction_survey").count() == 1


def test_no_survey_for_a_sev4_work_order(customer: Any, organisation: Any, agent: Any) -> None:
    work_order = open_sev(customer, organisation, severity=4, now=NOW)
    assert work_order.work_order
    resolve(work_order, agent)
    assert services.send_surveys(now=LATER) == 0
    assert not Survey.objects.filter(case=work_order, asked=True).exists()
    assert not OutboxMessage.objects.filter(dedupe_key__contains="satisfaction_survey").exists()


def test_cases_resolved_long_ago_are_not_surveyed(sev2_case: Case, agent: Any) -> None:
    resolve(sev2_case, agent)
    assert services.send_surveys(now=RESOLVED_AT + dt.timedelta(days=3)) == 0


def test_opening_a_link_preselects_and_records_nothing(
    surveyed: Survey, customer: Any, pinned: Any
) -> None:
    pinned(LATER)
    page = Client().get(_links(customer)["bad"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="bad" checked' in html
    assert Survey.objects.get(pk=surveyed.pk).rating == ""


def test_confirming_the_page_records_the_rating_once(
    surveyed: Survey, customer: Any, pinned: Any
) -> None:
    pinned(LATER)
    link = _links(customer)["good"]
    done = Client().post(link, {"rating": "good", "comment": "Quick and kind"})
    assert done.status_code == 200
    survey = Survey.objects.get(pk=surveyed.pk)
    assert (survey.rating, survey.comment, survey.rated_at) == ("good", "Quick and kind", LATER)
    again = Client().post(link, {"rating": "bad"})
    assert again.status_code == 409
    assert Survey.objects.get(pk=surveyed.pk).rating == "good"


def test_a_tampered_or_foreign_token_rates_nothing(surveyed: Survey, customer: Any) -> None:
    link = _links(customer)["good"]
    token = link.rstrip("/").split("/")[-1]
    forged = signing.dumps({"s": surveyed.pk + 1, "r": "bad"}, salt="another.salt")
    for bad in (token[:-2] + "xx", forged):
        response = Client().post(reverse("public:rate", args=[bad]), {"rating": "bad"})
        assert response.status_code == 400
    with pytest.raises(NotFound):
        services.rate_by_link(token=forged, rating="bad")
    assert Survey.objects.get(pk=surveyed.pk).rating == ""


def test_the_requester_changes_the_rating_in_the_portal_within_a_week(
    surveyed: Survey, customer: Any
) -> None:
    services.rate_case(actor=customer, case_id=surveyed.case_id, rating="bad", now=LATER)
    changed = services.rate_case(
        actor=customer,
        case_id=surveyed.case_id,
        rating="good",
        comment="Fixed after all",
        now=LATER + dt.timedelta(days=6),
    )
    assert (changed.rating, changed.comment) == ("good", "Fixed after all")
    with pytest.raises(SurveyClosed):
        services.rate_case(
            actor=customer, case_id=surveyed.case_id, rating="bad", now=LATER + dt.timedelta(days=8)
        )


def test_nobody_else_rates_the_case(surveyed: Survey, stranger: Any, agent: Any) -> None:
    with pytest.raises(NotFound):
        services.rate_case(actor=stranger, case_id=surveyed.case_id, rating="bad", now=LATER)
    with pytest.raises(Forbidden):
        services.rate_case(actor=agent, case_id=surveyed.case_id, rating="good", now=LATER)
    response = signed_in(stranger).post(
        reverse("portal:case_rate", args=[surveyed.case_id]), {"rating": "bad"}
    )
    assert response.status_code == 404


def test_the_portal_case_page_offers_the_rating_and_the_console_shows_it(
    surveyed: Survey, customer: Any, agent: Any, pinned: Any
) -> None:
    pinned(LATER)
    client = signed_in(customer)
    page = client.get(reverse("portal:case", args=[surveyed.case_id]))
    assert reverse("portal:case_rate", args=[surveyed.case_id]) in page.content.decode()
    client.post(
        reverse("portal:case_rate", args=[surveyed.case_id]),
        {"rating": "bad", "comment": "Too slow"},
    )
    console = signed_in(agent).get(reverse("console:case", args=[surveyed.case_id]))
    assert "Too slow" in console.content.decode()


def test_the_report_counts_per_week_region_and_agent(
    surveyed: Survey, customer: Any, agent: Any
) -> None:
    services.rate_case(
        actor=customer, case_id=surveyed.case_id, rating="good", comment="Great", now=LATER
    )
    start, end = NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=1)
    week = selectors.csat_report(start, end, by="week")
    assert [(r.key, r.good, r.bad, r.score) for r in week] == [("2026-W11", 1, 0, 100.0)]
    assert [r.key for r in selectors.csat_report(start, end, by="region")] == ["NA"]
    agent_name = agent.get_full_name() or agent.username
    assert [r.key for r in selectors.csat_report(start, end, by="agent")] == [agent_name]
    assert [s.comment for s in selectors.csat_comments(start, end)] == ["Great"]


def test_the_console_report_and_its_csv(
    surveyed: Survey, customer: Any, agent: Any, pinned: Any
) -> None:
    services.rate_case(
        actor=customer, case_id=surveyed.case_id, rating="bad", comment="Slow", now=LATER
    )
    pinned(LATER)
    client = signed_in(agent)
    page = client.get(reverse("console:answer_reports"))
    assert page.status_code == 200
    assert "Satisfaction per week" in page.content.decode()
    csv = client.get(reverse("console:answer_reports"), {"format": "csv", "table": "csat_comments"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "Slow" in csv.content.decode()
    assert signed_in(customer).get(reverse("console:answer_reports")).status_code == 404


def test_a_reopened_case_is_not_rated_and_is_asked_again_when_resolved_again(
    surveyed: Survey, sev2_case: Case, customer: Any, agent: Any
) -> None:
    reopened_at = LATER + dt.timedelta(hours=1)
    case_services.transition_case(
        actor=customer, case_id=sev2_case.pk, to="in_progress", now=reopened_at
    )
    sev2_case.refresh_from_db()
    assert not selectors.may_rate(surveyed, sev2_case, customer, reopened_at)
    with pytest.raises(SurveyClosed) as refused:
        services.rate_case(actor=customer, case_id=sev2_case.pk, rating="good", now=reopened_at)
    assert "reopened" in str(refused.value)
    page = signed_in(customer).get(f"/portal/cases/{sev2_case.pk}/").content.decode()
    assert "Save my rating" not in page
    # Nothing is asked while it is open; the next resolution asks again, once.
    assert services.send_surveys(now=reopened_at) == 0
    resolved_again = reopened_at + dt.timedelta(hours=1)
    for step in ("workaround_provided", "resolved"):
        case_services.transition_case(
            actor=agent,
            case_id=sev2_case.pk,
            to=step,
            agreement="Customer confirmed by phone",
            now=resolved_again,
        )
    asked_at = resolved_again + dt.timedelta(minutes=5)
    assert services.send_surveys(now=asked_at) == 1
    assert services.send_surveys(now=asked_at + dt.timedelta(minutes=1)) == 0
    assert OutboxMessage.objects.filter(dedupe_key__contains="satisfaction_survey").count() == 2
    survey = Survey.objects.get(case=sev2_case)
    assert survey.sent_at == asked_at and survey.link_used_at is None
    sev2_case.refresh_from_db()
    assert selectors.may_rate(survey, sev2_case, customer, asked_at)
    services.rate_case(actor=customer, case_id=sev2_case.pk, rating="good", now=asked_at)
