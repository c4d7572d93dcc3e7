"""Organisations (tenants), people with roles, region teams and API tokens."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PARTNER = "partner", _("Partner")


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PARTNER = "partner", _("Partner")
    AGENT = "agent", _("Support agent")
    ESCALATION_MANAGER = "escalation_manager", _("Escalation manager")
    ADMIN = "admin", _("Administrator")


#: Roles that work for the vendor and see beyond one organisation.
STAFF_ROLES = frozenset({Role.AGENT, Role.ESCALATION_MANAGER, Role.ADMIN})


class Organization(models.Model):
    """A tenant: a customer, or a partner that serves client organisations."""

    name = models.CharField(max_length=200, verbose_name=_("name"))
    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    kind = models.CharField(max_length=16, choices=OrganizationKind.choices, verbose_name=_("kind"))
    #: Key of a region of the organisation's policy (``na``, ``emea``, ...).
    region = models.CharField(max_length=32, verbose_name=_("region"))
    account_manager = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_organizations",
        verbose_name=_("account manager"),
    )
    #: The partner that serves this (client) organisation, if any.
    partner = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clients",
        limit_choices_to={"kind": OrganizationKind.PARTNER},
        verbose_name=_("partner"),
    )
    #: The support contract; empty means the site's default policy.
    policy = models.ForeignKey(
        "policies.Policy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("policy"),
    )
    #: Mail domains whose senders belong to this organisation (email intake).
    email_domains = models.CharField(max_length=500, blank=True, verbose_name=_("email domains"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    SUPPORT = "support", _("Region support team")
    ESCALATION = "escalation", _("Escalation team")
    ENGINEERING = "engineering", _("Engineering team")


class Team(models.Model):
    """A team of vendor staff: a region's support or escalation team, or engineering."""

    name = models.CharField(max_length=120, unique=True, verbose_name=_("name"))
    key = models.SlugField(max_length=60, unique=True, verbose_name=_("key"))
    kind = models.CharField(max_length=16, choices=TeamKind.choices, verbose_name=_("kind"))
    region = models.CharField(max_length=32, blank=True, verbose_name=_("region"))
    escalation_manager = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalation manager"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(
        max_length=24, choices=Role.choices, default=Role.CUSTOMER, verbose_name=_("role")
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organization"),
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("team"),
    )
    #: IANA zone the person's screens show times in.
    time_zone = models.CharField(max_length=64, default="UTC", verbose_name=_("time zone"))
    phone = models.CharField(max_length=32, blank=True, verbose_name=_("phone"))

    class Meta(AbstractUser.Meta):
        # Every inbound mail looks its sender up by address, case-insensitively.
        indexes = [models.Index(Upper("email"), name="user_email_upper_idx")]

    @property
    def is_vendor_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def region(self) -> str:
        return self.team.region if self.team_id and self.team else ""

    @property
    def display_name(self) -> str:
        """The name people read for this person: their full name, else their username."""
        return self.get_full_name() or self.get_username()

    @property
    def zone(self) -> ZoneInfo:
        """The zone this person reads and types times in (their profile's), UTC when
        it names no zone this machine knows."""
        try:
            return ZoneInfo(self.time_zone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


class ApiToken(models.Model):
    """A revocable API credential. Only a hash is stored; the secret is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    prefix = models.CharField(max_length=12, unique=True, verbose_name=_("prefix"))
    digest = models.CharField(max_length=64, verbose_name=_("digest"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    #: Empty: valid until revoked.
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginFailure(models.Model):
    """A failed sign-in (or one still being checked), kept for the login throttle's window
    (supportdesk.accounts.login_throttle): one row per attempt, never updated."""

    #: The name as typed, case-folded: the throttle's key, whether or not such a user exists.
    username = models.CharField(max_length=150, verbose_name=_("username"))
    address = models.CharField(max_length=64, verbose_name=_("address"))
    at = models.DateTimeField(verbose_name=_("at"))

    class Meta:
        indexes = [
            models.Index(fields=["username", "address", "at"], name="login_failure_pair_idx"),
            models.Index(fields=["address", "at"], name="login_failure_address_idx"),
            models.Index(fields=["at"], name="login_failure_at_idx"),
        ]
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")
