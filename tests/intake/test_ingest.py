"""From mail to cases: the ingest service (the pipe and the listener share it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError
from django.urls import reverse

from supportdesk.accounts.models import User
from supportdesk.cases import services as cases
from supportdesk.cases.models import Attachment, Case, Comment, FollowUpTask, OutboundMail
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.intake.models import InboundMessage, InboundState
from supportdesk.intake.services import held, mail_cases
from supportdesk.intake.services.ingest import MessageTooLarge
from supportdesk.notifications.models import OutboxMessage
from tests.cases.conftest import open_sev
from tests.factories import make_org, tell_everyone
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, NOW, ingest


def _receipt(case: Case) -> OutboxMessage:
    return OutboxMessage.objects.get(dedupe_key=f"case:{case.pk}:mail:receipt")


def test_int1_a_new_message_opens_an_email_case_with_a_threaded_receipt(customer: Any) -> None:
    raw = corpus.plain(sender=f"Ann <{CUSTOMER}>", subject="Rates will not save", body="Help!")
    result = ingest(raw)
    message = result.message
    assert message.state == InboundState.OPENED
    case = Case.objects.get(pk=message.case_id)
    assert case.channel == "email" and case.requester == customer
    assert case.title == "Rates will not save" and case.description == "Help!"
    # The receipt is told after the message's transaction, by the worker.
    assert not OutboxMessage.objects.filter(dedupe_key=f"case:{case.pk}:mail:receipt").exists()
    tell_everyone()
    receipt = _receipt(case)
    assert receipt.address == CUSTOMER
    assert receipt.subject == f"[{case.reference}] Rates will not save"
    assert "We will respond by Thu 12 Mar 2026, 17:00 UTC" in receipt.body
    # A mailed report is answered as the message it was; replies keep adding to it.
    body = " ".join(receipt.body.split())
    assert f"we have received your message and opened case {case.reference}:" in body
    assert f"Reply to this message to add to the case; keep [{case.reference}]" in body
    envelope = OutboundMail.objects.get(outbox=receipt)
    assert envelope.auto_submitted == "auto-replied"
    assert envelope.in_reply_to == message.message_id
    assert envelope.message_id.endswith("@desk.example>")


def test_int4_a_case_by_email_asks_for_what_its_report_lacks_and_invents_nothing(
    customer: Any, agent: Any, client: Any
) -> None:
    """A message carries no form: the case stores no answer and no detail it did not
    give, and the receipt, the customer's page and the agent's page name what its
    severity needs, in the policy's words (INT-3, INT-4)."""
    raw = corpus.plain(sender=CUSTOMER, subject="Rates will not save", body="Help!")
    case = Case.objects.get(pk=ingest(raw).message.case_id)
    assert case.triage["answers"] == {} and case.triage["intake"] == {}
    assert case.triage["answered"] is False
    assert case.missing_intake == ["occurred_at", "area", "activity", "scope", "details"]
    labels = ["At least one concrete time the problem occurred", "Other pertinent details"]
    tell_everyone()
    receipt = _receipt(case).body
    assert "To help us, reply with:\n- At least one concrete time the problem occurred\n" in receipt
    assert all(f"- {label}" in receipt for label in labels)
    client.force_login(customer)
    page = client.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "You wrote to us by email, which has no form." in page
    assert all(f">{label}</label>" in page or f"<legend>{label}" in page for label in labels)
    # Nothing invented is shown back as what the customer reported.
    assert "Not stated" not in page and "Other sites on the Internet" not in page
    client.force_login(agent)
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert "Opened by email, without the form: ask the customer for" in page
    assert all(f"<li>{label}</li>" in page for label in labels)


def test_int4_a_case_with_the_form_lacks_nothing(customer: Any, organisation: Any) -> None:
    case = open_sev(customer, organisation, severity=3, now=NOW)
    assert case.missing_intake == [] and case.triage["answered"] is True
    tell_everyone()
    (receipt,) = OutboxMessage.objects.filter(recipient_user=customer)
    assert case.reference in receipt.body and "To help us" not in receipt.body


def test_int1_sender_known_by_mail_domain_becomes_a_contact_of_the_organisation(
    organisation: Any,
) -> None:
    raw = corpus.plain(sender="Bo Berg <bo@alpine-hotels.example>", subject="Login", body="x")
    message = ingest(raw).message
    assert message.state == InboundState.OPENED
    contact = User.objects.get(email="bo@alpine-hotels.example")
    assert contact.organization == organisation and not contact.has_usable_password()
    assert contact.first_name == "Bo"


def test_a_deactivated_contact_of_the_domains_organisation_is_found_not_made_again(
    organisation: Any,
) -> None:
    """The organisation by domain and the contact looked for in it are one read: a
    contact there (here deactivated, so the sender read does not find them) is found."""
    ingest(corpus.plain(sender="bo@alpine-hotels.example", subject="Login", body="x"))
    User.objects.filter(email="bo@alpine-hotels.example").update(is_active=False)
    raw = corpus.plain(sender="bo@alpine-hotels.example", subject="Export", body="y")
    message = ingest(raw, now=NOW + dt.timedelta(minutes=1)).message
    assert message.state == InboundState.OPENED
    contact = User.objects.get(email="bo@alpine-hotels.example")
    assert Case.objects.get(pk=message.case_id).requester == contact


def test_sev3_a_non_urgent_request_by_email_is_standard_work_never_sev1(customer: Any) -> None:
    raw = corpus.plain(sender=CUSTOMER, subject="Password reset needed", body="Locked out")
    case = Case.objects.get(pk=ingest(raw).message.case_id)
    assert case.request_type == "password"
    assert case.severity == 3 and case.route_action != "page_on_call"


def test_int1_severity_from_email_is_the_policy_triage_default(customer: Any) -> None:
    raw = corpus.plain(sender=CUSTOMER, subject="Platform down!!! urgent", body="Everything")
    case = Case.objects.get(pk=ingest(raw).message.case_id)
    assert case.severity == 3
    assert case.severity_basis == "default"


def test_int1_duplicate_delivery_of_the_same_message_id_is_ignored(
    customer: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    raw = corpus.plain(sender=CUSTOMER, subject="Once", body="x")
    first = ingest(raw)
    second = ingest(raw)
    assert second.duplicate and second.message.pk == first.message.pk
    assert Case.objects.count() == 1 and InboundMessage.objects.count() == 1
    # A redelivered reply is routed, fails on its stored Message-ID and is rolled back:
    # the case keeps one comment.
    case = Case.objects.get()
    reply = corpus.plain(sender=CUSTOMER, subject=f"Re: [{case.reference}] Once", body="More")
    assert not ingest(reply).duplicate and ingest(reply).duplicate
    assert Comment.objects.filter(case=case).count() == 1
    # A message with files is looked up first: a redelivery writes no file again.
    files = corpus.with_attachments(sender=CUSTOMER, subject=f"Re: [{case.reference}] Logs")
    ingest(files)
    stored = sorted(tmp_path.rglob("*.*"))
    assert len(stored) == 2 and ingest(files).duplicate
    assert sorted(tmp_path.rglob("*.*")) == stored
    # A Message-ID longer than the column is kept cut, and its redelivery still found.
    long_id = f"<{'x' * 300}@alpine.example>"
    long = corpus.plain(sender=CUSTOMER, subject="Long id", body="x", message_id=long_id)
    first_long = ingest(long)
    assert first_long.message.message_id == long_id[:255]
    again = ingest(long)
    assert again.duplicate and again.message.pk == first_long.message.pk


def test_int1_reply_with_token_is_a_public_comment_and_ends_waiting_on_customer(
    customer: Any, agent: Any
) -> None:
    case = Case.objects.get(
        pk=ingest(corpus.plain(sender=CUSTOMER, subject="Rates", body="x")).message.case_id
    )
    later = NOW + dt.timedelta(hours=1)
    cases.transition_case(actor=agent, case_id=case.pk, to="acknowledged", now=later)
    cases.transition_case(actor=agent, case_id=case.pk, to="waiting_on_customer", now=later)
    raw = corpus.plain(
        sender=CUSTOMER, subject=f"Re: [{case.reference}] Rates", body=corpus.OUTLOOK_REPLY
    )
    message = ingest(raw, now=later + dt.timedelta(hours=1)).message
    assert message.state == InboundState.COMMENTED and message.case_id == case.pk
    comment = Comment.objects.get(case=case)
    assert comment.public and comment.channel == "email" and comment.author == customer
    assert comment.body.startswith("Still failing after the workaround")
    assert "Original Message" not in comment.body
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_int1_reply_threaded_by_in_reply_to_finds_the_case_without_a_token(customer: Any) -> None:
    case = Case.objects.get(
        pk=ingest(corpus.plain(sender=CUSTOMER, subject="Rates", body="x")).message.case_id
    )
    tell_everyone()
    receipt_id = OutboundMail.objects.get(outbox=_receipt(case)).message_id
    raw = corpus.plain(
        sender=CUSTOMER, subject="Re: Rates", body=corpus.GMAIL_REPLY, in_reply_to=receipt_id
    )
    message = ingest(raw).message
    assert message.state == InboundState.COMMENTED and message.case_id == case.pk
    assert Comment.objects.get(case=case).body == "Thanks, that fixed it for us."


def test_a_token_of_another_tenants_case_is_not_followed(customer: Any, policies: Any) -> None:
    other = make_org(name="Other", region="na", policy=policies["partner-services"])
    from tests.factories import Role, make_user

    stranger = make_user(role=Role.CUSTOMER, organization=other)
    foreign = open_sev(stranger, other, severity=3, now=NOW)
    raw = corpus.plain(sender=CUSTOMER, subject=f"[{foreign.reference}] hijack", body="x")
    message = ingest(raw).message
    assert message.state == InboundState.OPENED and message.case_id != foreign.pk
    assert not Comment.objects.filter(case=foreign).exists()


def _closed_case(customer: Any, agent: Any) -> Case:
    case = Case.objects.get(
        pk=ingest(corpus.plain(sender=CUSTOMER, subject="Rates", body="x")).message.case_id
    )
    for to in ("acknowledged", "in_progress", "workaround_provided", "resolved", "closed"):
        cases.transition_case(actor=agent, case_id=case.pk, to=to, agreement="by phone", now=NOW)
    return case


def test_rsp_5_reply_on_a_closed_case_within_the_window_reopens_it(
    customer: Any, agent: Any
) -> None:
    case = _closed_case(customer, agent)
    raw = corpus.plain(sender=CUSTOMER, subject=f"Re: [{case.reference}] Rates", body="Back again")
    message = ingest(raw, now=NOW + dt.timedelta(days=13)).message
    assert message.state == InboundState.REOPENED
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert Comment.objects.get(case=case).body == "Back again"


def test_rsp_5_reply_after_the_window_opens_a_new_linked_case(customer: Any, agent: Any) -> None:
    case = _closed_case(customer, agent)
    raw = corpus.plain(sender=CUSTOMER, subject=f"Re: [{case.reference}] Rates", body="Again")
    message = ingest(raw, now=NOW + dt.timedelta(days=15)).message
    assert message.state == InboundState.OPENED
    assert message.follows_case_id == case.pk and message.case_id != case.pk
    new = Case.objects.get(pk=message.case_id)
    assert new.description.startswith(f"Follows up {case.reference} (closed).")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_int1_attachments_and_inline_images_are_kept_on_the_case(customer: Any) -> None:
    raw = corpus.with_attachments(sender=CUSTOMER, subject="Screenshot")
    case_id = ingest(raw).message.case_id
    names = set(Attachment.objects.filter(case_id=case_id).values_list("name", "content_type"))
    assert names == {("screenshot.png", "image/png"), ("error-log.pdf", "application/pdf")}


def test_int1_charset_and_encoded_words_reach_the_case_intact(organisation: Any) -> None:
    raw = corpus.latin1(sender="fm@alpine.example", charset="windows-1252")
    case = Case.objects.get(pk=ingest(raw).message.case_id)
    assert case.title == "Problème de réservation – hôtel"
    assert case.description.endswith("12€")
    assert User.objects.get(email="fm@alpine.example").last_name == "Müller"


def test_int1_unknown_sender_is_held_until_an_agent_assigns_an_organisation(
    organisation: Any, agent: Any
) -> None:
    raw = corpus.plain(sender="zed@nowhere.example", subject="Hello", body="Who am I")
    message = ingest(raw).message
    assert message.state == InboundState.HELD and message.case_id is None
    assert not OutboxMessage.objects.exists()
    done = held.assign_held_message(
        actor=agent, message_id=message.pk, organisation_id=organisation.pk, now=NOW
    )
    assert done.state == InboundState.OPENED
    assert Case.objects.get(pk=done.case_id).requester.email == "zed@nowhere.example"


def test_int1_unknown_sender_is_rejected_with_a_reply_when_the_policy_says_so(
    reject_unknown: None,
) -> None:
    raw = corpus.plain(sender="zed@nowhere.example", subject="Hello", body="x")
    message = ingest(raw).message
    assert message.state == InboundState.REJECTED
    reply = OutboxMessage.objects.get()
    assert reply.address == "zed@nowhere.example" and "is not registered" in reply.body
    assert OutboundMail.objects.get(outbox=reply).auto_submitted == "auto-replied"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        corpus.out_of_office(sender=CUSTOMER),
        corpus.bounce_dsn(original_id="<x@desk.example>"),
        corpus.plain(sender=CUSTOMER, subject="news", body="x", headers={"Precedence": "list"}),
    ],
    ids=["out-of-office", "bounce-dsn", "list"],
)
def test_int1_auto_replies_and_bounces_are_recorded_never_answered(
    customer: Any, raw: bytes
) -> None:
    message = ingest(raw).message
    assert message.state == InboundState.AUTOMATIC and message.reason
    assert not Case.objects.exists() and not OutboxMessage.objects.exists()


def test_int1_null_envelope_sender_is_a_bounce(customer: Any) -> None:
    raw = corpus.plain(sender=CUSTOMER, subject="x", body="y")
    message = ingest(raw, envelope_sender="").message
    assert message.state == InboundState.AUTOMATIC


def test_int1_mail_loop_between_two_auto_responders_ends_at_the_rate_limit(
    reject_unknown: None,
) -> None:
    """A robot without auto-reply headers answers each of our rejections; we answer it
    at most rate_limit_per_hour times, then record and drop its mail. No case opens."""
    for i in range(45):
        raw = corpus.plain(
            sender="robot@loop.example", subject=f"Re: Not registered {i}", body="ok"
        )
        ingest(raw, now=NOW + dt.timedelta(seconds=i))
    states = list(InboundMessage.objects.order_by("pk").values_list("state", flat=True))
    assert states[:30] == [InboundState.REJECTED] * 30
    assert states[30:] == [InboundState.RATE_LIMITED] * 15
    assert OutboxMessage.objects.count() == 30
    assert not Case.objects.exists()
    # An hour later the sender is heard again.
    raw = corpus.plain(sender="robot@loop.example", subject="later", body="ok")
    assert ingest(raw, now=NOW + dt.timedelta(hours=2)).message.state == InboundState.REJECTED


def test_int1_oversize_message_is_refused_and_not_stored(customer: Any, settings: Any) -> None:
    raw = corpus.plain(sender=CUSTOMER, subject="big", body="x" * (26 * 1024 * 1024))
    with pytest.raises(MessageTooLarge):
        ingest(raw)
    assert not InboundMessage.objects.exists()


def test_a_new_senders_message_that_lost_the_race_for_its_contact_is_routed_again(
    organisation: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two first messages of one sender, delivered at once: the one whose contact
    insert clashes with the other's (committed meanwhile) is routed once more, not
    stored as failed; a clash that stays is a failure with its reason."""
    real = mail_cases.create_contact
    calls: list[str] = []

    def clashing_once(address: str, *args: Any) -> User:
        calls.append(address)
        if len(calls) == 1:
            raise IntegrityError('duplicate key value violates unique constraint "username"')
        return real(address, *args)

    monkeypatch.setattr(mail_cases, "create_contact", clashing_once)
    raw = corpus.plain(sender="bo@alpine-hotels.example", subject="Login", body="x")
    message = ingest(raw).message
    assert message.state == InboundState.OPENED
    assert calls == ["bo@alpine-hotels.example"] * 2
    assert User.objects.filter(email="bo@alpine-hotels.example").count() == 1
    assert InboundMessage.objects.count() == 1

    def always_clashing(*args: Any) -> User:
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(mail_cases, "create_contact", always_clashing)
    raw = corpus.plain(sender="ua@alpine-hotels.example", subject="Rates", body="y")
    failed = ingest(raw).message
    assert failed.state == InboundState.FAILED
    assert failed.reason == "IntegrityError: duplicate key"


def test_int1_a_message_that_fails_is_kept_with_its_reason_and_replays(
    customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(cases, "open_case", broken)
    raw = corpus.plain(sender=CUSTOMER, subject="Rates", body="x")
    message = ingest(raw).message
    assert message.state == InboundState.FAILED
    assert message.reason == "RuntimeError: database hiccup"
    assert bytes(InboundMessage.objects.get(pk=message.pk).raw) == raw
    assert not Case.objects.exists() and not OutboxMessage.objects.exists()
    monkeypatch.undo()
    replayed = held.replay_message(message_id=message.pk, now=NOW)
    assert replayed.state == InboundState.OPENED and replayed.attempts == 2


def test_int5_account_managers_email_closes_the_phone_sev1_follow_up(
    customer: Any, agent: Any, organisation: Any
) -> None:
    case = open_sev(
        agent,
        organisation,
        severity=1,
        now=NOW,
        channel="phone",
        requester_id=customer.pk,
        callback_number="+1 212 555 0100",
    )
    task = FollowUpTask.objects.get(case=case)
    raw = corpus.plain(
        sender=agent.email,
        subject=f"[{case.reference}] Detailed description",
        body="Bookings fail for all hotels since 09:12 ET; error 500 on confirm.",
    )
    message = ingest(raw).message
    assert message.state == InboundState.FOLLOW_UP
    task.refresh_from_db()
    assert task.status == "done" and task.done_by == agent
    note = Comment.objects.get(case=case)
    assert not note.public and note.body.startswith("Bookings fail")


def test_int1_a_colleagues_first_mail_replying_on_an_organisation_case_is_a_comment(
    customer: Any,
) -> None:
    case = Case.objects.get(
        pk=ingest(corpus.plain(sender=CUSTOMER, subject="Rates", body="x")).message.case_id
    )
    raw = corpus.plain(
        sender="cy@alpine.example", subject=f"Re: [{case.reference}] Rates", body="Same here"
    )
    message = ingest(raw).message
    assert message.state == InboundState.COMMENTED and message.case_id == case.pk
    assert Comment.objects.get(case=case).author.email == "cy@alpine.example"


def test_int1_a_piped_bounce_with_return_path_null_is_automatic(customer: Any) -> None:
    raw = b"Return-Path: <>\n" + corpus.plain(sender=CUSTOMER, subject="Undelivered", body="x")
    assert ingest(raw).message.state == InboundState.AUTOMATIC
    assert not Case.objects.exists()
