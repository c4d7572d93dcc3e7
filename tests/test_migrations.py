"""A fresh database is migrated by the squashed migrations, not by the chains they
replace (those took 15 s of CPU a migrate, most of it re-rendering model states for the
cosmetic AlterFields of the *_translated_names migrations; docs/performance.md)."""

from __future__ import annotations

from django.db.migrations.loader import MigrationLoader

OURS = (
    "accounts",
    "policies",
    "cases",
    "escalations",
    "notifications",
    "oncall",
    "intake",
    "knowledge",
    "answers",
    "satisfaction",
)


def test_a_fresh_database_is_migrated_by_the_squashed_migrations() -> None:
    # Without a connection nothing is applied: the loader plans as for an empty database.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan = {key for leaf in loader.graph.leaf_nodes() for key in loader.graph.forwards_plan(leaf)}
    replaced = {key for squash in loader.replacements.values() for key in squash.replaces}
    for app in OURS:
        squashes = {key for key in loader.replacements if key[0] == app}
        assert squashes, f"{app} has no squashed migration"
        assert squashes <= plan, app
        assert not {key for key in plan if key[0] == app} & replaced, app
