"""The ``supportdesk`` command: one entry point, one subcommand module per concern.

Each module in :data:`COMMAND_MODULES` exposes ``register(subparsers)``, which adds its
subcommands and sets ``handler`` (a callable taking the parsed namespace and returning
an exit code) as the parser default. Bad input raises :class:`UsageError` or a domain
error; both end as exit code 2 with a one-line message on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from supportdesk.domain.errors import DomainError, PolicyError

COMMAND_MODULES = (
    "supportdesk.cli.server",
    "supportdesk.cli.policy",
    "supportdesk.cli.calendar",
    "supportdesk.cli.sla",
    "supportdesk.cli.route",
    "supportdesk.cli.case",
    "supportdesk.cli.sprint",
    "supportdesk.cli.find",
    "supportdesk.cli.escalation",
    "supportdesk.cli.answers",
    "supportdesk.cli.mail",
    "supportdesk.cli.backup",
    "supportdesk.cli.token",
    "supportdesk.cli.check",
    "supportdesk.cli.doctor",
)


class UsageError(Exception):
    """Bad command-line input: the message says which option and why."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supportdesk",
        description="Support cases, SLA clocks, follow-the-sun routing and escalations.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command group not built yet
        module.register(sub)
    return parser


def _as_typed(field: str, argv: Sequence[str]) -> str:
    """A refused field as the person typed it: a service names the value it refuses by
    its own name (``limit``), which is an option's (``--limit``) when one was given."""
    option = "--" + field.replace("_", "-")
    typed = any(arg == option or arg.startswith(f"{option}=") for arg in argv)
    return option if typed else field


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "data_dir", None):
        # Commands start Django through supportdesk.cli.runtime, which reads it here.
        os.environ["SUPPORTDESK_DATA_DIR"] = str(Path(args.data_dir).resolve())
    try:
        code: int = args.handler(args)
    except PolicyError as exc:
        for problem in exc.problems:
            print(f"supportdesk: {problem}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader (``| head``) has seen enough
        return 0
    except (UsageError, DomainError) as exc:
        field = getattr(exc, "field", None)
        prefix = f"{_as_typed(field, argv)}: " if field else ""
        print(f"supportdesk: {prefix}{exc}", file=sys.stderr)
        return 2
    return code
