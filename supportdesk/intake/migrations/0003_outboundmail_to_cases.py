"""``OutboundMail`` belongs to ``cases`` now (case mail is composed there): the model
leaves intake's state here and the table is taken over, rows kept, by
``cases.0004_outboundmail_from_intake``. A message's case gets the reverse name
``received_mail`` (no change in the database)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_escalation_state"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutboundMail")],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name="inboundmessage",
            name="case",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="received_mail",
                to="cases.case",
            ),
        ),
    ]
