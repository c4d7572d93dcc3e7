"""Writing to the outbox and delivering from it (``outbox``, ``delivery``); a person's
in-app notices and preferences (``inbox``).

**Enqueue.** Other apps call :func:`enqueue` *inside their own transaction*: the
message exists exactly when the change that caused it is committed. ``dedupe_key`` is
unique; enqueueing the same key again returns the existing row and changes nothing.

**When a message may go out** (docs/notifications.md):

* urgent messages never wait: pages, and anything about a Sev1 case (RSP-1: Sev1
  work is continuous, outside support hours too);
* a non-urgent message to a person waits until that person's working hours begin, when
  they have working hours configured (:class:`~.models.WorkingHours`); without them, and
  for team channels and explicit addresses, it goes out at once.

**Delivery** (:func:`deliver_due`): a worker claims due rows, marking each ``sending``
with a fresh ``lease_token`` and a lease expiry (:data:`LEASE`), delivers outside any
transaction, and finishes with a conditional UPDATE on its token. On PostgreSQL the
claim uses ``SELECT … FOR UPDATE SKIP LOCKED``; SQLite's IMMEDIATE transactions
serialise claims. A worker that dies mid-delivery leaves the row ``sending``; once the
lease expires another worker claims it again. Every target that accepted the message is
recorded (:class:`~.models.DeliveryAttempt` with ``ok``) the moment it did, and a
re-claim skips it, so a page already handed to PagerDuty is not sent again; before
each target the worker renews its lease with a conditional UPDATE and stops if the lease
was taken over. The one remaining window (a crash between the provider accepting and
the attempt row being written) makes delivery at-least-once for that target.

**Coalescing**: a message with a ``coalesce_key`` (one person, one case) that finds a
pending message of the same key enqueued within ``coalesce_seconds`` and not yet
claimed is folded into it: the pending row's body grows by the new text and keeps its
send time; the new row is stored ``combined`` (so its dedupe key still holds).

**Telling after the change** (``fanout``): the notices of a new case and of a
comment are one :class:`~.models.FanOutJob` per event, written in the change's
transaction; the worker expands it into the recipients' rows (:func:`expand_due`), in
one transaction that also deletes the job, so each recipient is told exactly once.

**Retries**: a failed delivery is retried after ``BACKOFF_BASE * 2 ** (attempts - 1)``
(capped at :data:`BACKOFF_CAP`); after :data:`MAX_ATTEMPTS` claims it is dead-lettered.
"""

from supportdesk.notifications.services.delivery import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    CLAIM_SIZE,
    LEASE,
    MAX_ATTEMPTS,
    Claim,
    DeliveryReport,
    backoff,
    claim_due,
    deliver_claim,
    deliver_due,
    send_to_target,
)
from supportdesk.notifications.services.fanout import (
    defer,
    expand_due,
    expand_job,
    register_expansion,
)
from supportdesk.notifications.services.inbox import (
    mark_all_read,
    mark_read,
    notify_in_app,
    notify_members_in_app,
    save_preferences,
    unsubscribe,
)
from supportdesk.notifications.services.outbox import (
    COMBINED_SEPARATOR,
    cancel_pending,
    enqueue,
    is_urgent,
    requeue_dead,
)

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "CLAIM_SIZE",
    "COMBINED_SEPARATOR",
    "LEASE",
    "MAX_ATTEMPTS",
    "Claim",
    "DeliveryReport",
    "backoff",
    "cancel_pending",
    "claim_due",
    "defer",
    "deliver_claim",
    "deliver_due",
    "enqueue",
    "expand_due",
    "expand_job",
    "is_urgent",
    "mark_all_read",
    "mark_read",
    "notify_in_app",
    "notify_members_in_app",
    "register_expansion",
    "requeue_dead",
    "save_preferences",
    "send_to_target",
    "unsubscribe",
]
