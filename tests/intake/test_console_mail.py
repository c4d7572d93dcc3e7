"""A case's mail on the agent console: the received and sent lists, one message as it
came (its HTML sanitised and sandboxed), the original for download, and who may see it."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from supportdesk.accounts.models import Role
from supportdesk.cases.models import Case
from supportdesk.intake.models import InboundMessage
from tests.factories import make_org, make_team, make_user, tell_everyone
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, ingest


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mail_case(customer: Any) -> tuple[Case, InboundMessage]:
    message = ingest(corpus.alternative_qp(sender=f"Ann <{CUSTOMER}>", subject="Rates")).message
    tell_everyone()  # its receipt written, as the worker does
    return Case.objects.get(pk=message.case_id), message


def test_an_agent_reads_a_cases_received_and_sent_mail(
    agent: Any, mail_case: tuple[Case, InboundMessage]
) -> None:
    case, _ = mail_case
    reply = corpus.plain(sender=CUSTOMER, subject=f"Re: [{case.reference}] Rates", body="More")
    ingest(reply)
    client = _client(agent)
    assert (
        f'href="/console/cases/{case.pk}/mail/"'
        in client.get(f"/console/cases/{case.pk}/").content.decode()
    )
    received = client.get(f"/console/cases/{case.pk}/mail/").content.decode()
    assert "Received (2)" in received and "Sent (1)" in received
    # Newest first, each linking to its page, with its outcome and a zoned time.
    rows = re.findall(r'href="/console/cases/\d+/mail/(\d+)/"', received)
    assert [int(r) for r in rows] == list(
        InboundMessage.objects.filter(case=case)
        .order_by("-received_at", "-id")
        .values_list("pk", flat=True)
    )
    assert "Opened a case" in received and "Added to a case" in received
    assert "<time datetime=" in received
    sent = client.get(f"/console/cases/{case.pk}/mail/?box=sent").content.decode()
    assert f"[{case.reference}] Rates" in sent and CUSTOMER in sent
    assert "@desk.example&gt;" in sent  # the receipt's Message-ID


def test_a_message_page_shows_the_text_and_the_sanitised_html_in_a_sandbox(
    agent: Any, mail_case: tuple[Case, InboundMessage]
) -> None:
    case, message = mail_case
    page = _client(agent).get(f"/console/cases/{case.pk}/mail/{message.pk}/").content.decode()
    assert "Rates for next week will not save — the page just spins." in page
    frame = re.search(r'<iframe id="mail-html"[^>]*srcdoc="([^"]*)"', page)
    assert frame is not None and 'sandbox=""' in frame.group(0)
    document = html.unescape(frame.group(1))
    assert "<b>save</b>" in document
    assert "<script" not in document and "javascript:" not in document and "onclick" not in document
    # Nothing loads from outside the page: no remote images, no styles from elsewhere.
    assert "default-src 'none'; img-src data:" in document
    assert message.message_id in html.unescape(page)


def test_the_original_downloads_byte_for_byte(
    agent: Any, mail_case: tuple[Case, InboundMessage]
) -> None:
    case, message = mail_case
    response = _client(agent).get(f"/console/cases/{case.pk}/mail/{message.pk}/original")
    assert response.status_code == 200 and response["Content-Type"] == "message/rfc822"
    assert response.content == bytes(InboundMessage.objects.get(pk=message.pk).raw)
    assert response["Content-Disposition"] == (
        f'attachment; filename="{case.reference}-mail-{message.pk}.eml"'
    )


def test_inline_images_show_and_the_list_never_reads_raw_bytes(
    agent: Any, customer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    message = ingest(corpus.with_attachments(sender=CUSTOMER, subject="Screenshot")).message
    client = _client(agent)
    page = client.get(f"/console/cases/{message.case_id}/mail/{message.pk}/").content.decode()
    parts = page.split('id="mail-parts"')[1].split("</ul>")[0]
    assert "screenshot.png" in parts and "error-log.pdf" in parts and "inline" in parts
    # The HTML's cid: reference became the image itself: it shows with nothing fetched.
    frame = html.unescape(re.search(r'srcdoc="([^"]*)"', page).group(1))  # type: ignore[union-attr]
    assert 'src="data:image/png;base64,' in frame and "cid:" not in frame
    # The list pages read messages without their raw bytes.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/console/cases/{message.case_id}/mail/").status_code == 200
    mail_reads = [q["sql"] for q in queries if 'FROM "intake_inboundmessage"' in q["sql"]]
    assert mail_reads and not any('"intake_inboundmessage"."raw"' in sql for sql in mail_reads)


def test_customers_and_other_cases_see_nothing(
    agent: Any, customer: Any, mail_case: tuple[Case, InboundMessage], policies: Any
) -> None:
    case, message = mail_case
    # The console does not exist for a customer, not even for their own case.
    customer_client = _client(customer)
    assert customer_client.get(f"/console/cases/{case.pk}/mail/").status_code == 404
    assert (
        customer_client.get(f"/console/cases/{case.pk}/mail/{message.pk}/original").status_code
        == 404
    )
    # A message is reached only through its own case.
    other_org = make_org(name="Other", region="na", policy=policies["partner-services"])
    other = make_user(role="customer", organization=other_org)
    other.email = "olga@other.example"
    other.save()
    stray = ingest(corpus.plain(sender="olga@other.example", subject="Mine", body="x")).message
    client = _client(agent)
    assert client.get(f"/console/cases/{case.pk}/mail/{stray.pk}/").status_code == 404
    assert client.get(f"/console/cases/{case.pk}/mail/{stray.pk}/original").status_code == 404
    # An agent of another region does not see this North America case, nor its mail.
    emea = make_user(role=Role.AGENT, team=make_team(region="emea"))
    emea_client = _client(emea)
    assert emea_client.get(f"/console/cases/{case.pk}/mail/").status_code == 404
    assert emea_client.get(f"/console/cases/{case.pk}/mail/{message.pk}/").status_code == 404
