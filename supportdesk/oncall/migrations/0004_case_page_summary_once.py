"""A case's page said its case reference and severity in its summary as well
("SD-000014 Sev1: Bookings fail"), which the page carries beside it: every place that
shows the page said them twice. A case's page is now summarised by the case's title;
this gives the stored pages the same summary."""

from django.db import migrations


def summary_without_case_words(apps, schema_editor):
    Page = apps.get_model("oncall", "Page")
    changed = []
    for page in Page.objects.exclude(case=None).select_related("case").iterator():
        prefix = f"{page.case.reference} Sev{page.severity}: "
        if page.summary.startswith(prefix) and len(page.summary) > len(prefix):
            page.summary = page.summary[len(prefix) :]
            changed.append(page)
    Page.objects.bulk_update(changed, ["summary"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("oncall", "0003_console_acknowledgement"),
        ("cases", "0016_case_reference_generated"),
    ]

    operations = [
        migrations.RunPython(summary_without_case_words, migrations.RunPython.noop),
    ]
