"""Following a case, and the queue's mark of unseen customer activity.

A follower is told what the case's requester is told (a customer of the case's
organisation or its partner) or what its staff are told (vendor staff): see
``cases.notices``. Only someone who may see the case follows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.cases.models import Case, CaseFollower
from supportdesk.cases.selectors import access_case
from supportdesk.conf import desk_settings


def follow_case(*, actor: User, case_id: int, now: dt.datetime | None = None) -> CaseFollower:
    """``actor`` follows the case (again: the row they have). :class:`NotFound` for a
    case they may not see."""
    case = access_case(actor, case_id)
    existing = CaseFollower.objects.filter(case=case, user=actor).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return CaseFollower.objects.create(case=case, user=actor, created_at=clock.resolve(now))
    except IntegrityError:  # a concurrent follow by the same person won
        return CaseFollower.objects.get(case=case, user=actor)


def unfollow_case(*, actor: User, case_id: int) -> bool:
    """``actor`` stops following the case; ``False`` when they did not follow it."""
    case = access_case(actor, case_id)
    deleted, _ = CaseFollower.objects.filter(case=case, user=actor).delete()
    return deleted > 0


def follow_from_mail(
    *, case: Case, addresses: Iterable[str], now: dt.datetime | None = None
) -> list[CaseFollower]:
    """Make the known contacts among ``addresses`` (a message's Cc) followers of the
    case: active people of the case's organisation; an unknown address never becomes an
    account here. Call inside the transaction of the message."""
    wanted = Q()
    ours = "@" + desk_settings.mail_domain
    for address in {a.strip().lower() for a in addresses if "@" in (a or "")}:
        # Our own mailboxes (the To of nearly every message) are nobody's contact.
        if not address.endswith(ours):
            wanted |= Q(email__iexact=address)
    if not wanted:
        return []
    now = clock.resolve(now)
    people = User.objects.filter(wanted, organization_id=case.organization_id, is_active=True)
    added: list[CaseFollower] = []
    for person in people.exclude(pk=case.requester_id).order_by("pk"):
        row, created = CaseFollower.objects.get_or_create(
            case=case, user=person, defaults={"created_at": now}
        )
        if created:
            added.append(row)
    return added


def mark_customer_activity(case: Case, at: dt.datetime | None) -> list[str]:
    """The one rule of the queue's unseen-customer-activity mark: ``at``, the instant
    the customer's side acted (a reply, a status change, a file); ``None``, an agent
    has seen the case (opened it, answered it in public). Sets the mark on ``case`` in
    hand and returns the field to write (empty when the mark did not change), for the
    caller's one write of the row: ``case.save(update_fields=...)`` alone (a save of no
    fields writes nothing), or with the rest of its change."""
    if case.customer_activity_at == at:
        return []
    case.customer_activity_at = at
    return ["customer_activity_at"]


def mark_case_seen(*, viewer: User, case: Case) -> None:
    """Staff opened the case (the caller checked they may see it): its customer
    activity is no longer unseen."""
    if viewer.is_vendor_staff:
        case.save(update_fields=mark_customer_activity(case, None))
