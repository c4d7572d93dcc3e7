"""The Escalation Manager's work (ESC-6, ESC-7): hand-over, acknowledgement,
updates, and the stakeholders who receive them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from supportdesk import clock
from supportdesk.accounts.models import Role, User
from supportdesk.accounts.permissions import (
    Forbidden,
    NotFound,
    may_act_for_organisation,
)
from supportdesk.cases.notices import Lines, Text
from supportdesk.domain.calendars import BusinessCalendar
from supportdesk.domain.errors import DomainError
from supportdesk.domain.notices import NoticeEvent
from supportdesk.escalations import selectors
from supportdesk.escalations.models import (
    LIVE_STATUSES,
    PENDING_STATUSES,
    Escalation,
    EscalationEvent,
    EscalationEventKind,
    EscalationStatus,
    EscalationSubscription,
)
from supportdesk.escalations.permissions import (
    can_remove_subscription,
    require_decider,
    require_manager_of,
)
from supportdesk.escalations.selectors import access_escalation
from supportdesk.escalations.services._events import (
    announce,
    iso,
    manager_line,
    record,
    save,
)
from supportdesk.escalations.services._guards import require_status
from supportdesk.escalations.services._pinned import (
    next_update_due,
    policy_of,
    region_calendar,
    rules_of,
)


def hand_over_escalation(
    *,
    actor: User,
    escalation_id: int,
    to_manager_id: int | None = None,
    region: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Escalation:
    """Hand an accepted escalation to another manager, or to a region's manager.

    Without an acknowledgement yet, the deadline moves to the policy's target in the
    new region's business hours from ``now``; the hand-over is recorded either way."""
    now = clock.resolve(now)
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        require_decider(actor)
        require_status(esc, LIVE_STATUSES, pgettext("escalation step refused", "hand over"))
        manager, new_region = _new_owner(esc, to_manager_id, region)
        before = {
            "manager": esc.manager.get_username() if esc.manager else None,
            "manager_name": esc.manager.display_name if esc.manager else None,
            "region": esc.region,
            "acknowledge_by": iso(esc.acknowledge_by),
        }
        esc.manager = manager
        esc.region = new_region
        _move_deadlines(esc, region_calendar(esc, new_region), now)
        save(esc, now, "manager", "region", "acknowledge_by", "next_update_due_at")
        record(
            esc,
            EscalationEventKind.HANDED_OVER,
            actor=actor,
            now=now,
            data={
                "from": before,
                "to": {
                    "manager": manager.get_username(),
                    "manager_name": manager.display_name,
                    "region": new_region,
                    "acknowledge_by": iso(esc.acknowledge_by),
                    "next_update_due": iso(esc.next_update_due_at),
                },
                "note": note,
            },
        )
        name = manager.display_name
        announce(
            esc,
            NoticeEvent.ESCALATION_HANDED_OVER,
            key=f"handover:{now.isoformat()}",
            text=Lines(manager_line(name, new_region), note, strip=True),
            actor=actor,
            now=now,
            data={"manager": name},
        )
        return esc


def _new_owner(esc: Escalation, to_manager_id: int | None, region: str | None) -> tuple[User, str]:
    """The manager and region a hand-over names: a manager (in their own region unless
    one is named), or a region's escalation manager."""
    if to_manager_id is None and not region:
        raise DomainError(_("name a manager or a region"), field="to_manager_id")
    if to_manager_id is not None:
        manager = User.objects.filter(
            pk=to_manager_id,
            role__in=[Role.ESCALATION_MANAGER, Role.ADMIN],
            is_active=True,
        ).first()
        if manager is None:
            raise DomainError(
                _("user %(to_manager_id)s is not an escalation manager")
                % {"to_manager_id": to_manager_id},
                field="to_manager_id",
            )
        return manager, region or manager.region or esc.region
    assert region is not None
    manager = selectors.escalation_manager_for_region(region)
    if manager is None:
        raise DomainError(
            _("region '%(region)s' has no escalation manager") % {"region": region},
            field="region",
        )
    return manager, region


def _move_deadlines(esc: Escalation, calendar: BusinessCalendar, now: dt.datetime) -> None:
    """Without an acknowledgement the deadline restarts in the new region's hours from
    ``now``; after one, the next update is due in the hours of the region that owns it."""
    rules = rules_of(policy_of(esc))
    if esc.acknowledged_at is None:
        esc.acknowledge_by = calendar.add(
            now, dt.timedelta(seconds=rules.acknowledge_seconds)
        ).astimezone(dt.UTC)
    elif esc.next_update_due_at is not None:
        # The update cadence runs in the hours of the region that owns it now.
        since = esc.last_update_at or esc.acknowledged_at
        esc.next_update_due_at = calendar.add(
            since, dt.timedelta(seconds=rules.update_every_seconds)
        ).astimezone(dt.UTC)


def acknowledge_escalation(
    *,
    actor: User,
    escalation_id: int,
    status_note: str,
    next_steps: str,
    now: dt.datetime | None = None,
) -> Escalation:
    """The manager confirms receipt to the requester, with status and next steps (ESC-6);
    the next update is due on the policy's cadence in the region's business hours."""
    now = clock.resolve(now)
    if not status_note.strip():
        raise DomainError(_("say what the status is"), field="status_note")
    if not next_steps.strip():
        raise DomainError(_("say what the next steps are"), field="next_steps")
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        require_manager_of(actor, esc)
        require_status(
            esc, (EscalationStatus.ACCEPTED,), pgettext("escalation step refused", "acknowledge")
        )
        if esc.manager_id is None:
            esc.manager = actor
        esc.status = EscalationStatus.ACKNOWLEDGED
        esc.acknowledged_at = now
        esc.last_update_at = now
        esc.next_update_due_at = next_update_due(esc, now)
        save(
            esc, now, "manager", "status", "acknowledged_at", "last_update_at", "next_update_due_at"
        )
        record(
            esc,
            EscalationEventKind.ACKNOWLEDGED,
            actor=actor,
            now=now,
            data={
                "status": status_note,
                "next_steps": next_steps,
                "on_time": esc.acknowledge_by is None or now <= esc.acknowledge_by,
                "next_update_due_at": iso(esc.next_update_due_at),
            },
        )
        announce(
            esc,
            NoticeEvent.ESCALATION_UPDATE,
            key="acknowledged",
            text=Lines(
                Text(gettext_noop("Your escalation is received.")),
                Text(gettext_noop("Status: %(status)s"), status=status_note),
                Text(gettext_noop("Next steps: %(steps)s"), steps=next_steps),
            ),
            actor=actor,
            now=now,
        )
        return esc


def post_escalation_update(
    *,
    actor: User,
    escalation_id: int,
    body: str,
    now: dt.datetime | None = None,
) -> EscalationEvent:
    """An update to the requester and every stakeholder (ESC-6); the next one is due on
    the policy's cadence."""
    now = clock.resolve(now)
    if not body.strip():
        raise DomainError(_("an update needs a text"), field="body")
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        require_manager_of(actor, esc)
        require_status(
            esc,
            (EscalationStatus.ACKNOWLEDGED, EscalationStatus.AWAITING_CLIENT),
            pgettext("escalation step refused", "post an update (acknowledge it first)"),
        )
        esc.last_update_at = now
        if esc.status == EscalationStatus.ACKNOWLEDGED:
            esc.next_update_due_at = next_update_due(esc, now)
        save(esc, now, "last_update_at", "next_update_due_at")
        event = record(
            esc,
            EscalationEventKind.UPDATE,
            actor=actor,
            now=now,
            data={"body": body, "next_update_due_at": iso(esc.next_update_due_at)},
        )
        announce(
            esc,
            NoticeEvent.ESCALATION_UPDATE,
            key=f"update:{event.pk}",
            text=body,
            actor=actor,
            now=now,
        )
        return event


def subscribe_to_escalation(
    *,
    actor: User,
    escalation_id: int,
    user_id: int | None = None,
    email: str = "",
    now: dt.datetime | None = None,
) -> EscalationSubscription:
    """A stakeholder (a person, or a plain address) receives every update (ESC-6).

    A person must be vendor staff or able to act for the escalation's organisation.
    Subscribing twice returns the existing subscription."""
    now = clock.resolve(now)
    email = email.strip().lower()
    if (user_id is None) == (not email):
        raise DomainError(_("name exactly one of user_id or email"), field="user_id")
    if email and "@" not in email:
        raise DomainError(_("not an email address"), field="email")
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        require_status(
            esc,
            (*PENDING_STATUSES, *LIVE_STATUSES),
            pgettext("escalation step refused", "subscribe to a finished escalation"),
        )
        user = None
        if user_id is not None:
            user = User.objects.filter(pk=user_id, is_active=True).first()
            allowed = user is not None and (
                user.is_vendor_staff
                or (
                    esc.organization is not None
                    and may_act_for_organisation(user, esc.organization)
                )
            )
            if not allowed or user is None:
                raise NotFound(
                    _("user %(user_id)s not found") % {"user_id": user_id}, field="user_id"
                )
            existing = EscalationSubscription.objects.filter(escalation=esc, user=user).first()
        else:
            existing = EscalationSubscription.objects.filter(escalation=esc, email=email).first()
        if existing is not None:
            return existing
        sub = EscalationSubscription.objects.create(
            escalation=esc, user=user, email="" if user else email, created_at=now, created_by=actor
        )
        record(
            esc,
            EscalationEventKind.SUBSCRIBED,
            actor=actor,
            now=now,
            data={"user": user.get_username() if user else None, "email": email or None},
            public=False,
        )
        return sub


def unsubscribe_from_escalation(
    *,
    actor: User,
    escalation_id: int,
    subscription_id: int,
    now: dt.datetime | None = None,
) -> None:
    """A stakeholder stops receiving updates (ESC-6). Vendor staff may remove anyone;
    a customer or partner only their own subscription."""
    now = clock.resolve(now)
    with transaction.atomic():
        esc = access_escalation(actor, escalation_id, lock=True)
        sub = (
            EscalationSubscription.objects.select_related("user")
            .filter(escalation=esc, pk=subscription_id)
            .first()
        )
        if sub is None:
            raise NotFound(
                _("subscription %(subscription_id)s not found")
                % {"subscription_id": subscription_id},
                field="subscription_id",
            )
        if not can_remove_subscription(actor, sub):
            raise Forbidden(_("you may only remove your own subscription"), field="subscription_id")
        who = {"user": sub.user.get_username() if sub.user else None, "email": sub.email or None}
        sub.delete()
        record(
            esc,
            EscalationEventKind.UNSUBSCRIBED,
            actor=actor,
            now=now,
            data=who,
            public=False,
        )
