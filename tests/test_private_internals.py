"""Issue 15's rule for the package: the ORM through its public API only. No code under
``supportdesk/`` reaches into Django's private model internals; documented hooks
(``Model.from_db``, ``QuerySet.raw``, ``Model._meta``) are fine."""

from __future__ import annotations

import ast
from pathlib import Path

import supportdesk

#: Attributes that are Django's private model or queryset state.
PRIVATE = frozenset(
    {
        "_state",
        "_prefetched_objects_cache",
        "set_cached_value",
        "delete_cached_value",
        "_result_cache",
        "_known_related_objects",
    }
)


def offences(source: str) -> list[tuple[int, str]]:
    return sorted(
        (node.lineno, node.attr)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE
    )


def test_the_rule_sees_a_private_attribute_and_not_a_function_of_that_name() -> None:
    assert offences("obj._state.adding = False\nx = qs._result_cache") == [
        (1, "_state"),
        (2, "_result_cache"),
    ]
    assert offences("def _state(a):\n    return _state(a)") == []


def test_no_module_of_the_package_touches_djangos_private_model_internals() -> None:
    package = Path(supportdesk.__file__).parent
    found = [
        f"{path.relative_to(package)}:{line}: {attr}"
        for path in sorted(package.rglob("*.py"))
        if "migrations" not in path.parts
        for line, attr in offences(path.read_text(encoding="utf-8"))
    ]
    assert found == []
