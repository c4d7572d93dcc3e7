"""Search snippets from the text below a case's heading lines (reference, title,
organisation, requester), which the result row shows already: a match only in the title
showed those lines glued together as its snippet.

``body_start`` says where that text starts in a document's texts; on SQLite the FTS5
tables get two columns, the heading lines and the body, and a snippet is taken from the
body. Existing documents are copied across whole into the body (``body_start`` 0), so
they match and show snippets as before until ``supportdesk search --reindex`` rewrites
them; which cases match does not change either way.
"""

from django.conf import settings
from django.db import migrations, models

FTS_TABLES = {"cases_search_public": "public_text", "cases_search_staff": "staff_text"}
TOKENIZERS = {
    "english": "porter unicode61 remove_diacritics 2",
    "simple": "unicode61 remove_diacritics 2",
}


def _recreate(schema_editor, columns: str, values: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    tokenizer = TOKENIZERS[settings.SEARCH_LANGUAGE]
    with schema_editor.connection.cursor() as cursor:
        for table, text in FTS_TABLES.items():
            cursor.execute(f"drop table if exists {table}")
            cursor.execute(
                f"create virtual table {table} using fts5({columns}, tokenize = '{tokenizer}')"
            )
            cursor.execute(
                f"insert into {table} (rowid, {columns})"
                f" select case_id, {values.format(text=text)} from cases_searchdocument"
            )


def split_fts_tables(apps, schema_editor):
    _recreate(schema_editor, "heading, body", "'', {text}")


def join_fts_tables(apps, schema_editor):
    _recreate(schema_editor, "body", "{text}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_case_reference_generated"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="body_start",
            field=models.PositiveIntegerField(default=0, verbose_name="body start"),
        ),
        migrations.RunPython(split_fts_tables, join_fts_tables),
    ]
