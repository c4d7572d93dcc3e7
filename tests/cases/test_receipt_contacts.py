"""Every receipt tells the customer how to reach support besides the portal: the
policy's contacts (seed 000's address, numbers and emergency line), text and HTML."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.cases.models import OutboundMail
from supportdesk.notifications.models import OutboxMessage
from tests.cases.conftest import NOW, open_sev
from tests.factories import tell_everyone

pytestmark = pytest.mark.django_db


def test_a_receipt_lists_the_policys_address_numbers_and_emergency_line(
    customer: Any, organisation: Any
) -> None:
    case = open_sev(customer, organisation, severity=2, now=NOW)
    tell_everyone()
    receipt = OutboxMessage.objects.get(recipient_user=customer)
    assert "How to reach support:" in receipt.body
    assert "- Email: customercare@inntopia.com" in receipt.body
    assert "- Partner Services: +1 802-253-2905 (During standard support hours)" in receipt.body
    assert "- Emergency line: +1 888-492-3332 (After standard support hours" in receipt.body
    assert "- Your Strategic Account Manager:" in receipt.body
    html = OutboundMail.objects.get(outbox=receipt, case=case).html
    assert '<a href="tel:+1802-253-2905">+1 802-253-2905</a>' in html
    assert 'href="mailto:customercare@inntopia.com"' in html


def test_the_html_receipt_greets_and_links_the_case_as_the_text_does(
    customer: Any, organisation: Any
) -> None:
    # Most mail programs show the HTML part: it must carry the way to the case too.
    case = open_sev(customer, organisation, severity=2, now=NOW)
    tell_everyone()
    receipt = OutboxMessage.objects.get(recipient_user=customer)
    link = f"/portal/cases/{case.pk}/"
    assert link in receipt.body
    html = OutboundMail.objects.get(outbox=receipt, case=case).html
    assert f'{link}"><strong>{case.reference}</strong></a>' in html
    assert receipt.body.startswith("Hello,")
    assert html.startswith("<p>Hello,</p>")
