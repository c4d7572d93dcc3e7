"""Case mail out, on the wire: captured by a local SMTP sink (EMAIL_URL smtp to it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from supportdesk.cases import services as cases
from supportdesk.cases.models import Case, Comment, OutboundMail
from supportdesk.intake.listener import deliver_batch
from supportdesk.intake.models import InboundState
from supportdesk.intake.services.ingest import Delivery
from supportdesk.notifications.models import OutboxMessage
from supportdesk.notifications.services import deliver_due, enqueue
from tests.factories import tell_everyone
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, NOW, Sink, ingest

LATER = NOW + dt.timedelta(hours=1)


def _to(sink: Sink, address: str) -> list[Any]:
    """The mail ``address`` received (the region's team is told too)."""
    return [
        m for m, (_, rcpt) in zip(sink.received, sink.envelopes, strict=True) if rcpt == [address]
    ]


def _email_case() -> Case:
    """A case opened by mail and told (its receipt written, as the worker does)."""
    raw = corpus.plain(sender=f"Ann <{CUSTOMER}>", subject="Rates will not save", body="Help")
    case = Case.objects.get(pk=ingest(raw).message.case_id)
    tell_everyone()
    return case


def test_int1_receipt_goes_out_threaded_auto_replied_with_text_and_html(
    customer: Any, smtp_sink: Sink
) -> None:
    case = _email_case()
    deliver_due(now=NOW)
    (mail,) = _to(smtp_sink, CUSTOMER)
    envelope = OutboundMail.objects.get(case=case)
    assert mail["Message-ID"] == envelope.message_id
    assert mail["In-Reply-To"] == envelope.in_reply_to
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["Subject"] == f"[{case.reference}] Rates will not save"
    assert mail.get_content_type() == "multipart/alternative"
    html = mail.get_body(("html",))
    assert html is not None and case.reference in html.get_content()
    text = mail.get_body(("plain",))
    assert text is not None and "We will respond by" in text.get_content()


def test_int1_agent_reply_is_mailed_in_thread_and_the_answer_comes_back(
    customer: Any, agent: Any, smtp_sink: Sink
) -> None:
    case = _email_case()
    cases.add_comment(actor=agent, case_id=case.pk, body="Please clear the cache.", now=LATER)
    cases.add_comment(actor=agent, case_id=case.pk, body="internal note", public=False, now=LATER)
    tell_everyone()
    deliver_due(now=LATER)
    receipt, reply = _to(smtp_sink, CUSTOMER)
    assert reply["Subject"] == f"[{case.reference}] Rates will not save"
    assert reply["In-Reply-To"] == receipt["Message-ID"]
    references = reply["References"].split()
    assert references[-1] == receipt["Message-ID"] and len(references) == 2
    assert reply["Auto-Submitted"] == "auto-generated"
    assert "Please clear the cache." in reply.get_body(("plain",)).get_content()
    assert all("internal note" not in m.as_string() for m in smtp_sink.received)
    # The customer answers the reply, without the token: threading finds the case.
    answer = corpus.plain(
        sender=CUSTOMER,
        subject="Re: Rates will not save",
        body=corpus.GMAIL_REPLY,
        in_reply_to=reply["Message-ID"],
        references=f"{receipt['Message-ID']} {reply['Message-ID']}",
    )
    message = ingest(answer, now=LATER + dt.timedelta(minutes=5)).message
    assert message.state == InboundState.COMMENTED and message.case_id == case.pk
    assert Comment.objects.filter(case=case, author=customer).get().body == (
        "Thanks, that fixed it for us."
    )


def test_int1_status_and_severity_changes_are_mailed_to_the_requester(
    customer: Any, agent: Any, smtp_sink: Sink
) -> None:
    case = _email_case()
    cases.transition_case(actor=agent, case_id=case.pk, to="acknowledged", now=LATER)
    cases.transition_case(actor=agent, case_id=case.pk, to="waiting_on_customer", now=LATER)
    cases.change_severity(
        actor=agent, case_id=case.pk, severity=2, reason="Two hotels affected", now=LATER
    )
    deliver_due(now=LATER)
    mails = _to(smtp_sink, CUSTOMER)
    subjects = [m["Subject"] for m in mails]
    # The two changes within the coalescing window arrive as one mail.
    assert subjects == [f"[{case.reference}] Rates will not save"] * 2
    body = mails[1].get_body(("plain",)).get_content()
    # Acknowledging is not news to the customer under the default rules; waiting on them is.
    assert "is now Waiting on customer (was Acknowledged)" in body
    assert "(was new)" not in body
    assert "changed from Sev3 to Sev2" in body and "Two hotels affected" in body


def test_portal_cases_get_threaded_case_mail_too(
    customer: Any, agent: Any, organisation: Any
) -> None:
    from tests.cases.conftest import open_sev

    case = open_sev(customer, organisation, severity=3, now=NOW)
    tell_everyone()
    cases.add_comment(actor=agent, case_id=case.pk, body="Hi", now=LATER)
    tell_everyone()
    sent = OutboundMail.objects.filter(case=case, outbox__recipient_user=customer)
    assert sent.count() == 2  # the receipt, then the reply
    assert "Hi" in sent.last().outbox.body


def test_esc_6_every_outbox_mail_carries_a_message_id_and_auto_submitted(
    customer: Any, smtp_sink: Sink
) -> None:
    """Escalation updates, reminders and pages are outbox mail without a case envelope:
    they still go out with a stable Message-ID a reply can thread on."""
    message = enqueue(
        kind="email",
        subject="[Escalation 4] Update",
        body="Next steps",
        address="stakeholder@alpine.example",
        dedupe_key="escalation:4:update:1",
        now=NOW,
    )
    deliver_due(now=NOW)
    (mail,) = smtp_sink.received
    assert mail["Message-ID"] == f"<outbox-{message.pk}@desk.example>"
    assert mail["Auto-Submitted"] == "auto-generated"


def test_int1_the_listener_answers_552_for_a_message_over_the_policy_limit(
    customer: Any,
) -> None:
    big = corpus.plain(sender=CUSTOMER, subject="big", body=("x" * 70 + "\n") * 400_000)
    (too_large,) = deliver_batch([Delivery(big, "smtp", CUSTOMER)])
    assert too_large.startswith("552 5.3.4")
    (unreadable,) = deliver_batch([Delivery(b"", "smtp", CUSTOMER)])
    assert unreadable.startswith("554 5.6.0")
    assert OutboxMessage.objects.count() == 0


def test_int1_a_policy_templates_directory_overrides_the_shipped_mail(
    customer: Any, tmp_path: Any
) -> None:
    from supportdesk.policies.services import load_policy_version
    from tests.conftest import policy_text

    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "receipt.txt").write_text("Got it: {{ case.reference }}")
    text = (
        policy_text("partner-services")
        .replace('version: "2026.5"', 'version: "2026.5-templates"')
        .replace("rate_limit_per_hour: 30", f"rate_limit_per_hour: 30\n  templates: {tmp_path}")
    )
    load_policy_version(text=text)
    case = _email_case()
    receipt = OutboxMessage.objects.get(dedupe_key=f"case:{case.pk}:mail:receipt")
    assert receipt.body == f"Got it: {case.reference}\n"
    assert case.reference in OutboundMail.objects.get(outbox=receipt).html  # shipped HTML
