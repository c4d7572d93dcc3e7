"""Domain exceptions. Each names what was wrong and why; the web and CLI layers map
them once to HTTP 4xx / exit code 2."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """A request the domain refuses. ``field`` names the input at fault, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy file: where (a key path) and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class PolicyError(DomainError):
    """A policy file that cannot be used; ``problems`` lists every fault found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems) or "invalid policy")
        self.problems = problems
