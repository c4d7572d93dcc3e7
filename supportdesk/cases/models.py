"""Cases and everything hanging off them: events, comments, attachments, SLA clocks,
severity changes, follow-up tasks, sprints, releases and idempotency keys."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from supportdesk.domain.lifecycle import CaseStatus

if TYPE_CHECKING:
    from supportdesk.accounts.models import User

#: Sort value for "no SLA due": far in the future, so the queue cursor never meets a null.
NO_DUE = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


class Channel(models.TextChoices):
    PORTAL = "portal", _("Web portal")
    API = "api", _("REST API")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone (logged by an agent)")


class Environment(models.TextChoices):
    PRODUCTION = "production", _("Production")
    OTHER = "other", _("Other")


class Sprint(models.Model):
    """A development team's sprint, its days ``starts_on`` to ``ends_on`` included; the
    current one covers today (PRI-1). The sprints of one team never overlap (checked by
    ``services.create_sprint``); ``team`` null is the shared plan of work no team owns."""

    name = models.CharField(max_length=80, unique=True, verbose_name=_("name"))
    # Looked up through sprint_team_start_idx, which starts with the team.
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sprints",
        db_index=False,
        verbose_name=_("team"),
    )
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))

    class Meta:
        ordering = ["starts_on"]
        indexes = [
            models.Index(fields=["starts_on", "ends_on"], name="sprint_span_idx"),
            models.Index(fields=["team", "starts_on"], name="sprint_team_start_idx"),
        ]
        verbose_name = _("sprint")
        verbose_name_plural = _("sprints")

    def __str__(self) -> str:
        return self.name


class PlanningStamp(models.Model):
    """One row: a random value drawn anew whenever a team or a sprint is saved or
    deleted (``cases.planning_stamp``), so every process can tell whether the support
    teams and sprints it keeps in memory are still the database's."""

    value = models.BigIntegerField(verbose_name=_("value"))

    class Meta:
        verbose_name = _("planning stamp")
        verbose_name_plural = _("planning stamps")


class Release(models.Model):
    """A release carrying permanent fixes (RSP-5)."""

    version = models.CharField(max_length=40, unique=True, verbose_name=_("version"))
    planned_for = models.DateField(null=True, blank=True, verbose_name=_("planned for"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return self.version


class Case(models.Model):
    # Looked up through case_org_status_idx, which starts with the organisation.
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        verbose_name=_("organization"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_cases",
        verbose_name=_("requester"),
    )
    # No index on opened_by, policy_version or release: nothing lists cases by them, and
    # every index is one more write per new case; only deleting a user, version or
    # release looks them up (rare, and refused or nulled).
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("opened by"),
    )
    #: Unique through ``case_reference_key`` (a plain unique index: references are
    #: looked up exactly, upper-case, never with LIKE).
    reference = models.CharField(max_length=20, null=True, verbose_name=_("reference"))
    channel = models.CharField(max_length=12, choices=Channel.choices, verbose_name=_("channel"))
    environment = models.CharField(
        max_length=12, choices=Environment.choices, verbose_name=_("environment")
    )
    request_type = models.CharField(max_length=60, verbose_name=_("request type"))
    category = models.CharField(max_length=40, blank=True, verbose_name=_("category"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    description = models.TextField(verbose_name=_("description"))
    severity = models.PositiveSmallIntegerField(verbose_name=_("severity"))
    severity_reason = models.TextField(verbose_name=_("severity reason"))
    severity_basis = models.CharField(max_length=12, verbose_name=_("severity basis"))
    #: The triage input and its outcome: answers, derived severity, cleaned intake.
    triage = models.JSONField(default=dict, verbose_name=_("triage"))
    status = models.CharField(
        max_length=24, choices=[(s.value, s.value) for s in CaseStatus], verbose_name=_("status")
    )
    region = models.CharField(max_length=32, verbose_name=_("region"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("team"),
    )
    #: Pinned: deadlines are always computed under the version the case was opened with.
    policy_version = models.ForeignKey(
        "policies.PolicyVersion",
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        verbose_name=_("policy version"),
    )
    received_at = models.DateTimeField(verbose_name=_("received at"))
    callback_number = models.CharField(max_length=32, blank=True, verbose_name=_("callback number"))
    route_action = models.CharField(max_length=16, verbose_name=_("route action"))
    route_region = models.CharField(max_length=32, blank=True, verbose_name=_("route region"))
    route_explanation = models.TextField(verbose_name=_("route explanation"))
    #: PRI-2: set by the escalations app; escalated cases rank first.
    escalated = models.BooleanField(default=False, verbose_name=_("escalated"))
    #: Queue sort value (PRI-2, INT-6): ``domain.prioritisation.queue_rank`` of the
    #: severity and the escalated flag (0: top severity or escalated, else the
    #: severity), kept by every service that changes either.
    queue_rank = models.PositiveSmallIntegerField(default=0, verbose_name=_("queue rank"))
    #: Queue sort value: the nearest running SLA due, or NO_DUE (INT-6, PRI-2).
    queue_due_at = models.DateTimeField(default=NO_DUE, verbose_name=_("queue due at"))
    first_response_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("first response at")
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    #: RSP-5: who recorded the customer's agreement, and what it was.
    resolution_agreement = models.TextField(blank=True, verbose_name=_("resolution agreement"))
    #: RSP-3: a Sev4 becomes a work order for the engineering team owning its type.
    work_order = models.BooleanField(default=False, verbose_name=_("work order"))
    #: RSP-4: branding and setup requests are reviewed daily.
    daily_review = models.BooleanField(default=False, verbose_name=_("daily review"))
    sprint = models.ForeignKey(
        Sprint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("sprint"),
    )
    release = models.ForeignKey(
        Release,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        db_index=False,
        verbose_name=_("release"),
    )
    #: SEV-4: seconds from first Sev1 to the first downgrade.
    time_to_downgrade_seconds = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("time to downgrade seconds")
    )
    #: When the customer's side last wrote and no agent has looked since (the queue's
    #: "unseen customer activity" mark); cleared when an agent opens or answers the case.
    customer_activity_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("customer activity at")
    )
    #: INT-2: an after-hours emergency opened at the top severity from keywords alone,
    #: until an agent confirms it or downgrades it with a reason.
    severity_unconfirmed = models.BooleanField(
        default=False, verbose_name=_("severity unconfirmed")
    )
    #: HRS-3: what the agents of the working region leave for the next region to open.
    handover_note = models.TextField(blank=True, verbose_name=_("handover note"))
    updated_at = models.DateTimeField(verbose_name=_("updated at"))

    #: Not a column: the clock rows ``open_case`` stored with a new case, in hand for
    #: the rest of the request that opened it (its answer, its receipt), which would
    #: otherwise read them straight back. None on a case read from the database.
    opened_clocks: list[SlaClock] | None = None
    #: The case's followers when the caller read them already (a fan-out batch reads
    #: those of all its cases at once); ``None``: read them when needed.
    followers_in_hand: list[User] | None = None
    #: Not a column: the clocks as of the instant of the request that reads the case
    #: (``cases.clocks.show_clocks``), which every page and answer shows (RSP-6).
    shown_clocks: list[SlaClock] | None = None

    class Meta:
        ordering = ["queue_rank", "queue_due_at", "received_at", "id"]
        indexes = [
            models.Index(
                fields=["queue_rank", "queue_due_at", "received_at", "id"],
                name="case_queue_rank_idx",
            ),
            models.Index(fields=["organization", "status"], name="case_org_status_idx"),
            # A customer's newest cases by id without reading them (a search's window
            # floor: the organisation's 1,000th newest case, an index-only walk).
            models.Index(fields=["organization", "id"], name="case_org_id_idx"),
            models.Index(fields=["region", "status"], name="case_region_status_idx"),
            models.Index(fields=["daily_review", "status"], name="case_daily_review_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["reference"], name="case_reference_key")]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class CaseFollower(models.Model):
    """A person who follows a case: told what its requester is told (customers of the
    case's organisation) or what its staff are told (vendor staff)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="followers", verbose_name=_("case")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_follower_unique")
        ]
        verbose_name = _("case follower")
        verbose_name_plural = _("case followers")


class EventKind(models.TextChoices):
    OPENED = "opened"
    STATUS = "status"
    SEVERITY = "severity"
    COMMENT = "comment"
    ATTACHMENT = "attachment"
    ASSIGNED = "assigned"
    FOLLOW_UP = "follow_up"
    SPRINT = "sprint"
    RELEASE = "release"
    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"
    ESCALATION = "escalation"
    HANDOVER = "handover"
    EMERGENCY = "emergency"
    POLICY = "policy"


class CaseEvent(models.Model):
    """Append-only timeline entry: who, when, what, before/after (never updated)."""

    # Looked up through case_event_timeline_idx, which starts with the case: a second
    # index on the column alone would only cost every insert.
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
        verbose_name=_("case"),
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
    kind = models.CharField(max_length=16, choices=EventKind.choices, verbose_name=_("kind"))
    #: Customers see only public events (an internal comment's event is internal).
    public = models.BooleanField(default=True, verbose_name=_("public"))
    data = models.JSONField(default=dict, verbose_name=_("data"))

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at", "id"], name="case_event_timeline_idx")]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")


class Comment(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="comments", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(verbose_name=_("body"))
    #: Internal comments are for vendor staff only.
    public = models.BooleanField(default=True, verbose_name=_("public"))
    channel = models.CharField(
        max_length=12, choices=Channel.choices, default=Channel.PORTAL, verbose_name=_("channel")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="comment_case_idx")]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")


class Attachment(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(upload_to="cases/%Y/%m/", verbose_name=_("file"))
    name = models.CharField(max_length=255, verbose_name=_("name"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size = models.PositiveBigIntegerField(verbose_name=_("size"))
    public = models.BooleanField(default=True, verbose_name=_("public"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class ClockState(models.TextChoices):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    NOT_APPLICABLE = "not_applicable"


class SlaClock(models.Model):
    """One target kind of one case as last computed by ``domain.sla`` (RSP-6).

    A cache of a pure computation over the case's events, refreshed after every event;
    ``next_deadline_at`` is what the sweep scans for.
    """

    # Looked up through sla_clock_case_kind_unique, which starts with the case.
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="clocks",
        db_index=False,
        verbose_name=_("case"),
    )
    kind = models.CharField(max_length=20, verbose_name=_("kind"))
    state = models.CharField(max_length=16, choices=ClockState.choices, verbose_name=_("state"))
    severity = models.PositiveSmallIntegerField(verbose_name=_("severity"))
    target_seconds = models.PositiveIntegerField(null=True, verbose_name=_("target seconds"))
    calendar = models.CharField(max_length=60, blank=True, verbose_name=_("calendar"))
    started_at = models.DateTimeField(null=True, verbose_name=_("started at"))
    due_at = models.DateTimeField(null=True, verbose_name=_("due at"))
    met_at = models.DateTimeField(null=True, verbose_name=_("met at"))
    breached_at = models.DateTimeField(null=True, verbose_name=_("breached at"))
    elapsed_seconds = models.IntegerField(null=True, verbose_name=_("elapsed seconds"))
    remaining_seconds = models.IntegerField(null=True, verbose_name=_("remaining seconds"))
    paused_seconds = models.IntegerField(default=0, verbose_name=_("paused seconds"))
    #: [{"fraction": 0.75, "at": iso|None, "reached": bool}]
    warnings = models.JSONField(default=list, verbose_name=_("warnings"))
    #: Fractions whose warning event was recorded, and whether the breach was (idempotency).
    warnings_recorded = models.JSONField(default=list, verbose_name=_("warnings recorded"))
    breach_recorded = models.BooleanField(default=False, verbose_name=_("breach recorded"))
    next_deadline_at = models.DateTimeField(null=True, verbose_name=_("next deadline at"))
    computed_at = models.DateTimeField(verbose_name=_("computed at"))

    class Meta:
        # By the column, not the relation: ordering by "case" would join the case
        # table for its queue order on every read of a case's clocks.
        ordering = ["case_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="sla_clock_case_kind_unique")
        ]
        indexes = [
            models.Index(fields=["next_deadline_at"], name="sla_clock_next_deadline_idx"),
            models.Index(fields=["due_at"], name="sla_clock_due_idx"),
        ]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")


class SeverityChange(models.Model):
    """SEV-4: who changed the severity, when, from what, to what and why."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="severity_changes", verbose_name=_("case")
    )
    at = models.DateTimeField(verbose_name=_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    from_severity = models.PositiveSmallIntegerField(verbose_name=_("from severity"))
    to_severity = models.PositiveSmallIntegerField(verbose_name=_("to severity"))
    reason = models.TextField(verbose_name=_("reason"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("severity change")
        verbose_name_plural = _("severity changes")


class FollowUpStatus(models.TextChoices):
    OPEN = "open"
    DONE = "done"


class FollowUpTask(models.Model):
    """INT-5: after a Sev1 by phone, a detailed email to the account manager is owed."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("case")
    )
    kind = models.CharField(max_length=40, default="phone_sev1_email", verbose_name=_("kind"))
    description = models.TextField(verbose_name=_("description"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assignee"),
    )
    status = models.CharField(
        max_length=8,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.OPEN,
        verbose_name=_("status"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    #: Within the region's business hours after the call (INT-5); reminded once missed.
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("due at"))
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reminded at"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("done by"),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="follow_up_open_idx")]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")


class IdempotencyKey(models.Model):
    """A create request's key: a retry returns the same case, a different body is a 409."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(max_length=200, verbose_name=_("key"))
    fingerprint = models.CharField(max_length=64, verbose_name=_("fingerprint"))
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")
        ]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")


class OutboundMail(models.Model):
    """The mail side of an outbox message about a case (or of an automatic answer to a
    message that opened none): the Message-ID it is sent with, so replies thread back to
    the case, its threading headers and its HTML part. One per outbox message."""

    outbox = models.OneToOneField(
        "notifications.OutboxMessage",
        on_delete=models.CASCADE,
        related_name="mail_envelope",
        verbose_name=_("outbox"),
    )
    message_id = models.CharField(max_length=255, unique=True, verbose_name=_("message id"))
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("case"),
    )
    in_reply_to = models.CharField(max_length=255, blank=True, verbose_name=_("in reply to"))
    references = models.TextField(blank=True, verbose_name=_("references"))
    #: RFC 3834: ``auto-replied`` for the receipt, ``auto-generated`` for the rest.
    auto_submitted = models.CharField(
        max_length=20, default="auto-generated", verbose_name=_("auto submitted")
    )
    html = models.TextField(blank=True, verbose_name=_("html"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="outbound_case_idx")]
        verbose_name = _("outbound mail")
        verbose_name_plural = _("outbound mail")

    def headers(self) -> dict[str, str]:
        out = {"Message-ID": self.message_id, "Auto-Submitted": self.auto_submitted}
        if self.in_reply_to:
            out["In-Reply-To"] = self.in_reply_to
        if self.references:
            out["References"] = self.references
        return out

    def __str__(self) -> str:
        return self.message_id


# Registered with this app from their own module (finding work: search, saved views,
# merged duplicates).
from supportdesk.cases.search.models import CaseMerge, SavedView, SearchDocument  # noqa: E402, F401
