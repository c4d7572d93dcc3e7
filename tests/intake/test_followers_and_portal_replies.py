"""Mail and the other channels meet: a portal case's mail is answered by mail, and the
known contacts on a message's Cc follow its case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from supportdesk.accounts.models import Role
from supportdesk.cases import services as cases
from supportdesk.cases.models import Case, CaseFollower, Comment
from supportdesk.intake.models import InboundState
from supportdesk.notifications.services import deliver_due
from tests.cases.conftest import open_sev
from tests.factories import make_user, tell_everyone
from tests.intake import corpus
from tests.intake.conftest import CUSTOMER, NOW, Sink, ingest

LATER = NOW + dt.timedelta(hours=1)


def test_a_customers_mailed_answer_to_a_portal_case_becomes_a_comment(
    customer: Any, agent: Any, organisation: Any, smtp_sink: Sink
) -> None:
    case = open_sev(customer, organisation, severity=3, now=NOW)
    tell_everyone()
    cases.add_comment(actor=agent, case_id=case.pk, body="Which hotel?", now=LATER)
    tell_everyone()
    deliver_due(now=LATER)
    mails = [
        m
        for m, (_, rcpt) in zip(smtp_sink.received, smtp_sink.envelopes, strict=True)
        if rcpt == [CUSTOMER]
    ]
    receipt, reply = mails
    assert reply["In-Reply-To"] == receipt["Message-ID"]
    assert reply["Subject"] == f"[{case.reference}] {case.title}"
    answer = corpus.plain(
        sender=CUSTOMER,
        subject=f"Re: {case.title}",
        body="The one in Zermatt.",
        in_reply_to=reply["Message-ID"],
        references=f"{receipt['Message-ID']} {reply['Message-ID']}",
    )
    message = ingest(answer, now=LATER + dt.timedelta(minutes=5)).message
    assert message.state == InboundState.COMMENTED and message.case_id == case.pk
    assert Comment.objects.filter(case=case, author=customer).get().body == "The one in Zermatt."


def test_known_contacts_on_cc_follow_the_case_and_strangers_do_not(
    customer: Any, organisation: Any
) -> None:
    colleague = make_user(role=Role.CUSTOMER, organization=organisation)
    raw = corpus.plain(
        sender=CUSTOMER,
        subject="Rates will not save",
        body="Help",
        headers={"Cc": f"{colleague.email.upper()}, someone@elsewhere.example"},
    )
    case = Case.objects.get(pk=ingest(raw).message.case_id)
    followers = list(CaseFollower.objects.filter(case=case).values_list("user", flat=True))
    assert followers == [colleague.pk]
