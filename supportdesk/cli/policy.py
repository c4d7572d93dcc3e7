"""``supportdesk policy check|load|coverage|diff|whatif|apply``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from supportdesk.cli import UsageError
from supportdesk.cli.options import read_policy, read_policy_text
from supportdesk.cli.policy_apply import register_apply
from supportdesk.cli.policy_truth import register_policy
from supportdesk.domain.errors import PolicyError


def check(args: argparse.Namespace) -> int:
    """Validate each file; on problems print each with its key path and exit 2."""
    failed = False
    for name in args.files:
        try:
            policy = read_policy(name)
        except PolicyError as exc:
            failed = True
            for problem in exc.problems:
                print(f"{name}: {problem}", file=sys.stderr)
            continue
        print(f"{name}: ok ({policy.id} version {policy.version})")
    return 2 if failed else 0


def load(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    import django
    from django.apps import apps

    if not apps.ready:  # once per process, as in runtime.start_django
        django.setup()
    from supportdesk.policies.services import load_policy_version

    for name in args.files:
        text = read_policy_text(name, "FILE")  # holiday feeds read in: stored as loaded
        result = load_policy_version(text=text)
        state = "loaded" if result.created else "unchanged"
        print(f"{name}: {state} ({result.version.policy.key} version {result.version.version})")
    return 0


def coverage(args: argparse.Namespace) -> int:
    from supportdesk.cli.route import coverage_report

    if not 1900 <= args.year <= 2200:
        raise UsageError(f"--year: {args.year} is out of range (1900-2200)")
    print(json.dumps(coverage_report(read_policy(args.file), args.year), indent=2))
    return 0


def register(sub: Any) -> None:
    policy = sub.add_parser("policy", help="check, load and inspect policy files")
    psub = policy.add_subparsers(dest="policy_command", metavar="ACTION")
    psub.required = True

    p = psub.add_parser("check", help="validate policy files (exit 2 on problems)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=check)

    p = psub.add_parser("load", help="store policy files as new versions in the database")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=load)

    p = psub.add_parser("coverage", help="per week, the hours no region covers (JSON, UTC)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--year", type=int, required=True)
    p.set_defaults(handler=coverage)

    register_policy(psub)
    register_apply(psub)
