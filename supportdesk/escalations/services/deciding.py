"""The decision clock of a pending request (ESC-5, ESC-7): started when the request
arrives, with the "to decide" notice to the escalation team of the region open now;
paused while the requester is asked for more information (seed 001) and resumed with
the business time it had left when they answer; the deciding team reminded before the
deadline (:mod:`.overdue` reports a missed one)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from supportdesk import clock
from supportdesk.accounts.models import Team, User
from supportdesk.cases.notices import Lines, Moment, Text, Words
from supportdesk.domain.errors import DomainError
from supportdesk.domain.escalation_decision import (
    DecisionClock,
    DecisionTimeLeft,
    decision_clock,
    pause_decision,
)
from supportdesk.domain.notices import NoticeEvent
from supportdesk.escalations import selectors
from supportdesk.escalations.models import (
    DECIDING_STATUSES,
    Escalation,
    EscalationEventKind,
)
from supportdesk.escalations.permissions import require_decider
from supportdesk.escalations.selectors import access_escalation
from supportdesk.escalations.services._events import (
    announce,
    business_impact,
    iso,
    parties,
    record,
    save,
)
from supportdesk.escalations.services._guards import EscalationConflict, require_status
from supportdesk.escalations.services._pinned import (
    calendars_of,
    client_region,
    policy_of,
    region_calendar,
)

_CLOCK_FIELDS = ("decision_region", "decide_by", "decision_reminder_at")
_PAUSE_FIELDS = (
    "information_question",
    "information_requested_at",
    "decide_left_seconds",
    "remind_left_seconds",
)


def tell_deciders(
    esc: Escalation,
    *,
    region: str,
    key: str,
    text: Words,
    actor: User | None,
    now: dt.datetime,
    data: dict[str, Words] | None = None,
    partner: bool = False,
) -> None:
    """The request to decide (ESC-5), as the rules of ``escalation_requested`` say:
    to ``region``'s escalation team (its channels), else the region's Escalation
    Manager; with ``partner``, to the partner checked with first too (ESC-3). ``key``
    makes a retry enqueue nothing new."""
    team = selectors.escalation_team(region)
    deciders: Team | User | None = team
    if team is None and region:
        deciders = selectors.escalation_manager_for_region(region)
    announce(
        esc,
        NoticeEvent.ESCALATION_REQUESTED,
        key=key,
        text=text,
        actor=actor,
        now=now,
        data=data,
        who=parties(esc, deciders=deciders, partner=partner),
    )


def deadline_text(esc: Escalation) -> Moment:
    """The decision deadline on the deciding region's clock, e.g. ``Wed 2026-03-11 14:00
    CET``, written in each reader's language."""
    assert esc.decide_by is not None
    zone = region_calendar(esc, esc.decision_region).zone
    return Moment(esc.decide_by.astimezone(zone))


def decide_by(esc: Escalation) -> Text:
    """The " by Wed 2026-03-11 14:00 CET" of the title "Escalation to decide by …"."""
    # Translators: follows "Escalation to decide" in a title; keep the leading space.
    return Text(gettext_noop(" by %(deadline)s"), deadline=deadline_text(esc))


def team_decides_by(esc: Escalation) -> Text:
    """The requester's "The escalation team decides by …." line."""
    return Text(
        gettext_noop("The escalation team decides by %(deadline)s."),
        deadline=deadline_text(esc),
    )


def _apply(esc: Escalation, plan: DecisionClock) -> None:
    esc.decision_region = plan.region
    esc.decide_by = plan.decide_by
    esc.decision_reminder_at = plan.remind_at


def apply_clock(esc: Escalation, plan: DecisionClock, now: dt.datetime) -> None:
    """Give ``esc`` the deciding region, deadline and reminder of ``plan`` (saved)."""
    _apply(esc, plan)
    save(esc, now, *_CLOCK_FIELDS)


def start_decision_clock(esc: Escalation, now: dt.datetime) -> DecisionClock:
    """Start the clock of a request waiting for the team's decision (saved on ``esc``):
    the region open now decides, in its business hours (ESC-7, ESC-9)."""
    plan = decision_clock(
        policy=policy_of(esc),
        calendars=calendars_of(esc),
        client_region=client_region(esc),
        now=now,
    )
    _apply(esc, plan)
    save(esc, now, *_CLOCK_FIELDS)
    return plan


def stop_decision_clock(esc: Escalation, now: dt.datetime) -> None:
    """The team decided: nothing is due any more, and an open question lapses."""
    if esc.decide_by is None and esc.information_requested_at is None:
        return
    esc.decide_by = None
    esc.decision_reminder_at = None
    esc.information_question = ""
    esc.information_requested_at = None
    esc.decide_left_seconds = None
    esc.remind_left_seconds = None
    save(esc, now, *_CLOCK_FIELDS[1:], *_PAUSE_FIELDS)


def request_information(
    *,
    actor: User,
    escalation_id: int,
    question: str,
    now: dt.datetime | None = None,
) -> Escalation:
    """Ask the requester for what the team needs to decide (seed 001): the decision
    clock pauses, keeping the business time it had left, until the answer
    (:func:`provide_information`); the requester is told the question. One question
    at a time; escalation managers and admins only."""
    now = clock.resolve(now)
    question = question.strip()
    if not question:
        raise DomainError(_("say what information the team needs"), field="question")
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        require_decider(actor)
        require_status(
            esc, DECIDING_STATUSES, pgettext("escalation step refused", "ask for information")
        )
        if esc.information_requested_at is not None:
            raise EscalationConflict(
                _("the requester has not answered the last question yet"), field="status"
            )
        _pause(esc, question, now)
        event = record(
            esc,
            EscalationEventKind.INFORMATION_REQUESTED,
            actor=actor,
            now=now,
            data={"question": question, "decide_left_seconds": esc.decide_left_seconds},
        )
        announce(
            esc,
            NoticeEvent.ESCALATION_INFORMATION,
            key=f"information:{event.pk}",
            text=Lines(
                question,
                "",
                Text(gettext_noop("Answer on the case page, or reply to this message.")),
            ),
            actor=actor,
            now=now,
        )
        return esc


def provide_information(
    *,
    actor: User,
    escalation_id: int,
    answer: str,
    now: dt.datetime | None = None,
) -> Escalation:
    """The requester's answer (or staff recording it) to the team's open question: the
    decision clock resumes with the business time it had left, in the hours of the
    region open now (ESC-7), and that region's escalation team is told."""
    now = clock.resolve(now)
    answer = answer.strip()
    if not answer:
        raise DomainError(_("write the information asked for"), field="answer")
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        require_status(
            esc,
            DECIDING_STATUSES,
            pgettext("escalation step refused", "answer the escalation team"),
        )
        if esc.information_requested_at is None:
            raise EscalationConflict(_("the escalation team asked no question"), field="status")
        question = esc.information_question
        plan = _resume(esc, now)
        event = record(
            esc,
            EscalationEventKind.INFORMATION_PROVIDED,
            actor=actor,
            now=now,
            data={
                "question": question,
                "answer": answer,
                "decision_region": plan.region,
                "decide_by": iso(plan.decide_by),
            },
        )
        tell_deciders(
            esc,
            region=plan.region,
            key=f"information:{event.pk}",
            text=Lines(
                Text(gettext_noop("Question: %(question)s"), question=question),
                Text(gettext_noop("Answer: %(answer)s"), answer=answer),
                "",
                plan.explanation,
            ),
            actor=actor,
            now=now,
            data={"by": decide_by(esc)},
        )
        return esc


def _pause(esc: Escalation, question: str, now: dt.datetime) -> None:
    """Pause the decision clock on ``question`` (saved): the business time left until
    the deadline and its reminder is kept, and nothing is due until the answer."""
    left = (
        pause_decision(
            calendar=region_calendar(esc, esc.decision_region),
            decide_by=esc.decide_by,
            remind_at=esc.decision_reminder_at,
            now=now,
        )
        if esc.decide_by is not None
        else None
    )
    esc.information_question = question
    esc.information_requested_at = now
    esc.decide_left_seconds = int(left.decide.total_seconds()) if left else None
    esc.remind_left_seconds = (
        int(left.remind.total_seconds()) if left and left.remind is not None else None
    )
    esc.decide_by = None
    esc.decision_reminder_at = None
    save(esc, now, *_CLOCK_FIELDS[1:], *_PAUSE_FIELDS)


def _resume(esc: Escalation, now: dt.datetime) -> DecisionClock:
    """Run the paused decision clock again (saved), with the business time it had
    left, in the hours of the region open at ``now`` (ESC-7); the question is
    answered."""
    left = (
        DecisionTimeLeft(
            decide=dt.timedelta(seconds=esc.decide_left_seconds),
            remind=dt.timedelta(seconds=esc.remind_left_seconds)
            if esc.remind_left_seconds is not None
            else None,
        )
        if esc.decide_left_seconds is not None
        else None
    )
    plan = decision_clock(
        policy=policy_of(esc),
        calendars=calendars_of(esc),
        client_region=client_region(esc),
        now=now,
        left=left,
    )
    _apply(esc, plan)
    esc.information_question = ""
    esc.information_requested_at = None
    esc.decide_left_seconds = None
    esc.remind_left_seconds = None
    save(esc, now, *_CLOCK_FIELDS, *_PAUSE_FIELDS)
    return plan


def send_decision_reminder(esc_id: int, now: dt.datetime) -> bool:
    """Remind the deciding team of a decision due soon, if still due at ``now``
    (re-checked on the locked row; the outbox key names the deadline)."""
    with transaction.atomic():
        esc = (
            Escalation.objects.select_for_update(of=("self",))
            .select_related("case", "organization", "requester", "manager", "policy_version")
            .filter(
                pk=esc_id,
                status__in=DECIDING_STATUSES,
                decision_reminder_at__lte=now,
                decide_by__isnull=False,
            )
            .first()
        )
        if esc is None:
            return False
        esc.decision_reminder_at = None
        save(esc, now, "decision_reminder_at")
        record(
            esc,
            EscalationEventKind.DECISION_REMINDER,
            actor=None,
            now=now,
            data={"region": esc.decision_region, "decide_by": iso(esc.decide_by)},
            public=False,
        )
        tell_deciders(
            esc,
            region=esc.decision_region,
            key=f"decide_reminder:{iso(esc.decide_by)}",
            text=Lines(
                Text(gettext_noop("Reminder: accept or decline.")),
                esc.assessment,
                business_impact(esc),
            ),
            actor=None,
            now=now,
            data={"by": decide_by(esc)},
        )
        return True
