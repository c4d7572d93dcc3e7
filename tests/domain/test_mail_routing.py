"""The mail routing decision: one tagged decision with its reason, rules in order."""

from __future__ import annotations

import datetime as dt

from supportdesk.domain.mail_routing import (
    AcknowledgePage,
    AnswerEscalation,
    CaseInHand,
    Hold,
    IgnoreAutomatic,
    MailFacts,
    OpenCase,
    Reply,
    ReplyToCase,
    RequestEscalation,
    Sender,
    Throttle,
    UnknownSenderRule,
    asks_for_escalation,
    route_mail,
)

NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)
CONTACT = Sender("ann@alpine.example", known=True, organisation_id=7)
DOMAIN_ONLY = Sender("new@alpine.example", known=False, organisation_id=7)
STAFF = Sender("agent@desk.example", known=True, staff=True)
STRANGER = Sender("zed@nowhere.example", known=False)
OPEN_CASE = CaseInHand(42)


def test_automatic_mail_is_ignored_before_anything_else_and_kept_on_the_case_it_answered() -> None:
    facts = MailFacts(CONTACT, NOW, automatic="Auto-Submitted: auto-replied", case=OPEN_CASE)
    assert route_mail(facts) == IgnoreAutomatic("Auto-Submitted: auto-replied", OPEN_CASE.case_id)
    bounce = route_mail(MailFacts(CONTACT, NOW, null_sender=True))
    assert bounce == IgnoreAutomatic("null envelope sender (a bounce)")


def test_a_sender_over_the_hourly_limit_is_throttled_and_a_replay_is_not() -> None:
    over = route_mail(MailFacts(CONTACT, NOW, recent=30, rate_limit=30))
    assert isinstance(over, Throttle) and "30 messages from ann@alpine.example" in over.reason
    assert isinstance(route_mail(MailFacts(CONTACT, NOW, recent=29, rate_limit=30)), OpenCase)
    assert isinstance(route_mail(MailFacts(CONTACT, NOW, recent=None, rate_limit=0)), OpenCase)


def test_staff_acknowledge_the_first_named_page_and_customers_do_not() -> None:
    decision = route_mail(MailFacts(STAFF, NOW, pages=(5, 6), case=OPEN_CASE))
    assert decision == AcknowledgePage(5, "page 5 acknowledged by agent@desk.example")
    assert isinstance(route_mail(MailFacts(CONTACT, NOW, pages=(5,))), OpenCase)


def test_esc8_an_answer_to_an_escalation_waiting_on_the_client() -> None:
    facts = MailFacts(CONTACT, NOW, names_escalation=True, awaiting_escalation=9, case=OPEN_CASE)
    decision = route_mail(facts)
    assert isinstance(decision, AnswerEscalation)
    assert (decision.escalation_id, decision.case_id) == (9, 42)
    # Named but not waiting on them: the message is a reply to its case.
    named = MailFacts(CONTACT, NOW, names_escalation=True, case=OPEN_CASE)
    assert isinstance(route_mail(named), ReplyToCase)


def test_esc4_a_new_message_asking_for_an_escalation_requests_one() -> None:
    asks = MailFacts(CONTACT, NOW, asks_escalation=True, escalation_process=True)
    assert route_mail(asks) == RequestEscalation(None, "the subject asks for one")
    # No process in the policy, or an escalation named already: not a request.
    assert isinstance(route_mail(MailFacts(CONTACT, NOW, asks_escalation=True)), OpenCase)
    named = MailFacts(
        CONTACT, NOW, asks_escalation=True, escalation_process=True, names_escalation=True
    )
    assert isinstance(route_mail(named), OpenCase)
    assert asks_for_escalation(True, ()) and not asks_for_escalation(True, ("<a@b>",))


def test_a_reply_comments_on_its_case() -> None:
    decision = route_mail(MailFacts(CONTACT, NOW, case=OPEN_CASE))
    assert decision == ReplyToCase(42, Reply.COMMENT, (), "a reply to the case")
    # A sender known only by their domain is a contact: their reply is a reply too.
    assert isinstance(route_mail(MailFacts(DOMAIN_ONLY, NOW, case=OPEN_CASE)), ReplyToCase)


def test_a_reply_to_a_closed_case_reopens_it_within_the_window_and_follows_it_after() -> None:
    window = dt.timedelta(days=14)
    recent = CaseInHand(42, closed=True, closed_at=NOW - dt.timedelta(days=3), reopen_window=window)
    old = CaseInHand(42, closed=True, closed_at=NOW - dt.timedelta(days=15), reopen_window=window)
    assert route_mail(MailFacts(CONTACT, NOW, case=recent)).how == Reply.REOPEN  # type: ignore[union-attr]
    assert route_mail(MailFacts(CONTACT, NOW, case=old)) == OpenCase(
        7, 42, "follows up closed case 42"
    )
    # Staff never reopen by mail: their message is a comment.
    assert route_mail(MailFacts(STAFF, NOW, case=old)).how == Reply.COMMENT  # type: ignore[union-attr]


def test_int5_the_account_managers_mail_closes_the_phone_follow_ups() -> None:
    case = CaseInHand(42, open_follow_ups=(3, 4))
    decision = route_mail(MailFacts(STAFF, NOW, case=case))
    assert isinstance(decision, ReplyToCase)
    assert (decision.how, decision.follow_ups) == (Reply.FOLLOW_UP, (3, 4))


def test_int1_new_mail_opens_a_case_and_strangers_and_staff_are_held() -> None:
    assert route_mail(MailFacts(CONTACT, NOW)) == OpenCase(7, None, "a new message")
    assert route_mail(MailFacts(DOMAIN_ONLY, NOW)) == OpenCase(7, None, "a new message")
    assert route_mail(MailFacts(STAFF, NOW)) == Hold(
        "a member of staff wrote without a case reference"
    )
    held = route_mail(MailFacts(STRANGER, NOW))
    assert held == Hold("zed@nowhere.example belongs to no organisation", reject=False)
    rejected = route_mail(MailFacts(STRANGER, NOW, unknown_senders=UnknownSenderRule.REJECT))
    assert isinstance(rejected, Hold) and rejected.reject
    # A stranger's reference to a case is not theirs to reply to.
    assert isinstance(route_mail(MailFacts(STRANGER, NOW, case=OPEN_CASE)), Hold)
