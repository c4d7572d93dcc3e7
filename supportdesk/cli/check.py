"""``supportdesk check [--deploy]``: Django's system checks (there is no ``manage.py``)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from supportdesk.cli.runtime import start_django


def check(args: argparse.Namespace) -> int:
    start_django()
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=args.deploy, fail_level=args.fail_level)
    except SystemCheckError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="Django's system checks; --deploy adds the production ones (exit 2 on issues)",
    )
    p.add_argument("--deploy", action="store_true", help="also check the deployment settings")
    p.add_argument(
        "--fail-level",
        choices=["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"],
        default="WARNING",
        help="the lowest level of message that fails the check (default: WARNING)",
    )
    p.add_argument(
        "--data-dir",
        default=os.environ.get("SUPPORTDESK_DATA_DIR", "var"),
        help="where the generated secret key lives (default: ./var)",
    )
    p.set_defaults(handler=check)
