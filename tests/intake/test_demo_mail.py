"""The demo data includes mail: an email case opened by an HTML message with an inline
screenshot, and the customer's reply on it."""

from __future__ import annotations

import pytest

from supportdesk import demo
from supportdesk.accounts.models import User
from supportdesk.cases.models import Case, Comment
from supportdesk.domain.mail import html_for_display, parse_message
from supportdesk.intake.models import InboundMessage, InboundState
from tests.factories import load_shipped_policies


@pytest.mark.django_db
def test_the_demo_has_an_email_case_with_a_reply_and_an_inline_image() -> None:
    load_shipped_policies()
    demo.seed()
    received = list(InboundMessage.objects.order_by("received_at"))
    assert [m.state for m in received] == [InboundState.OPENED, InboundState.COMMENTED]
    case = Case.objects.get(pk=received[0].case_id)
    assert received[1].case_id == case.pk and case.channel == "email"
    assert case.requester == User.objects.get(username="alice")
    assert Comment.objects.get(case=case).body == "It also happens for bookings made by phone."
    shown = html_for_display(parse_message(bytes(received[0].raw)))
    assert 'src="data:image/png;base64,iVBOR' in shown
    demo.seed()  # seeding again adds nothing
    assert InboundMessage.objects.count() == 2
