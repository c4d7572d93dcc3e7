"""Cheaper search reads (docs/performance.md, "Search at 1,000,000 cases, bounded").

- ``case_org_id_idx``: a customer's newest cases by id, read from the index alone (the
  window's floor is the organisation's 1,000th newest case; it walked 6,000 wide case
  rows a page).
- PostgreSQL: the search document keeps its vectors in the row (``STORAGE MAIN``,
  ``toast_tuple_target`` 2600) and its texts out of it: a search tests a document's
  vector, and out of line that cost three index and heap pages of the TOAST table per
  document; the texts are read only for the 25 snippets of a page. Rows written before
  keep their layout until rewritten (``supportdesk search --reindex``); matches do not
  change either way.
"""

from django.conf import settings
from django.db import migrations, models

STORAGE = """
alter table cases_searchdocument set (toast_tuple_target = 2600);
alter table cases_searchdocument alter column public_vector set storage main,
  alter column staff_vector set storage main, alter column heading_vector set storage main
"""
DEFAULT = """
alter table cases_searchdocument reset (toast_tuple_target);
alter table cases_searchdocument alter column public_vector set storage extended,
  alter column staff_vector set storage extended, alter column heading_vector set storage extended
"""


def vectors_in_row(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STORAGE)


def vectors_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DEFAULT)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_login_failures"),
        ("cases", "0012_search_heading_vector"),
        ("policies", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["organization", "id"], name="case_org_id_idx"),
        ),
        migrations.RunPython(vectors_in_row, vectors_default),
    ]
