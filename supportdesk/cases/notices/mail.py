"""Case mail: composing and queueing one message about a case, threaded into the
case's mail, and the receipt of a case opened by email (INT-1).

Every message is queued through the outbox (:func:`notifications.services.enqueue`)
in the caller's transaction, with an :class:`OutboundMail` beside it carrying the
Message-ID it will be sent with and the threading headers (``In-Reply-To``,
``References``), so a reply finds its case. Subjects carry the ``[SD-000123]`` token.
The texts are Django templates under ``mail/`` (text and HTML), overridable per policy
(``email.templates``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import zoneinfo
from pathlib import Path
from typing import Any

from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import pgettext

from supportdesk import clock
from supportdesk.accounts.models import Team, User
from supportdesk.accounts.services import first_sign_in_link
from supportdesk.cases.models import Case, OutboundMail, SlaClock
from supportdesk.conf import desk_settings
from supportdesk.domain.mail import reply_subject
from supportdesk.domain.policy import Policy
from supportdesk.domain.triage import intake_labels
from supportdesk.notifications import selectors as notice_selectors
from supportdesk.notifications import services as outbox
from supportdesk.notifications.models import MessageKind, OutboxMessage
from supportdesk.notifications.services import together

#: How many earlier Message-IDs a References header carries (RFC 5322 allows trimming).
MAX_REFERENCES = 20


def mail_domain() -> str:
    return desk_settings.mail_domain


def new_message_id(prefix: str) -> str:
    return f"<{prefix}.{secrets.token_hex(6)}@{mail_domain()}>"


def thread_of(case: Case) -> list[str]:
    """The case's Message-IDs in and out, oldest first (the References chain)."""
    # ``received_mail``: the reverse relation of the mail the case received, which the
    # intake app (built on this one; never imported here) declares on its messages.
    inbound = [
        (at, 0, mid) for at, mid in case.received_mail.values_list("received_at", "message_id")
    ]
    sent = [
        (at, 1, mid)
        for at, mid in OutboundMail.objects.filter(case=case).values_list(
            "created_at", "message_id"
        )
    ]
    # At one instant the message we answer comes before our answer.
    return [mid for _, _, mid in sorted([*inbound, *sent])][-MAX_REFERENCES:]


def render(name: str, context: dict[str, Any], policy: Policy | None) -> tuple[str, str]:
    """The text and HTML of template ``mail/<name>``; a policy's ``email.templates``
    directory wins over the shipped templates, file by file."""
    out: list[str] = []
    for ext in ("txt", "html"):
        custom = Path(policy.email.templates) / "mail" / f"{name}.{ext}" if policy else None
        if custom is not None and policy and policy.email.templates and custom.is_file():
            out.append(Template(custom.read_text(encoding="utf-8")).render(Context(context)))
        else:
            out.append(render_to_string(f"mail/{name}.{ext}", context))
    return out[0].strip() + "\n", out[1]


def send_case_mail(
    *,
    case: Case,
    template: str,
    dedupe_key: str,
    context: dict[str, Any],
    policy: Policy | None,
    address: str = "",
    user: User | None = None,
    team: Team | None = None,
    auto_submitted: str = "auto-generated",
    reply_to: str = "",
    thread: list[str] | None = None,
    new_case: bool = False,
    coalesce_seconds: int = 0,
    unsubscribe_url: str = "",
    threaded: bool = True,
    new_key: bool = False,
    now: dt.datetime,
) -> OutboxMessage:
    """Enqueue one mail about ``case`` to ``address``, ``user`` or ``team``, threaded
    into the case's mail (``thread``: its Message-IDs oldest first, when the caller knows
    them already). With ``coalesce_seconds``, a pending mail about the case to the same
    recipient absorbs this one (its HTML part grows by this one's). ``threaded=False``:
    staff mail, kept out of the case's customer thread (its subject's token still finds
    the case).

    Call inside the transaction of the change it reports. Idempotent by ``dedupe_key``
    (``new_case``: the case was opened in this transaction, so its message cannot have
    an envelope yet; it and ``new_key`` say the dedupe key names a row of this
    transaction, see ``notifications.services.enqueue``).
    """
    ctx = {"case": case, "site_url": desk_settings.site_url, **context}
    # In the reader's language (a person's choice, else the site's): the one place
    # case mail is rendered, whoever's request or job caused it.
    with translation.override(notice_selectors.mail_language(_reader(case, user, address))):
        body, html = render(template, ctx, policy)
    subject = reply_subject(case.reference, str(context.get("subject") or case.title))
    who = recipient_key(user, team, address if coalesce_seconds else "")
    message = outbox.enqueue(
        kind=MessageKind.EMAIL,
        subject=subject,
        body=body,
        address=address,
        user=user,
        team=team,
        dedupe_key=dedupe_key,
        severity=case.severity,
        coalesce_key=f"case:{case.pk}:{who}" if who else "",
        coalesce_seconds=coalesce_seconds,
        unsubscribe_url=unsubscribe_url,
        new_key=new_key or new_case,
        now=now,
    )
    if threaded:
        _thread_into_case(
            message,
            case,
            html=html,
            combined=message.dedupe_key != dedupe_key,
            fresh=new_case or message.pk is None,
            thread=thread,
            reply_to=reply_to,
            auto_submitted=auto_submitted,
            now=now,
        )
    return message


def recipient_key(user: User | None, team: Team | None, address: str) -> str:
    """Who a mail goes to, for coalescing and a notice's dedupe key: a person, a team, or
    (when given) an address."""
    if address:
        return f"a{hashlib.sha256(address.lower().encode()).hexdigest()[:16]}"
    return f"u{user.pk}" if user is not None else f"t{team.pk}" if team is not None else ""


def _thread_into_case(
    message: OutboxMessage,
    case: Case,
    *,
    html: str,
    combined: bool,
    fresh: bool,
    thread: list[str] | None,
    reply_to: str,
    auto_submitted: str,
    now: dt.datetime,
) -> None:
    """Give ``message`` its envelope in the case's mail thread; a mail ``combined`` into
    an earlier pending one grows that one's HTML part instead. A ``fresh`` message (a
    new case's, or one kept for a fan-out batch's insert) has no envelope yet."""
    envelope = None if fresh else OutboundMail.objects.filter(outbox=message).first()
    if envelope is not None and combined:
        envelope.html += html
        envelope.save(update_fields=["html"])
        return
    if envelope is not None:
        return
    if thread is None:
        if any(e.case_id == case.pk for e in together.pending(OutboundMail)):
            together.flush()  # the thread includes this batch's mail of the case
        thread = thread_of(case)
    envelope = OutboundMail(
        outbox=message,
        message_id=new_message_id(case.reference),
        case=case,
        in_reply_to=reply_to or (thread[-1] if thread else ""),
        references=" ".join(thread),
        auto_submitted=auto_submitted,
        html=html,
        created_at=now,
    )
    # In a fan-out batch: inserted after its outbox row, with the batch's others.
    if not together.add(envelope):
        envelope.save(force_insert=True)


def _reader(case: Case, user: User | None, address: str) -> User | None:
    """Who reads a message: the person it goes to, or the case's requester when it goes
    to their address (the receipt of a case opened by mail)."""
    if user is not None or not address:
        return user
    requester = case.requester
    return requester if requester.email and requester.email.lower() == address.lower() else None


def first_response_due(case: Case) -> dt.datetime | None:
    if case.opened_clocks is not None:  # opened in this transaction: the rows are in hand
        return next((c.due_at for c in case.opened_clocks if c.kind == "first_response"), None)
    return (
        SlaClock.objects.filter(case=case, kind="first_response")
        .values_list("due_at", flat=True)
        .first()
    )


def in_zone(at: dt.datetime | None, user: User | None) -> str:
    """``at`` as the person reads it: in their zone, with the zone's abbreviation."""
    if at is None:
        return ""
    zone = user.zone if user is not None else zoneinfo.ZoneInfo("UTC")
    # In the active language (the reader's, when mail is written): its day and month
    # names, in the order its translators set.
    # Translators: a Django date format (docs.djangoproject.com "date" filter); keep T.
    layout = pgettext("date and time format", "D j M Y, H:i T")
    return date_format(at.astimezone(zone), layout)


#: The fact a phone Sev1's receipt event carries (INT-5): when its written follow-up is
#: due, as ISO 8601 ("" when the region has no calendar to count it on).
PHONE_FOLLOW_UP_BY = "phone_follow_up_by"


def receipt_context(
    case: Case, user: User | None, policy: Policy | None, facts: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The receipt's promise: the first response's due instant in the requester's zone,
    for a contact without a password the link to sign in for the first time, how to
    reach support besides the portal (the policy's ``contacts``), and for a Sev1 by
    phone (its event's :data:`PHONE_FOLLOW_UP_BY` in ``facts``) when its written
    follow-up is due (INT-5), and for a case opened by email what its severity needs
    that a message cannot carry as a form (INT-3, INT-4)."""
    due = first_response_due(case)
    sign_in = ""
    if user is not None and not user.has_usable_password():
        sign_in = first_sign_in_link(user)
    follow_up = (facts or {}).get(PHONE_FOLLOW_UP_BY)
    return {
        "due": due,
        "due_text": in_zone(due, user),
        "sign_in": sign_in,
        "contacts": policy.contacts if policy is not None else None,
        "phone_follow_up": follow_up is not None,
        "follow_up_text": in_zone(dt.datetime.fromisoformat(follow_up), user) if follow_up else "",
        # A case opened by email lacks the form's details: the receipt asks for them.
        "missing": intake_labels(policy, case.missing_intake) if policy is not None else [],
    }


def case_opened_by_mail(
    *,
    case: Case,
    address: str,
    message_id: str,
    subject: str,
    follows: Case | None,
    policy: Policy,
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """The receipt of a case just opened (in this transaction) by the message
    ``message_id`` from ``address``: threaded under that message, ``auto-replied``
    (RFC 3834), with the first response's due time (INT-1)."""
    requester = case.requester
    return send_case_mail(
        case=case,
        template="receipt",
        address=address,
        dedupe_key=f"case:{case.pk}:mail:receipt",
        context={
            **receipt_context(case, requester, policy),
            "follows": follows,
            "subject": subject,
        },
        policy=policy,
        auto_submitted="auto-replied",
        reply_to=message_id,
        thread=[message_id],
        new_case=True,
        now=clock.resolve(now),
    )
