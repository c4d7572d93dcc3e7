"""The mail path's cost in statements, and the one visibility rule every case read uses."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from supportdesk.accounts.models import OrganizationKind, Role
from supportdesk.accounts.permissions import NotFound
from supportdesk.cases import selectors, services
from supportdesk.cases.models import Case, Comment
from supportdesk.intake.models import InboundMessage, InboundState
from supportdesk.notifications.models import OutboxMessage
from tests.cases.conftest import open_sev
from tests.factories import make_org, make_team, make_user
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, NOW, ingest

#: At most this many statements (BEGIN, SAVEPOINT and COMMIT included) per message of
#: a known sender: a bound, so the mail path stays a fixed small cost per message.
#: A new message: site policy, BEGIN, the sender (with the organisation's current
#: policy version), their rate count and the planning stamp in one, open_case (the
#: team and the sprints kept in memory under that stamp since the last change; the
#: case, one INSERT returning its key and the reference the database derives from it;
#: events, clocks; no savepoint: the message's transaction is the unit), the one
#: fan-out job that tells of the new case (the receipt threaded under the message, the
#: requester's and the region team's notices: written by the worker after this
#: transaction), the stored message, COMMIT. No duplicate check: the stored message's
#: unique Message-ID is that check. The case's search document: one upsert on
#: PostgreSQL; on SQLite the upsert and the two FTS5 rows.
NEW = {"postgresql": 10, "sqlite": 12}
#: A reply by token: site policy, BEGIN, the sender with their rate count, the case
#: (visibility-checked and locked: the comment does not read it again), the comment
#: (comment, event, the unseen activity mark, the fan-out job that tells of the reply,
#: timeline, the clocks written in one upsert: the stored clocks are not read before a
#: warning or breach is reached; no savepoint: the message's transaction is the unit),
#: the stored message, COMMIT. The case's search document: the reply added to its end,
#: one update (on SQLite also the two FTS5 rows), not rebuilt.
REPLY = {"postgresql": 13, "sqlite": 15}

#: The first message of a sender known only by their organisation's mail domain: as a
#: new message, plus the organisation by domain (with its contract and current policy
#: version, so the new case reads none, and the contact looked for in it), and the
#: contact created.
FIRST = {"postgresql": 12, "sqlite": 14}


def _warm_up() -> None:
    """The first message of the process pays one-off reads (policy parse, calendars);
    it files its case into a sprint made for it, so the second reads the teams and
    sprints as they now are, which later messages find in memory."""
    for subject in ("Warm-up", "Warm-up again"):
        ingest(corpus.plain(sender=CUSTOMER, subject=subject, body="x"))


def _count(raw: bytes) -> tuple[InboundMessage, int]:
    with CaptureQueriesContext(connection) as queries:
        message = ingest(raw).message
    return message, len(queries)


def test_a_new_message_and_a_reply_cost_at_most_a_small_number_of_statements(
    customer: Any,
) -> None:
    _warm_up()
    message, new = _count(corpus.plain(sender=CUSTOMER, subject="Rates will not save", body="x"))
    assert message.state == InboundState.OPENED
    assert new <= NEW[connection.vendor], new
    case = Case.objects.get(pk=message.case_id)
    raw = corpus.plain(sender=CUSTOMER, subject=f"Re: [{case.reference}] Rates", body="Still")
    reply, statements = _count(raw)
    assert reply.state == InboundState.COMMENTED and reply.case_id == case.pk
    assert statements <= REPLY[connection.vendor], statements
    # Both stored with their outcome, the reply's comment on the case.
    assert InboundMessage.objects.get(pk=reply.pk).state == InboundState.COMMENTED
    assert Comment.objects.get(case=case).body == "Still"


def test_a_first_message_from_a_sender_known_by_their_domain_costs_two_statements_more(
    customer: Any,
) -> None:
    _warm_up()
    message, statements = _count(
        corpus.plain(sender="newcomer@alpine.example", subject="Rates will not save", body="x")
    )
    assert message.state == InboundState.OPENED
    assert statements <= FIRST[connection.vendor], statements
    case = Case.objects.select_related("requester").get(pk=message.case_id)
    assert case.requester.email == "newcomer@alpine.example"
    assert case.organization_id == customer.organization_id


def test_a_routing_failure_after_the_message_was_stored_keeps_it_once_as_failed(
    reject_unknown: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rejection stores the message before its reply (the reply's key names it);
    a failure after that rolls both back and the message is kept, once, as failed."""
    from supportdesk.notifications import services as outbox

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("outbox down")

    monkeypatch.setattr(outbox, "enqueue", broken)
    raw = corpus.plain(sender="zed@nowhere.example", subject="Hello", body="x")
    message = ingest(raw).message
    assert message.state == InboundState.FAILED and message.reason == "RuntimeError: outbox down"
    stored = InboundMessage.objects.get()
    assert stored.pk == message.pk and bytes(stored.raw) == raw
    assert stored.state == InboundState.FAILED and not OutboxMessage.objects.exists()


@pytest.fixture
def tenants(policies: Any) -> dict[str, Any]:
    partner = make_org(name="Partner", kind=OrganizationKind.PARTNER, region="na")
    client = make_org(name="Client", region="emea", partner=partner)
    other = make_org(name="Other", region="na")
    for org in (partner, client, other):
        org.policy = policies["partner-services"]
        org.save()
    return {"partner": partner, "client": client, "other": other}


def test_access_case_grants_exactly_what_cases_visible_to_lists(tenants: dict[str, Any]) -> None:
    partner, client, other = tenants["partner"], tenants["client"], tenants["other"]
    in_client = make_user(role=Role.CUSTOMER, organization=client)
    in_other = make_user(role=Role.CUSTOMER, organization=other)
    cases = [
        open_sev(in_client, client, severity=3, now=NOW),
        open_sev(in_other, other, severity=3, now=NOW),
        open_sev(in_other, other, severity=3, now=NOW),
        open_sev(in_client, client, severity=3, now=NOW),
    ]
    Case.objects.filter(pk=cases[2].pk).update(escalated=True)
    Case.objects.filter(pk=cases[3].pk).update(region="apac")
    superuser = make_user(role=Role.CUSTOMER, organization=other)
    superuser.is_superuser = True
    superuser.save()
    viewers = [
        in_client,
        in_other,
        make_user(role=Role.PARTNER, organization=partner),
        make_user(role=Role.PARTNER),
        make_user(role=Role.CUSTOMER),
        make_user(role=Role.AGENT, team=make_team(region="na")),
        make_user(role=Role.AGENT, team=make_team(region="emea")),
        make_user(role=Role.AGENT, team=make_team(region="apac")),
        make_user(role=Role.AGENT),
        make_user(role=Role.ESCALATION_MANAGER),
        make_user(role=Role.ADMIN),
        superuser,
    ]
    seen_somewhere = set()
    for viewer in viewers:
        expected = set(
            selectors.cases_visible_to(viewer)
            .filter(pk__in=[c.pk for c in cases])
            .values_list("pk", flat=True)
        )
        for case in cases:
            for lock in (False, True):
                try:
                    with transaction.atomic():  # a lock is taken for a transaction
                        granted = selectors.access_case(viewer, case.pk, lock=lock).pk == case.pk
                except NotFound:
                    granted = False
                assert granted == (case.pk in expected), (viewer.username, case.pk, lock)
        seen_somewhere |= expected
    assert seen_somewhere == {c.pk for c in cases}


def test_a_write_on_a_case_the_actor_may_not_see_is_not_found(tenants: dict[str, Any]) -> None:
    client, other = tenants["client"], tenants["other"]
    case = open_sev(make_user(role=Role.CUSTOMER, organization=client), client, severity=3, now=NOW)
    stranger = make_user(role=Role.CUSTOMER, organization=other)
    with pytest.raises(NotFound):
        services.add_comment(actor=stranger, case_id=case.pk, body="hi", now=NOW)
    with pytest.raises(NotFound):
        services.add_comment(actor=stranger, case_id=10**9, body="hi", now=NOW)
    assert not Comment.objects.exists()
