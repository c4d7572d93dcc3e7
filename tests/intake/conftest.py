"""Fixtures for the email channel: a customer organisation with a mail domain, its
contact, an agent, a local SMTP sink for outbound mail, and the SMTP/LMTP listener."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from supportdesk.accounts.models import Role
from supportdesk.intake.services.ingest import Ingested, ingest_message
from supportdesk.policies.services import load_policy_version
from tests.conftest import policy_text
from tests.factories import load_shipped_policies, make_org, make_team, make_user

#: Tuesday 2026-03-10 11:00 in New York: partner-services support hours are open.
NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)
CUSTOMER = "ann@alpine.example"


@pytest.fixture(autouse=True)
def _mail_settings(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "support@desk.example"


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def policies(transactional_db: None) -> dict[str, Any]:
    return load_shipped_policies()


@pytest.fixture
def agent(policies: Any) -> Any:
    return make_user(role=Role.AGENT, team=make_team(region="na"), username="agent-na")


@pytest.fixture
def organisation(policies: Any, agent: Any) -> Any:
    org = make_org(name="Alpine", region="na", policy=policies["partner-services"])
    org.account_manager = agent
    org.email_domains = "alpine.example, alpine-hotels.example"
    org.save()
    return org


@pytest.fixture
def customer(organisation: Any) -> Any:
    user = make_user(role=Role.CUSTOMER, organization=organisation)
    user.email = CUSTOMER
    user.first_name = "Ann"
    user.save()
    return user


@pytest.fixture
def reject_unknown(policies: Any) -> None:
    """The default policy, re-versioned to reject unknown senders."""
    text = (
        policy_text("partner-services")
        .replace("unknown_senders: hold", "unknown_senders: reject")
        .replace('version: "2026.5"', 'version: "2026.5-reject"')
    )
    load_policy_version(text=text)


def ingest(raw: bytes, now: dt.datetime = NOW, **kw: Any) -> Ingested:
    return ingest_message(raw=raw, via=kw.pop("via", "pipe"), now=now, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sink:
    """A local SMTP server recording what our outbound mail looked like on the wire."""

    port: int
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[Sink]:
    sink = Sink(port=free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            parsed = message_from_bytes(envelope.original_content, policy=policy.default)
            with sink.lock:
                sink.received.append(parsed)  # type: ignore[arg-type]
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()
