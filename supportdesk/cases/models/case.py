"""The case itself, how it came in, and who follows it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import NotSupportedError, models
from django.utils.translation import gettext_lazy as _

from supportdesk.cases.models.planning import Release, Sprint
from supportdesk.domain.lifecycle import CaseStatus

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

    from supportdesk.accounts.models import User
    from supportdesk.cases.models.clocks import SlaClock

#: An expression's SQL and its parameters.
SQLAndParams = tuple[str, tuple[Any, ...]]

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


class Reference(models.Func):
    """A case's reference from its key: ``SD-`` and the key zero-padded to six digits,
    longer keys in full (``SD-000042``, ``SD-1234567``), as Python's ``f"SD-{pk:06d}"``.

    Written in each engine's own built-in functions: a generated column is computed by
    whatever connection writes the row, so it may not call a function that only
    Django's connection registers (Django's ``LPad`` on SQLite), and PostgreSQL's
    ``lpad`` alone would cut a seven-digit key to six digits. Migration ``cases.0016``
    imports it by this module's path, which must keep it (or re-export it) if it moves."""

    arity = 1
    output_field = models.CharField(max_length=20)

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> SQLAndParams:
        raise NotSupportedError(f"no case reference expression for {connection.vendor}")

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> SQLAndParams:
        # The key appears twice: the template takes only a column (arity 1, no params).
        template = (
            "'SD-' || lpad(%(expressions)s::text, greatest(6, length(%(expressions)s::text)), '0')"
        )
        return super().as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> SQLAndParams:
        # The format is a parameter: its % in the SQL would need escaping twice (for
        # the template, then for the driver or the schema editor, which inlines it).
        printf = models.Func(
            models.Value("SD-%06d"),
            *self.get_source_expressions(),
            function="printf",
            output_field=self.output_field,
        )
        return compiler.compile(printf)


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
    #: ``SD-`` and the key in at least six digits, computed by the database as it
    #: inserts the row (so a new case is one ``INSERT ... RETURNING``) and never
    #: written; an unsaved case has none (reading it raises ``AttributeError``).
    #: Unique through ``case_reference_key`` (a plain unique index: references are
    #: looked up exactly, upper-case, never with LIKE).
    reference = models.GeneratedField(
        expression=Reference("id"),
        output_field=models.CharField(max_length=20),
        db_persist=True,
        verbose_name=_("reference"),
    )
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
        # Unsaved, a case has no reference yet (reading it raises): its repr in a
        # traceback or a log must not.
        return f"{self.reference if self.pk is not None else '(new)'} {self.title}"

    @property
    def missing_intake(self) -> list[str]:
        """The keys of the intake fields its severity needs that its report did not
        give: a report by email carries no form, so they are asked for (INT-3, INT-4)."""
        triage = self.triage if isinstance(self.triage, dict) else {}
        return [str(key) for key in triage.get("missing") or ()]


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
