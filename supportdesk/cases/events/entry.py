"""The base of every timeline entry: what one row says, without who and when."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from supportdesk.cases.models import EventKind


@dataclass(frozen=True, slots=True)
class Entry:
    """What one timeline row says (its ``data``), without who and when."""

    kind: ClassVar[EventKind]
    #: Whether customers see the row (internal by kind, or by the entry's own flag).
    public: ClassVar[bool] = True

    @property
    def visible(self) -> bool:
        return self.public

    @property
    def responds(self) -> bool:
        """Whether the entry is a response to the customer (RSP-6: the first one meets
        the first-response target, later ones count as updates)."""
        return False

    def to_data(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Entry:
        raise NotImplementedError
