"""The heading vector a PostgreSQL search ranks by (reference and title, organisation).

Existing documents get theirs here in one statement, from the same fields as
``cases.search.index.heading_of`` (words split on non-word characters, as
``plain_words`` does); ``supportdesk search reindex`` rewrites every document exactly.
Only the ranking reads it: which cases match does not change.
"""

import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations

FILL = """
update cases_searchdocument d
set heading_vector =
    setweight(to_tsvector(%(cfg)s::regconfig,
        regexp_replace(coalesce(c.reference, '') || ' ' || c.id || ' ' || c.title,
                       '[\\W_]+', ' ', 'g')), 'A')
    || setweight(to_tsvector(%(cfg)s::regconfig,
        regexp_replace(o.name, '[\\W_]+', ' ', 'g')), 'B')
from cases_case c join accounts_organization o on o.id = c.organization_id
where c.id = d.case_id
"""


def fill_headings(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    language = str(settings.SEARCH_LANGUAGE)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FILL, {"cfg": language})


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_policy_repinned_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="heading_vector",
            field=django.contrib.postgres.search.SearchVectorField(null=True),
        ),
        migrations.RunPython(fill_headings, migrations.RunPython.noop),
    ]
