"""The case lifecycle: statuses, the legal transitions, and who may take each one.

new → acknowledged → in_progress ⇄ waiting_on_customer → workaround_provided →
resolved → closed, with reopen from resolved or closed. Pure: no Django, no clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from supportdesk.domain.errors import DomainError


class CaseStatus(enum.StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    WORKAROUND_PROVIDED = "workaround_provided"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ActorKind(enum.StrEnum):
    """Which side of the desk acts: the customer (or partner) or the vendor's staff."""

    CUSTOMER = "customer"
    AGENT = "agent"


S, A = CaseStatus, ActorKind
BOTH = frozenset({A.CUSTOMER, A.AGENT})
AGENT = frozenset({A.AGENT})

#: (from, to) → who may take it. Anything else is illegal.
TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], frozenset[ActorKind]] = {
    (S.NEW, S.ACKNOWLEDGED): AGENT,
    (S.NEW, S.IN_PROGRESS): AGENT,
    (S.NEW, S.WAITING_ON_CUSTOMER): AGENT,
    (S.ACKNOWLEDGED, S.IN_PROGRESS): AGENT,
    (S.ACKNOWLEDGED, S.WAITING_ON_CUSTOMER): AGENT,
    (S.IN_PROGRESS, S.WAITING_ON_CUSTOMER): AGENT,
    # A customer's reply ends the wait (the service does this on any channel).
    (S.WAITING_ON_CUSTOMER, S.IN_PROGRESS): BOTH,
    (S.IN_PROGRESS, S.WORKAROUND_PROVIDED): AGENT,
    (S.ACKNOWLEDGED, S.WORKAROUND_PROVIDED): AGENT,
    # The workaround did not work: back to work.
    (S.WORKAROUND_PROVIDED, S.IN_PROGRESS): BOTH,
    # RSP-5: resolved when customer and support agree; an agent records the agreement.
    (S.WORKAROUND_PROVIDED, S.RESOLVED): BOTH,
    (S.RESOLVED, S.CLOSED): BOTH,
    # Reopen.
    (S.RESOLVED, S.IN_PROGRESS): BOTH,
    (S.CLOSED, S.IN_PROGRESS): BOTH,
}

#: Statuses during which the SLA clocks are paused.
PAUSED_STATUSES = frozenset({S.WAITING_ON_CUSTOMER})
#: Statuses after which no target runs.
DONE_STATUSES = frozenset({S.RESOLVED, S.CLOSED})


class IllegalTransition(DomainError):
    """The transition is not in the table (HTTP 409); ``allowed`` names the legal ones."""

    def __init__(self, message: str, *, allowed: list[str]) -> None:
        super().__init__(message, field="to")
        self.allowed = allowed
        self.extra = {"allowed": allowed}


class TransitionForbidden(DomainError):
    """The transition exists but this side of the desk may not take it (HTTP 403)."""


@dataclass(frozen=True, slots=True)
class Transition:
    source: CaseStatus
    target: CaseStatus
    reopen: bool
    needs_agreement: bool


def allowed_targets(source: CaseStatus, actor: ActorKind | None = None) -> list[CaseStatus]:
    """The statuses reachable from ``source`` (by ``actor``, when given), in table order."""
    return [
        to
        for (fr, to), who in TRANSITIONS.items()
        if fr == source and (actor is None or actor in who)
    ]


def plan_transition(source: CaseStatus, target: CaseStatus, actor: ActorKind) -> Transition:
    """Check ``source → target`` for ``actor``.

    Raises :class:`IllegalTransition` (naming the allowed targets) when the pair is not
    in the table, :class:`TransitionForbidden` when ``actor`` may not take it.
    ``needs_agreement``: an agent resolving must record the customer's agreement (RSP-5).
    """
    who = TRANSITIONS.get((source, target))
    if who is None:
        # The targets this actor may take: naming the agent's to a customer sends them
        # to a refusal.
        allowed = [str(s) for s in allowed_targets(source, actor)]
        shown = ", ".join(allowed) or "none"
        raise IllegalTransition(
            f"cannot go from {source} to {target}; allowed from {source}: {shown}",
            allowed=allowed,
        )
    if actor not in who:
        raise TransitionForbidden(
            f"a {actor} may not move a case from {source} to {target}", field="to"
        )
    return Transition(
        source=source,
        target=target,
        reopen=source in DONE_STATUSES and target not in DONE_STATUSES,
        needs_agreement=target == S.RESOLVED and actor == A.AGENT,
    )
