"""Slowing down password guessing at the sign-in forms (the web login and the admin).

Failures are counted per *account and address* pair: after ``free_failures``, each
further failure doubles the wait before that pair may try again, from ``delay`` up to
``max_delay``. A stranger guessing a named user's password from elsewhere therefore
never delays the owner, who signs in from their own address. Each *address* may also
fail only ``address_max_failures`` times in all, so one address cannot try a few
passwords on every account. Failures older than ``window`` are forgotten; a successful
sign-in forgives its pair's failures.

An attempt is recorded as a failure *before* its password is checked and forgiven on
success, so attempts racing each other count against each other.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Count, Max, Min
from django.http import HttpRequest

from supportdesk import clock
from supportdesk.accounts.models import LoginFailure
from supportdesk.conf import LoginThrottleSettings, desk_settings

_USERNAME_MAX = LoginFailure._meta.get_field("username").max_length or 150
_ADDRESS_MAX = LoginFailure._meta.get_field("address").max_length or 64


def client_address(request: HttpRequest) -> str:
    """The address the request came from: the last entry of the trusted proxy's header
    (``CLIENT_ADDRESS_HEADER``) when one is configured, else the connection's."""
    header = desk_settings.client_address_header
    forwarded = request.headers.get(header, "") if header else ""
    address = forwarded.rpartition(",")[2].strip() or str(request.META.get("REMOTE_ADDR", ""))
    return address[:_ADDRESS_MAX]


def _key(username: str) -> str:
    return username.strip().casefold()[:_USERNAME_MAX]


def pair_delay(failures: int, rules: LoginThrottleSettings) -> dt.timedelta:
    """How long a pair with ``failures`` recent failures waits after the last one."""
    beyond = failures - rules.free_failures
    if beyond < 0:
        return dt.timedelta(0)
    # Past 2**20 the cap has long been reached; the bound keeps the arithmetic small.
    grown: dt.timedelta = rules.delay * 2 ** min(beyond, 20)
    return min(grown, rules.max_delay)


def _seconds(delta: dt.timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def sign_in_wait(*, username: str, address: str, now: dt.datetime | None = None) -> int | None:
    """Seconds until this account may be tried again from this address, or None if now."""
    moment = clock.resolve(now)
    rules = desk_settings.login_throttle
    recent = LoginFailure.objects.filter(at__gt=moment - rules.window)
    by_address = recent.filter(address=address).aggregate(n=Count("id"), first=Min("at"))
    if by_address["n"] >= rules.address_max_failures:
        # The window rolls on: the address's oldest failure leaving it frees one more try.
        return _seconds(by_address["first"] + rules.window - moment)
    pair = recent.filter(username=_key(username), address=address)
    by_pair = pair.aggregate(n=Count("id"), last=Max("at"))
    if by_pair["n"] == 0:
        return None
    free_at = by_pair["last"] + pair_delay(by_pair["n"], rules)
    return _seconds(free_at - moment) if free_at > moment else None


def begin_sign_in(*, username: str, address: str, now: dt.datetime | None = None) -> int | None:
    """Start an attempt: the seconds to wait if it may not be made now (nothing is
    recorded then), else None after recording it as a failure until
    :func:`forgive_sign_in` says otherwise. Failures past the window are deleted here."""
    moment = clock.resolve(now)
    wait = sign_in_wait(username=username, address=address, now=moment)
    if wait is not None:
        return wait
    LoginFailure.objects.filter(at__lte=moment - desk_settings.login_throttle.window).delete()
    LoginFailure.objects.create(username=_key(username), address=address, at=moment)
    return None


def forgive_sign_in(*, username: str, address: str) -> None:
    """The pair signed in: its failures no longer count (the address's other pairs' do)."""
    LoginFailure.objects.filter(username=_key(username), address=address).delete()
