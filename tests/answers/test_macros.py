"""Macros: saved with their placeholders checked, applied in one step through the case
services (with their permission checks), all or nothing, and counted."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.answers import selectors, services
from supportdesk.answers.models import CaseTag, Macro
from supportdesk.answers.placeholders import PlaceholderError
from supportdesk.cases.models import Case, CaseEvent, Comment
from supportdesk.domain.errors import DomainError
from supportdesk.domain.lifecycle import IllegalTransition
from supportdesk.notifications.models import Notification, OutboxMessage
from tests.answers.conftest import NOW
from tests.factories import tell_everyone

pytestmark = pytest.mark.django_db


def _macro(actor: Any, **kw: Any) -> Macro:
    draft = {
        "name": "Need logs",
        "body": "Hello {{ requester.first_name }}, please send the logs for {{ case.reference }}. {{ agent.first_name }}",
        "status": "waiting_on_customer",
        **kw,
    }
    return services.create_macro(actor=actor, draft=services.MacroDraft(**draft), now=NOW)


def test_a_macro_replies_sets_the_status_and_assigns_in_one_step(
    agent: Any, sev2_case: Case, customer: Any
) -> None:
    macro = _macro(agent, assignee_id=agent.pk, tags=["Logs Needed"])
    done = services.apply_macro(actor=agent, case_id=sev2_case.pk, macro_id=macro.pk, now=NOW)
    case = Case.objects.get(pk=sev2_case.pk)
    assert case.status == "waiting_on_customer"
    assert case.assignee_id == agent.pk
    comment = Comment.objects.get(case=case)
    assert comment.public
    assert comment.body == (
        f"Hello {customer.first_name or customer.username}, please send the logs for "
        f"{case.reference}. {agent.first_name or agent.username}"
    )
    assert done.comment == comment
    assert selectors.case_tags(case) == ["logs-needed"]
    assert Macro.objects.get(pk=macro.pk).usage_count == 1
    # The reply reached the requester as a reply by hand would (told by the worker).
    tell_everyone()
    assert OutboxMessage.objects.filter(
        recipient_user=customer, dedupe_key__contains="public_reply"
    ).exists()


def test_an_internal_macro_writes_an_internal_note_the_customer_is_not_told_of(
    agent: Any, sev2_case: Case, customer: Any
) -> None:
    macro = _macro(agent, public=False, status="", body="Checked {{ case.reference }}")
    services.apply_macro(actor=agent, case_id=sev2_case.pk, macro_id=macro.pk, now=NOW)
    note = Comment.objects.get(case=sev2_case)
    assert not note.public
    assert not OutboxMessage.objects.filter(
        recipient_user=customer, dedupe_key__contains="reply"
    ).exists()


def test_the_customer_is_not_told_the_name_of_the_macro_that_moved_the_case(
    agent: Any, sev2_case: Case, customer: Any
) -> None:
    # Macro names are the team's own shorthand (an internal macro's especially): the
    # status change it makes reaches the customer's timeline, bell and mail without it.
    macro = _macro(agent, name="Blame the vendor (internal)", public=False, status="in_progress")
    services.apply_macro(actor=agent, case_id=sev2_case.pk, macro_id=macro.pk, now=NOW)
    tell_everyone()
    change = CaseEvent.objects.get(case=sev2_case, kind="status")
    assert "Blame the vendor" not in str(change.data)
    told = [
        *OutboxMessage.objects.filter(recipient_user=customer).values_list("body", flat=True),
        *Notification.objects.filter(recipient=customer).values_list("body", flat=True),
    ]
    assert told and not [text for text in told if "Blame the vendor" in text]


def test_a_severity_change_carries_the_macro_reason(agent: Any, sev2_case: Case) -> None:
    macro = _macro(agent, body="", status="", severity=3, severity_reason="workaround given")
    services.apply_macro(actor=agent, case_id=sev2_case.pk, macro_id=macro.pk, now=NOW)
    change = sev2_case.severity_changes.get()
    assert (change.from_severity, change.to_severity, change.reason) == (2, 3, "workaround given")


def test_a_refused_step_undoes_the_whole_macro(agent: Any, sev2_case: Case) -> None:
    # From "new" a case cannot be closed: the reply written before must not stay.
    macro = _macro(agent, status="closed")
    with pytest.raises(IllegalTransition):
        services.apply_macro(actor=agent, case_id=sev2_case.pk, macro_id=macro.pk, now=NOW)
    assert not Comment.objects.filter(case=sev2_case).exists()
    assert Case.objects.get(pk=sev2_case.pk).status == "new"
    assert Macro.objects.get(pk=macro.pk).usage_count == 0


def test_an_agent_who_may_not_see_the_case_cannot_apply_a_macro_to_it(
    emea_agent: Any, sev2_case: Case
) -> None:
    macro = _macro(emea_agent)
    with pytest.raises(NotFound):
        services.apply_macro(actor=emea_agent, case_id=sev2_case.pk, macro_id=macro.pk)
    assert not CaseEvent.objects.filter(case=sev2_case, kind="comment").exists()


def test_customers_have_no_macros(agent: Any, customer: Any, sev2_case: Case) -> None:
    macro = _macro(agent)
    assert not selectors.macros_for(customer).exists()
    with pytest.raises(NotFound):
        services.apply_macro(actor=customer, case_id=sev2_case.pk, macro_id=macro.pk)
    with pytest.raises(Forbidden):
        _macro(customer)


def test_personal_macros_are_their_owners_and_shared_ones_follow_region(
    agent: Any, emea_agent: Any, manager: Any
) -> None:
    personal = _macro(agent, name="Mine", personal=True)
    na_only = _macro(agent, name="NA", region="na")
    everyone = _macro(agent, name="All")
    assert set(selectors.macros_for(agent)) == {personal, na_only, everyone}
    assert set(selectors.macros_for(emea_agent)) == {everyone}
    # A manager keeps the shared macros in order; another agent may not change them.
    services.update_macro(
        actor=manager, macro_id=everyone.pk, draft=services.MacroDraft(name="All", body="Hi")
    )
    with pytest.raises(NotFound):
        services.delete_macro(actor=emea_agent, macro_id=personal.pk)


def test_a_macro_with_an_unknown_placeholder_is_refused_when_saved(agent: Any) -> None:
    with pytest.raises(PlaceholderError) as caught:
        _macro(agent, body="Dear {{ customer.name }}")
    assert caught.value.field == "body"
    assert not Macro.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "resolved"}, "status"),
        ({"status": "sleeping"}, "status"),
        ({"severity": 3, "severity_reason": ""}, "severity_reason"),
        ({"assignee_id": 999_999}, "assignee_id"),
        ({"tags": ["no spaces!"]}, "tags"),
        ({"body": "", "status": ""}, "body"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_macros_are_refused_naming_the_field(
    agent: Any, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        _macro(agent, **changes)
    assert caught.value.field == field


def test_preview_shows_the_reply_and_changes_and_writes_nothing(
    agent: Any, sev2_case: Case
) -> None:
    macro = _macro(agent, assignee_id=agent.pk)
    preview = services.preview_macro(actor=agent, case_id=sev2_case.pk, macro_id=macro.pk)
    assert sev2_case.reference in preview.reply
    assert str(preview.actions[0]) == "status → waiting on customer"
    assert str(preview.actions[1]).startswith("assign → ")
    assert not Comment.objects.filter(case=sev2_case).exists()


def test_bulk_application_reports_the_cases_it_could_not_touch(agent: Any, sev2_case: Case) -> None:
    macro = _macro(agent, status="", tags=["outage"])
    outcomes = services.apply_macro_to_cases(
        actor=agent, case_ids=[sev2_case.pk, 987_654], macro_id=macro.pk, now=NOW
    )
    assert [(o.case_id, o.applied) for o in outcomes] == [(sev2_case.pk, True), (987_654, False)]
    assert "case_id" in outcomes[1].error
    assert CaseTag.objects.filter(case=sev2_case, name="outage").exists()


def test_tags_are_normalised_kept_once_and_removed(agent: Any, sev2_case: Case) -> None:
    assert services.add_tags(
        actor=agent, case_id=sev2_case.pk, names=["VIP", "vip", "Rates Sync"]
    ) == [
        "rates-sync",
        "vip",
    ]
    assert services.remove_tag(actor=agent, case_id=sev2_case.pk, name="VIP") == ["rates-sync"]
    assert selectors.tag_suggestions("ra") == ["rates-sync"]
    assert list(selectors.cases_tagged(agent, "rates-sync")) == [sev2_case]


def test_customers_cannot_tag(customer: Any, sev2_case: Case) -> None:
    with pytest.raises(Forbidden):
        services.add_tags(actor=customer, case_id=sev2_case.pk, names=["mine"])
