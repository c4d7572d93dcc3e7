"""Writing escalations: one function per use case, each in one transaction.

One module per concept: :mod:`.requests` (the request and its assessment),
:mod:`.deciding` (the decision clock, questions to the requester and their answers),
:mod:`.hand_on` (the "to decide" duty following the sun when the deciding region closes),
:mod:`.decisions` (accept or decline), :mod:`.management` (hand-over, acknowledgement,
updates, stakeholders), :mod:`.overdue` (late decisions, acknowledgements and updates),
:mod:`.reminders` (waiting on the client), :mod:`.partner` (the partner asked
first, ESC-3), :mod:`.closure`.
Every step is recorded on the escalation's log and the case timeline, and every message
goes through the outbox in the same transaction (:mod:`._events`). The rules themselves
live in :mod:`supportdesk.domain.escalation`. Import the use cases from here.
"""

from supportdesk.escalations.services._guards import EscalationConflict
from supportdesk.escalations.services.closure import close_escalation
from supportdesk.escalations.services.deciding import provide_information, request_information
from supportdesk.escalations.services.decisions import accept_escalation, decline_escalation
from supportdesk.escalations.services.hand_on import hand_on_decisions
from supportdesk.escalations.services.management import (
    acknowledge_escalation,
    hand_over_escalation,
    post_escalation_update,
    subscribe_to_escalation,
    unsubscribe_from_escalation,
)
from supportdesk.escalations.services.overdue import flag_overdue_escalations
from supportdesk.escalations.services.partner import record_partner_answer
from supportdesk.escalations.services.reminders import (
    await_client,
    record_client_response,
    send_due_reminders,
)
from supportdesk.escalations.services.requests import request_escalation

__all__ = [
    "EscalationConflict",
    "accept_escalation",
    "acknowledge_escalation",
    "await_client",
    "close_escalation",
    "decline_escalation",
    "flag_overdue_escalations",
    "hand_on_decisions",
    "hand_over_escalation",
    "post_escalation_update",
    "provide_information",
    "record_client_response",
    "record_partner_answer",
    "request_escalation",
    "request_information",
    "send_due_reminders",
    "subscribe_to_escalation",
    "unsubscribe_from_escalation",
]
