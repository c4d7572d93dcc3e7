"""Parsing of the option values several subcommands share."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from supportdesk.cli import UsageError
from supportdesk.domain.policy import Policy, load_policy_text
from supportdesk.policies.sources import resolve_sources


def read_policy_text(path: str, option: str = "--policy") -> str:
    """A policy file's text with its holiday feeds read in (see ``policies.sources``)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{option}: cannot read {path}: {exc.strerror}") from exc
    return resolve_sources(text, base=Path(path).resolve().parent)


def read_policy(path: str, option: str = "--policy") -> Policy:
    """Load and validate a policy file; problems surface as PolicyError (exit 2)."""
    return load_policy_text(read_policy_text(path, option))


def parse_instant(value: str, option: str) -> dt.datetime:
    """An ISO 8601 instant that carries its offset; naive times are refused, not guessed."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{option}: {value!r} is not an ISO 8601 date-time") from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise UsageError(
            f"{option}: {value!r} has no UTC offset; add one, e.g. {value}+00:00 or {value}-05:00"
        )
    return parsed
