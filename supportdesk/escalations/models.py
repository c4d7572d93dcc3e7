"""Escalations (ESC-1..9): requests, decisions, the Escalation Manager's work, reminders
and closure, with an append-only event log and the stakeholders who follow it.

Invariants:

* every request is stored, declined ones too, with the reasons the requester was told
  (ESC-5);
* an escalation is pinned to the policy version it was requested under;
* ``decide_by``, ``decision_reminder_at``, ``acknowledge_by``, ``next_update_due_at``
  and ``next_reminder_at`` are the instants the periodic work scans for, so they are
  indexed and null when nothing is due; ``overdue_flagged_for`` is the deadline last
  reported overdue, so it is reported once;
* a pending request waiting for the team's decision (:data:`DECIDING_STATUSES`) has
  a ``decide_by``, except while the requester is asked for information
  (``information_requested_at`` set): then the clock is paused and
  ``decide_left_seconds`` keeps the business time it had left;
* ``Case.escalated`` is true exactly while one of the case's escalations is accepted
  and not closed (PRI-2).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EscalationStatus(models.TextChoices):
    #: Qualifies (ESC-2); the escalation team decides (ESC-5).
    REQUESTED = "requested", _("Requested")
    #: Not production or no tangible impact: the team must decide (ESC-2).
    NEEDS_DECISION = "needs_decision", _("Needs a decision")
    #: In a partner-built extension: checked with the partner first (ESC-3).
    PARTNER_FIRST = "partner_first", _("With the partner first")
    #: Declined, at once or by the team; the reason was sent (ESC-5). Terminal.
    DECLINED = "declined", _("Declined")
    #: Accepted: a manager is assigned and must acknowledge (ESC-6).
    ACCEPTED = "accepted", _("Accepted")
    #: The manager confirmed receipt, status and next steps (ESC-6).
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    #: Troubleshooting steps sent; waiting on the client/partner, with reminders (ESC-8).
    AWAITING_CLIENT = "awaiting_client", _("Awaiting the client")
    CLOSED = "closed", _("Closed")


#: Not yet decided by the escalation team.
PENDING_STATUSES = (
    EscalationStatus.REQUESTED,
    EscalationStatus.NEEDS_DECISION,
    EscalationStatus.PARTNER_FIRST,
)
#: Pending with the escalation team, on the decision clock (ESC-5, ESC-7).
DECIDING_STATUSES = (EscalationStatus.REQUESTED, EscalationStatus.NEEDS_DECISION)
#: Accepted and not closed: the case ranks first (PRI-2).
LIVE_STATUSES = (
    EscalationStatus.ACCEPTED,
    EscalationStatus.ACKNOWLEDGED,
    EscalationStatus.AWAITING_CLIENT,
)


class EscalationChannel(models.TextChoices):
    PORTAL = "portal", _("Web portal")
    API = "api", _("REST API")
    EMAIL = "email", _("Email")


class Escalation(models.Model):
    #: The incident escalated; null when the request referenced none (ESC-1, declined).
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations",
        verbose_name=_("case"),
    )
    #: The client organisation the escalation is for (null only for a staff request
    #: referencing no incident).
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations",
        verbose_name=_("organization"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="escalation_requests",
        verbose_name=_("requester"),
    )
    channel = models.CharField(
        max_length=12, choices=EscalationChannel.choices, verbose_name=_("channel")
    )
    #: The request form as submitted (keys from the policy's ``form_fields``).
    form = models.JSONField(default=dict, verbose_name=_("form"))
    incident_reference = models.CharField(
        max_length=60, blank=True, verbose_name=_("incident reference")
    )
    business_impact = models.TextField(blank=True, verbose_name=_("business impact"))
    #: Pinned: every rule (reasons, targets, reminders) is read from this version.
    policy_version = models.ForeignKey(
        "policies.PolicyVersion",
        on_delete=models.PROTECT,
        related_name="escalations",
        verbose_name=_("policy version"),
    )
    status = models.CharField(
        max_length=20, choices=EscalationStatus.choices, verbose_name=_("status")
    )
    #: The assessment's verdict and reason keys (ESC-1..4), and its explanation.
    verdict = models.CharField(max_length=20, verbose_name=_("verdict"))
    assessment_reasons = models.JSONField(default=list, verbose_name=_("assessment reasons"))
    missing_fields = models.JSONField(default=list, verbose_name=_("missing fields"))
    assessment = models.TextField(blank=True, verbose_name=_("assessment"))
    #: ESC-3: the partner checked with first.
    partner = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_escalations",
        verbose_name=_("partner"),
    )
    #: ESC-3: the partner's answer (by mail, the portal or the API), and when it came;
    #: it moves the request on to the escalation team's decision.
    partner_answer = models.TextField(blank=True, verbose_name=_("partner answer"))
    partner_answered_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("partner answered at")
    )
    requested_at = models.DateTimeField(verbose_name=_("requested at"))
    #: The team's decision (ESC-5): a decline reason key from the policy, and free text.
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.CharField(max_length=40, blank=True, verbose_name=_("decision reason"))
    decision_note = models.TextField(blank=True, verbose_name=_("decision note"))
    #: ESC-5/ESC-7: the region whose escalation managers decide, by when, and when they
    #: are reminded (null when decided, reminded, or paused for information).
    decision_region = models.CharField(max_length=32, blank=True, verbose_name=_("decision region"))
    decide_by = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=_("decide by")
    )
    decision_reminder_at = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=_("decision reminder at")
    )
    #: Seed 001 "request additional information": the open question to the requester,
    #: since when, and the business time the paused decision clock had left until the
    #: deadline and the reminder (null: the reminder had gone out).
    information_question = models.TextField(blank=True, verbose_name=_("information question"))
    information_requested_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("information requested at")
    )
    decide_left_seconds = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("decide left seconds")
    )
    remind_left_seconds = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("remind left seconds")
    )
    #: ESC-6/ESC-7: the acknowledging region, its manager, and the deadline.
    region = models.CharField(max_length=32, blank=True, verbose_name=_("region"))
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_escalations",
        verbose_name=_("manager"),
    )
    assigned_at = models.DateTimeField(null=True, blank=True, verbose_name=_("assigned at"))
    assignment_explanation = models.TextField(blank=True, verbose_name=_("assignment explanation"))
    acknowledge_by = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=_("acknowledge by")
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    next_update_due_at = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=_("next update due at")
    )
    last_update_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last update at"))
    #: The last deadline (``decide_by``, ``acknowledge_by`` or ``next_update_due_at``)
    #: reported overdue;
    #: deadlines only move forward, so a later one is reported again, the same one never.
    overdue_flagged_for = models.DateTimeField(
        null=True, blank=True, verbose_name=_("overdue flagged for")
    )
    #: ESC-8 reminders: the schedule (ISO instants) laid out when waiting began.
    awaiting_since = models.DateTimeField(null=True, blank=True, verbose_name=_("awaiting since"))
    reminder_schedule = models.JSONField(default=list, verbose_name=_("reminder schedule"))
    reminder_close_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("reminder close at")
    )
    reminders_sent = models.PositiveSmallIntegerField(default=0, verbose_name=_("reminders sent"))
    next_reminder_at = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=_("next reminder at")
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closure_reason = models.CharField(max_length=40, blank=True, verbose_name=_("closure reason"))
    closure_note = models.TextField(blank=True, verbose_name=_("closure note"))
    updated_at = models.DateTimeField(verbose_name=_("updated at"))

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="escalation_status_idx"),
            models.Index(fields=["region", "requested_at"], name="escalation_region_idx"),
            models.Index(fields=["-requested_at", "-id"], name="escalation_recent_idx"),
        ]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"escalation {self.pk} ({self.status})"


class EscalationEventKind(models.TextChoices):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ASSIGNED = "assigned"
    HANDED_OVER = "handed_over"
    ACKNOWLEDGED = "acknowledged"
    UPDATE = "update"
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    AWAITING_CLIENT = "awaiting_client"
    REMINDER = "reminder"
    CLIENT_RESPONSE = "client_response"
    #: The deciding team was reminded of the decision deadline (ESC-5).
    DECISION_REMINDER = "decision_reminder"
    #: The team asked the requester for information; the decision clock paused.
    INFORMATION_REQUESTED = "info_requested"
    #: The requester answered; the decision clock resumed.
    INFORMATION_PROVIDED = "info_provided"
    #: ESC-3: the partner checked with first answered; the team decides now.
    PARTNER_ANSWERED = "partner_answered"
    #: The deciding region closed first; the next region to open decides (ESC-7).
    DECISION_HANDED_ON = "decision_handed_on"
    #: The decision, acknowledgement or an update is late (ESC-5, ESC-6); the managers
    #: were alerted.
    OVERDUE = "overdue"
    CLOSED = "closed"


class EscalationEvent(models.Model):
    """Append-only log of every step of an escalation (never updated)."""

    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, related_name="events", verbose_name=_("escalation")
    )
    at = models.DateTimeField(verbose_name=_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    kind = models.CharField(
        max_length=20, choices=EscalationEventKind.choices, verbose_name=_("kind")
    )
    data = models.JSONField(default=dict, verbose_name=_("data"))

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["escalation", "at", "id"], name="escalation_event_idx")]
        verbose_name = _("escalation event")
        verbose_name_plural = _("escalation events")


class EscalationSubscription(models.Model):
    """A stakeholder who receives every update (ESC-6): a person or a plain address."""

    escalation = models.ForeignKey(
        Escalation,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("escalation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    email = models.EmailField(blank=True, verbose_name=_("email"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(email=""))
                | (Q(user__isnull=True) & ~Q(email="")),
                name="escalation_subscription_one_target",
            ),
            models.UniqueConstraint(
                fields=["escalation", "user"],
                condition=Q(user__isnull=False),
                name="escalation_subscription_user_unique",
            ),
            models.UniqueConstraint(
                fields=["escalation", "email"],
                condition=~Q(email=""),
                name="escalation_subscription_email_unique",
            ),
        ]
        verbose_name = _("escalation subscription")
        verbose_name_plural = _("escalation subscriptions")
