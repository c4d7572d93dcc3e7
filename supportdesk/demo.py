"""The demo data set: organisations in both regions, a partner with clients, agents,
escalation managers. Idempotent: seeding twice changes nothing."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from supportdesk.accounts.models import Organization, OrganizationKind, Role, Team, TeamKind, User
from supportdesk.notifications.models import ContactChannel
from supportdesk.policies.models import Policy

#: The password of every demo person (not of the admin, whose password is generated).
DEMO_PASSWORD = "demo-password"

TEAMS = [
    ("North America support", "na-support", TeamKind.SUPPORT, "na"),
    ("EMEA support", "emea-support", TeamKind.SUPPORT, "emea"),
    ("North America escalations", "na-escalations", TeamKind.ESCALATION, "na"),
    ("EMEA escalations", "emea-escalations", TeamKind.ESCALATION, "emea"),
    ("Accounts engineering", "accounts", TeamKind.ENGINEERING, ""),
    ("Content engineering", "content", TeamKind.ENGINEERING, ""),
    ("Web engineering", "web", TeamKind.ENGINEERING, ""),
    ("Reporting engineering", "reporting", TeamKind.ENGINEERING, ""),
    ("Onboarding", "onboarding", TeamKind.ENGINEERING, ""),
]

# username, name, role, team key, organisation slug, time zone
PEOPLE = [
    ("nora", "Nora Bennett", Role.AGENT, "na-support", None, "America/New_York"),
    ("sam", "Sam Ortiz", Role.AGENT, "na-support", None, "America/New_York"),
    ("erik", "Erik Lund", Role.AGENT, "emea-support", None, "Europe/Stockholm"),
    ("amira", "Amira Haddad", Role.AGENT, "emea-support", None, "Europe/Stockholm"),
    ("elin", "Elin Berg", Role.ESCALATION_MANAGER, "emea-escalations", None, "Europe/Stockholm"),
    ("marcus", "Marcus Reed", Role.ESCALATION_MANAGER, "na-escalations", None, "America/Chicago"),
    ("alice", "Alice Moreau", Role.CUSTOMER, None, "alpine-lodges", "America/Denver"),
    ("bjorn", "Björn Svensson", Role.CUSTOMER, None, "nordic-retail", "Europe/Stockholm"),
    ("petra", "Petra Novak", Role.PARTNER, None, "bright-partners", "Europe/Prague"),
    ("fiona", "Fiona Walsh", Role.CUSTOMER, None, "fjord-foods", "Europe/Oslo"),
    ("liam", "Liam Carter", Role.CUSTOMER, None, "lakeside-inns", "America/New_York"),
]

# slug, name, kind, region, policy key, partner slug, account manager, mail domains
ORGANISATIONS = [
    (
        "alpine-lodges",
        "Alpine Lodge Resorts",
        OrganizationKind.CUSTOMER,
        "na",
        "partner-services",
        None,
        "sam",
        "alpinelodges.example",
    ),
    (
        "lakeside-inns",
        "Lakeside Inns",
        OrganizationKind.CUSTOMER,
        "na",
        "partner-services",
        None,
        "sam",
        "lakeside.example",
    ),
    (
        "bright-partners",
        "Bright Partners",
        OrganizationKind.PARTNER,
        "emea",
        "follow-the-sun",
        None,
        "amira",
        "brightpartners.example",
    ),
    (
        "nordic-retail",
        "Nordic Retail AB",
        OrganizationKind.CUSTOMER,
        "emea",
        "follow-the-sun",
        None,
        "amira",
        "nordicretail.example",
    ),
    (
        "fjord-foods",
        "Fjord Foods AS",
        OrganizationKind.CUSTOMER,
        "emea",
        "follow-the-sun",
        "bright-partners",
        "amira",
        "fjordfoods.example",
    ),
    (
        "prairie-goods",
        "Prairie Goods Inc.",
        OrganizationKind.CUSTOMER,
        "na",
        "follow-the-sun",
        "bright-partners",
        "sam",
        "prairiegoods.example",
    ),
]

#: Extension point: later apps add their demo steps (cases, escalations, on-call).
EXTRA_STEPS: list[Callable[[Callable[[str], None]], None]] = []


@transaction.atomic
def seed(progress: Callable[[str], None] = lambda _m: None) -> None:
    if Organization.objects.filter(slug="alpine-lodges").exists():
        progress("demo data present")
        return
    progress("seeding demo teams, people and organisations")
    teams = {}
    for name, key, kind, region in TEAMS:
        teams[key], _ = Team.objects.get_or_create(
            key=key, defaults={"name": name, "kind": kind, "region": region}
        )
        # Every team has a mailbox, so no team message waits for a fallback; with the
        # default EMAIL_URL=console:// the demo's mail is printed.
        ContactChannel.objects.get_or_create(
            team=teams[key], url=f"{key}@vendor.example", defaults={"label": "team mailbox"}
        )
    staff = {}
    for username, full, role, team, org, zone in PEOPLE:
        if org is None:
            staff[username] = _person(username, full, role, teams.get(team or ""), None, zone)
    for key in ("na-escalations", "na-support"):
        teams[key].escalation_manager = staff["marcus"]
        teams[key].save(update_fields=["escalation_manager"])
    for key in ("emea-escalations", "emea-support"):
        teams[key].escalation_manager = staff["elin"]
        teams[key].save(update_fields=["escalation_manager"])
    policies = {p.key: p for p in Policy.objects.all()}
    orgs: dict[str, Organization] = {}
    for slug, name, org_kind, region, policy, partner, manager, domains in ORGANISATIONS:
        orgs[slug] = Organization.objects.create(
            slug=slug,
            name=name,
            kind=org_kind,
            region=region,
            policy=policies.get(policy),
            partner=orgs.get(partner) if partner else None,
            account_manager=staff[manager],
            email_domains=domains,
        )
    for username, full, role, _team, org, zone in PEOPLE:
        if org is not None:
            _person(username, full, role, None, orgs[org], zone)
    for step in EXTRA_STEPS:
        step(progress)


def _person(
    username: str, full: str, role: str, team: Team | None, org: Organization | None, zone: str
) -> User:
    first, _, last = full.partition(" ")
    domain = org.email_domains.split(",")[0] if org else "vendor.example"
    user = User(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@{domain}",
        role=role,
        team=team,
        organization=org,
        time_zone=zone,
        is_staff=role in {Role.AGENT, Role.ESCALATION_MANAGER},
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def ensure_admin(data_dir: Path) -> tuple[str, str]:
    """An ``admin`` superuser whose generated password is kept in the data folder."""
    secret_file = data_dir / "admin_password"
    user = User.objects.filter(username="admin").first()
    if user is None or not secret_file.exists():
        password = secrets.token_urlsafe(12)
        if user is None:
            user = User(username="admin", email="admin@vendor.example", role=Role.ADMIN)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        data_dir.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(password)
        secret_file.chmod(0o600)
    return "admin", secret_file.read_text().strip()
