"""A case's reference is computed by the database from its key as the row goes in: one
INSERT per new case on both engines, the same references as before the migration that
made it so, and new ones continuing after them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from supportdesk.cases.models import Case
from supportdesk.cases.selectors import access_case_by_reference
from tests.cases.conftest import NOW, open_sev

BEFORE = [("cases", "0015_planning_stamp")]
AFTER = [("cases", "0016_case_reference_generated")]


@pytest.mark.django_db
def test_a_new_case_is_one_insert_that_returns_its_reference(
    customer: Any, organisation: Any
) -> None:
    open_sev(customer, organisation, severity=3, now=NOW)  # warm caches
    with CaptureQueriesContext(connection) as queries:
        case = open_sev(customer, organisation, severity=3, now=NOW)
    touching = [q["sql"] for q in queries if '"cases_case"' in q["sql"] or "nextval" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith('INSERT INTO "cases_case"'), touching
    assert case.reference == f"SD-{case.pk:06d}"
    assert Case.objects.get(reference=case.reference).pk == case.pk


def test_an_unsaved_case_has_no_reference_but_shows_itself() -> None:
    case = Case(title="Rates will not save")
    with pytest.raises(AttributeError):
        _ = case.reference
    assert str(case) == "(new) Rates will not save"


@pytest.mark.django_db
def test_a_key_past_six_digits_keeps_every_digit(customer: Any, organisation: Any) -> None:
    """As Python's ``f"SD-{pk:06d}"``: PostgreSQL's ``lpad`` alone would cut it."""
    case = open_sev(customer, organisation, severity=3, now=NOW)
    case.pk, case._state.adding = 1234567, True
    case.save(force_insert=True)
    assert case.reference == "SD-1234567"
    assert access_case_by_reference(customer, "SD-1234567").pk == 1234567


def _migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate the cases app to ``targets``; the models of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _migrate_to_latest() -> None:
    """Through the migration under test to the newest, which the code runs against."""
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("cases"))


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_references_and_new_ones_follow(
    customer: Any, organisation: Any
) -> None:
    opened = [open_sev(customer, organisation, severity=3, now=NOW) for _ in range(3)]
    try:
        old = _migrate(BEFORE).get_model("cases", "Case")
        # Reversed, the plain column holds the same references again.
        assert dict(old.objects.values_list("pk", "reference")) == {
            c.pk: c.reference for c in opened
        }
        # A case made without open_case had none: it gets its own.
        old.objects.filter(pk=opened[0].pk).update(reference=None)
        _migrate(AFTER)
        assert dict(Case.objects.values_list("pk", "reference")) == {
            c.pk: f"SD-{c.pk:06d}" for c in opened
        }
        _migrate_to_latest()
        new = open_sev(customer, organisation, severity=3, now=NOW)
        assert new.pk > max(c.pk for c in opened)
        assert new.reference == f"SD-{new.pk:06d}"
        assert Case.objects.get(reference=new.reference).pk == new.pk
    finally:
        _migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_the_migration_refuses_a_reference_it_could_not_keep(
    customer: Any, organisation: Any
) -> None:
    case = open_sev(customer, organisation, severity=3, now=NOW)
    old = _migrate(BEFORE).get_model("cases", "Case")
    try:
        old.objects.filter(pk=case.pk).update(reference="SD-EDITED")
        with pytest.raises(RuntimeError, match=f"case {case.pk}: 'SD-EDITED'"):
            _migrate(AFTER)
        # Nothing changed: the plain column still holds it.
        assert old.objects.get(pk=case.pk).reference == "SD-EDITED"
    finally:
        old.objects.filter(pk=case.pk).update(reference=f"SD-{case.pk:06d}")
        _migrate_to_latest()
