"""Building the calendars of a policy: unions resolved from their members."""

from __future__ import annotations

from collections.abc import Mapping

from .engine import BusinessCalendar
from .errors import CalendarSpecError
from .spec import CalendarSpec


def build_calendar(spec: CalendarSpec) -> BusinessCalendar:
    """A calendar from a spec that is not a union (``union_of`` empty)."""
    if spec.union_of:
        raise CalendarSpecError(
            f"calendars.{spec.name}.union_of", "a union calendar needs build_calendars"
        )
    return BusinessCalendar(spec)


def build_calendars(specs: Mapping[str, CalendarSpec]) -> dict[str, BusinessCalendar]:
    """Every calendar of a policy, keyed like ``specs``; unions built from their members.

    Raises :class:`CalendarSpecError` for a union naming an unknown calendar or
    forming a cycle, and for any spec the engine cannot build.
    """
    built: dict[str, BusinessCalendar] = {}
    visiting: list[str] = []

    def build(key: str) -> BusinessCalendar:
        if key in built:
            return built[key]
        if key in visiting:
            cycle = " -> ".join((*visiting[visiting.index(key) :], key))
            raise CalendarSpecError(f"calendars.{key}.union_of", f"unions form a cycle: {cycle}")
        spec = specs[key]
        visiting.append(key)
        members = []
        for member in spec.union_of:
            if member not in specs:
                raise CalendarSpecError(f"calendars.{key}.union_of", f"unknown calendar {member!r}")
            members.append(build(member))
        visiting.pop()
        built[key] = BusinessCalendar(spec, members=members)
        return built[key]

    for key in specs:
        build(key)
    return built
