"""Reads for issue 22: a case's deadlines explained, and case histories for a what-if
replay. Both only read: they translate stored timelines into domain histories and
hand them to the pure functions in ``domain.sla.explain`` and ``domain.whatif``."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from supportdesk.accounts.permissions import NotFound
from supportdesk.cases import events
from supportdesk.cases.clocks import SLA_KINDS, calendars_of, domain_events, history_of, policy_of
from supportdesk.cases.models import Case, CaseEvent
from supportdesk.domain.sla.explain import Explanation, explain_deadlines
from supportdesk.domain.whatif import CaseOutcome, ReplayCase, Rules
from supportdesk.domain.whatif_batch import replay_batch
from supportdesk.policies import selectors as policy_selectors
from supportdesk.policies.models import PolicyVersion

#: Cases whose timelines are read in one query during a replay.
BATCH = 2000


def explain_case(case: Case, *, now: dt.datetime) -> Explanation:
    """Why each of ``case``'s deadlines is when it is, as of ``now``, under its pinned
    version. The caller has checked the viewer may see the case."""
    rows = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    return explain_deadlines(
        policy=policy_of(case),
        calendars=calendars_of(case.policy_version),
        events=domain_events(case, rows),
        now=now,
    )


def case_by_reference(ref: str) -> Case:
    """An operator's lookup (the CLI runs with the data folder's rights): any case by
    its reference or numeric id; :class:`NotFound` naming ``case``."""
    ref = ref.strip().upper()
    cases = Case.objects.select_related("policy_version")
    case = (
        cases.filter(pk=int(ref)).first() if ref.isdigit() else cases.filter(reference=ref).first()
    )
    if case is None:
        raise NotFound(_("case %(ref)s not found") % {"ref": ref}, field="case")
    return case


@dataclass(frozen=True)
class ReplaySet:
    """The cases received in a range: how many, the rules each is pinned to (keyed by
    version id), and their histories in batches."""

    count: int
    pinned: dict[str, Rules]
    histories: Callable[[], Iterator[ReplayCase]]


def replay_set(
    *, since: dt.datetime, until: dt.datetime, organisation: str | None = None
) -> ReplaySet:
    """Every case received in [since, until) (of one organisation, by slug, if given)."""
    cases = Case.objects.filter(received_at__gte=since, received_at__lt=until)
    if organisation is not None:
        cases = cases.filter(organization__slug=organisation)
    ids = list(cases.order_by("received_at", "id").values_list("pk", flat=True))
    version_ids = set(cases.values_list("policy_version_id", flat=True).distinct())
    pinned = {}
    for version in PolicyVersion.objects.filter(pk__in=version_ids):
        pinned[str(version.pk)] = Rules(policy_selectors.parsed(version), calendars_of(version))

    def histories() -> Iterator[ReplayCase]:
        for start in range(0, len(ids), BATCH):
            yield from _histories(ids[start : start + BATCH])

    return ReplaySet(len(ids), pinned, histories)


def replay_whatif(
    found: ReplaySet,
    *,
    new: Rules,
    now: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> list[CaseOutcome]:
    """Every case of ``found`` replayed under ``new`` (``domain.whatif_batch``), its
    histories read as the replay goes. Read-only."""
    with _cyclic_gc_paused():
        return replay_batch(
            found.histories(), pinned=found.pinned, new=new, now=now, progress=progress
        )


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A replay allocates millions of small objects with no cycles among them (events,
    entries, outcomes): the cyclic collector's passes over everything alive cost about
    a third of it (docs/performance.md), and reference counting frees them the same."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _histories(chunk: list[int]) -> Iterator[ReplayCase]:
    """The histories of the cases ``chunk``, in its order: two statements, and only the
    columns and timeline kinds an SLA history is made of, read as plain values (a
    replay reads hundreds of thousands of rows; model instances would cost more than
    the replay itself)."""
    read = _read_postgresql if connection.vendor == "postgresql" else _read_orm
    timeline: dict[int, list[tuple[dt.datetime, events.Entry]]] = {pk: [] for pk in chunk}
    found = read(chunk, timeline)
    for pk in chunk:
        _, reference, received_at, version = found[pk]
        history = tuple(history_of(received_at, timeline[pk]))
        yield ReplayCase(reference, str(version), history)


_CaseRow = tuple[int, str, dt.datetime, int]


def _read_orm(
    chunk: list[int], timeline: dict[int, list[tuple[dt.datetime, events.Entry]]]
) -> dict[int, _CaseRow]:
    rows = (
        CaseEvent.objects.filter(case_id__in=chunk, kind__in=SLA_KINDS)
        .order_by("case_id", "at", "id")
        .values_list("case_id", "at", "kind", "data")
    )
    for case_id, at, kind, data in rows.iterator(chunk_size=BATCH * 8):
        timeline[case_id].append((at, events.read_stored(kind, data)))
    cases = Case.objects.filter(pk__in=chunk).values_list(
        "pk", "reference", "received_at", "policy_version_id"
    )
    return {row[0]: row for row in cases}


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: The data keys :func:`_read_postgresql` reads (numbers come as text: the entries'
#: ``from_data`` convert them).
_KEYS = ("severity", "from", "to", "comment", "public", "response")
#: The keys holding JSON booleans, which ``->>`` hands over as text.
_FLAGS = frozenset({"public", "response"})
_JSON_TRUE = "true"


def _read_postgresql(
    chunk: list[int], timeline: dict[int, list[tuple[dt.datetime, events.Entry]]]
) -> dict[int, _CaseRow]:
    """:func:`_read_orm` by hand on PostgreSQL: instants as epoch microseconds and only
    the data keys an SLA history reads, which the driver hands over without the
    per-value conversions Django applies (a fifteenth of the CPU per row;
    docs/performance.md)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "select case_id, (extract(epoch from at) * 1000000)::bigint, kind,"
            " data->>'severity', data->>'from', data->>'to', data->>'comment',"
            " data->>'public', data->>'response'"
            " from cases_caseevent where case_id = any(%s) and kind = any(%s)"
            " and (kind <> 'comment' or data->>'response' = 'true')"
            " order by case_id, at, id",
            [chunk, list(SLA_KINDS)],
        )
        for case_id, micros, kind, *values in cursor.fetchall():
            # Only the keys an SLA history reads (a comment that is no response: none).
            data: dict[str, object] = {
                k: (v == _JSON_TRUE if k in _FLAGS else v)
                for k, v in zip(_KEYS, values, strict=True)
                if v is not None
            }
            at = _EPOCH + dt.timedelta(microseconds=micros)
            timeline[case_id].append((at, events.read_stored(kind, data)))
        cursor.execute(
            "select id, reference, (extract(epoch from received_at) * 1000000)::bigint,"
            " policy_version_id from cases_case where id = any(%s)",
            [chunk],
        )
        return {
            pk: (pk, reference, _EPOCH + dt.timedelta(microseconds=micros), version)
            for pk, reference, micros, version in cursor.fetchall()
        }
