"""Walking a parsed policy mapping while collecting problems with their key paths."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from supportdesk.domain.errors import Problem

T = TypeVar("T")


class Missing:
    pass


MISSING = Missing()


class Reader:
    """Walks the raw mapping, recording problems instead of raising on the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def get(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        kind: type[T] | tuple[type, ...],
        default: Any = MISSING,
    ) -> Any:
        where = f"{path}.{key}" if path else key
        if key not in data or data[key] is None:
            if default is MISSING:
                self.fail(where, "is required")
            return None if default is MISSING else default
        value = data[key]
        # bool is an int in Python; a YAML "yes" must not pass as a number.
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            self.fail(where, f"must be {_kind_name(kinds)}, not a boolean")
            return None
        if not isinstance(value, kinds):
            self.fail(where, f"must be {_kind_name(kinds)}, not {type(value).__name__}")
            return None
        return value

    def items(
        self, data: Mapping[str, Any], key: str, path: str, required: bool = True
    ) -> list[tuple[str, Any]]:
        """The entries of a list under ``key``, each with its own path."""
        raw = self.get(data, key, path, list, default=MISSING if required else [])
        where = f"{path}.{key}" if path else key
        return [(f"{where}[{i}]", item) for i, item in enumerate(raw or [])]

    def mapping(self, value: Any, path: str) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(path, f"must be a mapping, not {type(value).__name__}")
            return None
        return value

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"unknown key (expected one of: {', '.join(sorted(allowed))})")


def _kind_name(kinds: tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a mapping",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def check_level(r: Reader, path: str, level: int | None, levels: set[int]) -> None:
    if level is not None and levels and level not in levels:
        r.fail(path, f"unknown severity {level} (defined: {sorted(levels)})")


def hours_to_seconds(r: Reader, path: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        r.fail(path, "must be a positive number of hours")
        return 0
    return round(value * 3600)
