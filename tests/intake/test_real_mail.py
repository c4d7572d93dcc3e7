"""Mail as real systems send it, through the ingest service: robots never open, reopen
or change a case; senders with encoded names or no From; attachments stored by content
or refused with a visible reason; attached messages as .eml files; recovered bodies;
redeliveries; transient database errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from supportdesk.cases import services as cases
from supportdesk.cases.models import Attachment, Case, CaseEvent, Comment, OutboundMail
from supportdesk.domain.lifecycle import CaseStatus
from supportdesk.domain.mail import parse_message
from supportdesk.intake.models import InboundMessage, InboundState
from supportdesk.notifications.models import OutboxMessage
from tests.factories import tell_everyone
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, NOW, ingest

LATER = NOW + dt.timedelta(hours=2)


def _opened(subject: str = "Rates") -> Case:
    message = ingest(corpus.plain(sender=CUSTOMER, subject=subject, body="Rates fail.")).message
    tell_everyone()  # its receipt written, as the worker does
    return Case.objects.get(pk=message.case_id)


def _receipt_id(case: Case) -> str:
    outbox = OutboxMessage.objects.get(dedupe_key=f"case:{case.pk}:mail:receipt")
    return OutboundMail.objects.get(outbox=outbox).message_id


def _snapshot(case: Case) -> tuple[str, int, int, int]:
    case.refresh_from_db()
    return (
        case.status,
        CaseEvent.objects.filter(case=case).count(),
        Comment.objects.filter(case=case).count(),
        OutboxMessage.objects.count(),
    )


def test_a_vacation_reply_on_a_case_waiting_for_the_customer_changes_nothing(
    customer: Any, agent: Any
) -> None:
    case = _opened()
    for to in ("acknowledged", "waiting_on_customer"):
        cases.transition_case(actor=agent, case_id=case.pk, to=to, now=NOW)
    before = _snapshot(case)
    raw = corpus.icloud_vacation(
        sender=CUSTOMER, in_reply_to=_receipt_id(case), subject=f"[{case.reference}] Rates"
    )
    message = ingest(raw, now=LATER).message
    assert message.state == InboundState.AUTOMATIC
    assert message.reason == "X-Apple-Action: VACATION"
    # Kept on the case for the agent, but no comment, no event, no reply, no status.
    assert message.case_id == case.pk
    assert _snapshot(case) == before
    assert case.status == CaseStatus.WAITING_ON_CUSTOMER


def test_a_vacation_reply_never_reopens_a_closed_case(customer: Any, agent: Any) -> None:
    case = _opened()
    for to in ("acknowledged", "in_progress", "workaround_provided", "resolved", "closed"):
        cases.transition_case(actor=agent, case_id=case.pk, to=to, agreement="by phone", now=NOW)
    before = _snapshot(case)
    raw = corpus.icloud_vacation(
        sender=CUSTOMER, in_reply_to="", subject=f"Re: [{case.reference}] Rates"
    )
    message = ingest(raw, now=LATER).message
    assert message.state == InboundState.AUTOMATIC and message.case_id == case.pk
    assert _snapshot(case) == before and case.status == CaseStatus.CLOSED


@pytest.mark.parametrize(
    "make",
    [
        lambda: corpus.lotus_out_of_office(sender=f"Ann <{CUSTOMER}>"),
        lambda: corpus.mailman_digest(list_address="hotel-ops@alpine.example"),
        lambda: corpus.read_receipt(sender=CUSTOMER, original_id="<x@desk.example>"),
    ],
)
def test_lotus_notes_digests_and_receipts_open_no_case_and_get_no_receipt(
    customer: Any, make: Any
) -> None:
    message = ingest(make()).message
    assert message.state == InboundState.AUTOMATIC and message.reason
    assert not Case.objects.exists() and not OutboxMessage.objects.exists()


def test_robots_show_on_the_case_page_and_its_mail(customer: Any, agent: Any) -> None:
    case = _opened()
    ingest(
        corpus.icloud_vacation(sender=CUSTOMER, in_reply_to=_receipt_id(case), subject="Rates"),
        now=LATER,
    )
    client = Client()
    client.force_login(agent)
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "1 from robots (not comments)" in page
    mail = client.get(f"/console/cases/{case.pk}/mail/").content.decode()
    assert "Robot" in mail and "X-Apple-Action: VACATION" in mail


def test_an_encoded_display_name_with_a_comma_opens_a_case_not_held(organisation: Any) -> None:
    message = ingest(corpus.encoded_comma_sender(address="andreas@alpine.example")).message
    assert message.state == InboundState.OPENED and message.sender == "andreas@alpine.example"
    case = Case.objects.get(pk=message.case_id)
    assert case.requester.first_name == "Bürling,"


def test_a_message_without_from_is_filed_under_its_reply_to(customer: Any) -> None:
    raw = corpus.without_from(headers={"Reply-To": f"Ann <{CUSTOMER}>"})
    message = ingest(raw).message
    assert message.state == InboundState.OPENED and message.sender == CUSTOMER


def test_a_message_with_a_broken_from_is_filed_under_its_envelope_sender(customer: Any) -> None:
    raw = corpus.without_from(headers={"From": "<<nobody"})
    message = ingest(raw, envelope_sender=CUSTOMER).message
    assert message.state == InboundState.OPENED and message.sender == CUSTOMER


def test_attachments_are_stored_by_content_and_refusals_are_listed_and_told(
    customer: Any, agent: Any
) -> None:
    raw = corpus.with_parts(
        sender=CUSTOMER,
        subject="Files",
        parts=[
            corpus.attachment(corpus.PDF, "application/octet-stream", "report.pdf"),
            corpus.attachment(corpus.JPEG, "image/jpg", "photo.jpg"),
            corpus.attachment(corpus.zip_of({"a.log": "x"}), "application/x-zip-compressed", "logs.zip"),
            corpus.attachment(corpus.EXE, "application/pdf", "invoice.pdf"),
        ],
    )  # fmt: skip
    message = ingest(raw).message
    assert message.state == InboundState.OPENED
    stored = dict(Attachment.objects.filter(case=message.case).values_list("name", "content_type"))
    assert stored == {
        "report.pdf": "application/pdf",
        "photo.jpg": "image/jpeg",
        "logs.zip": "application/zip",
    }
    assert message.refused == [
        {
            "file": "invoice.pdf",
            "type": "application/x-msdownload",
            "reason": "files of type application/x-msdownload are not accepted",
        }
    ]
    assert "attachment not kept: invoice.pdf" in message.reason
    told = OutboxMessage.objects.get(dedupe_key=f"inbound:{message.pk}:attachments_refused")
    case = Case.objects.get(pk=message.case_id)
    assert told.address == CUSTOMER and told.subject.startswith(f"[{case.reference}]")
    assert "invoice.pdf: files of type application/x-msdownload are not accepted" in told.body
    client = Client()
    client.force_login(agent)
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "Attachment not kept: invoice.pdf (application/x-msdownload)" in page


def test_a_forwarded_message_is_an_eml_attachment_that_opens_in_the_mail_view(
    customer: Any, agent: Any
) -> None:
    inner = corpus.with_parts(
        sender="guest@traveller.example",
        subject="Booking failed",
        parts=[corpus.attachment(corpus.PDF, "application/pdf", "booking.pdf")],
        body="My booking failed with error 500.",
    )
    message = ingest(corpus.forwarded(sender=CUSTOMER, inner=inner, disposition=False)).message
    case = Case.objects.get(pk=message.case_id)
    assert case.description == "Forwarding the guest's mail."
    (eml,) = Attachment.objects.filter(case=case)
    assert eml.name == "Booking failed.eml" and eml.content_type == "message/rfc822"
    with eml.file.open("rb") as handle:
        again = parse_message(handle.read())
    assert again.text == "My booking failed with error 500."
    assert [p.filename for p in again.parts] == ["booking.pdf"]
    client = Client()
    client.force_login(agent)
    page = client.get(f"/console/cases/{case.pk}/attachments/{eml.pk}/mail").content.decode()
    assert "My booking failed with error 500." in page and "booking.pdf" in page


def test_a_new_cases_first_message_keeps_its_quoted_text(customer: Any) -> None:
    raw = corpus.plain(sender=CUSTOMER, subject="Fwd: rates", body=corpus.OUTLOOK_REPLY)
    case = Case.objects.get(pk=ingest(raw).message.case_id)
    assert "-----Original Message-----" in case.description


def test_a_broken_multipart_becomes_a_recovered_body_not_an_empty_message(customer: Any) -> None:
    message = ingest(corpus.missing_boundary(sender=CUSTOMER)).message
    case = Case.objects.get(pk=message.case_id)
    assert case.description == "Rates fail on every save since this morning."
    assert "body recovered" in message.reason


def test_a_redelivery_with_new_trace_headers_is_a_duplicate(customer: Any) -> None:
    raw = corpus.plain(sender=CUSTOMER, subject="Rates", body="x")
    first = ingest(raw)
    again = ingest(b"Received: from mx2.example by desk.example; Tue, 10 Mar 2026\n" + raw)
    assert again.duplicate and again.message.pk == first.message.pk
    assert InboundMessage.objects.count() == 1


def test_a_different_message_reusing_a_message_id_is_ingested(customer: Any) -> None:
    first = ingest(
        corpus.plain(sender=CUSTOMER, subject="A", body="x", message_id="<same@c.example>")
    )
    other = ingest(
        corpus.plain(sender=CUSTOMER, subject="B", body="y", message_id="<same@c.example>")
    )
    assert not other.duplicate and other.message.pk != first.message.pk
    assert Case.objects.count() == 2


def test_a_transient_database_error_stores_nothing_and_is_raised_for_a_retry(
    customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(cases, "open_case", locked)
    with pytest.raises(OperationalError):
        ingest(corpus.plain(sender=CUSTOMER, subject="Rates", body="x"))
    assert not InboundMessage.objects.exists()
