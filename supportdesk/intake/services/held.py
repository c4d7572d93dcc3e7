"""An agent's and an admin's decisions on stored mail: assign a held message to an
organisation, replay a failed one."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.domain.errors import DomainError
from supportdesk.intake.models import REPLAYABLE, InboundMessage, InboundState
from supportdesk.intake.services.ingest import process_message


def assign_held_message(
    *, actor: User, message_id: int, organisation_id: int, now: dt.datetime | None = None
) -> InboundMessage:
    """An agent says which organisation a held sender belongs to: the message then
    opens its case as if the sender had been known (INT-1)."""
    now = clock.resolve(now)
    if not actor.is_vendor_staff:
        raise Forbidden(_("only support staff assign held mail"), field="message_id")
    message = InboundMessage.objects.filter(pk=message_id).first()
    if message is None:
        raise NotFound(
            _("inbound message %(message_id)s not found") % {"message_id": message_id},
            field="message_id",
        )
    if message.state != InboundState.HELD:
        raise DomainError(
            _("the message is %(state)s, not held") % {"state": message.state}, field="message_id"
        )
    organisation = Organization.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound(
            _("organisation %(organisation_id)s not found") % {"organisation_id": organisation_id},
            field="organisation_id",
        )
    message.organization = organisation
    message.save(update_fields=["organization"])
    return process_message(message=message, replay=True, now=now)


def replay_message(*, message_id: int, now: dt.datetime | None = None) -> InboundMessage:
    """Run a failed (or never processed, or rate-limited) message through the pipeline
    again, bypassing the rate limit: an operator's decision (admin action, CLI)."""
    now = clock.resolve(now)
    message = InboundMessage.objects.filter(pk=message_id).first()
    if message is None:
        raise NotFound(
            _("inbound message %(message_id)s not found") % {"message_id": message_id},
            field="message_id",
        )
    if message.state not in REPLAYABLE:
        raise DomainError(
            _("the message is %(state)s; only %(states)s messages are replayed")
            % {"state": message.state, "states": ", ".join(sorted(REPLAYABLE))},
            field="message_id",
        )
    return process_message(message=message, replay=True, now=now)
