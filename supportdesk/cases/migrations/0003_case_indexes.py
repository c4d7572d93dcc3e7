"""Fewer indexes on the case table (each is one more write per new case): none on
opened_by, policy_version or release (nothing lists cases by them), and the reference
unique through a plain unique index instead of a unique column, which on PostgreSQL also
built a LIKE index no query uses."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0002_drop_indexes_covered_by_composites"),
        ("policies", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="opened_by",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="policy_version",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="policies.policyversion",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="reference",
            field=models.CharField(max_length=20, null=True),
        ),
        migrations.AlterField(
            model_name="case",
            name="release",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="cases",
                to="cases.release",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(fields=("reference",), name="case_reference_key"),
        ),
    ]
