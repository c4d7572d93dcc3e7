"""``OutboundMail`` moves here from intake (case mail is composed by ``cases.notices``):
the model enters this app's state over the existing table, which is then renamed;
its rows, indexes and constraints are kept."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_indexes"),
        ("intake", "0003_outboundmail_to_cases"),
        ("notifications", "0001_outbox_channels_attempts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboundMail",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("message_id", models.CharField(max_length=255, unique=True)),
                        ("in_reply_to", models.CharField(blank=True, max_length=255)),
                        ("references", models.TextField(blank=True)),
                        (
                            "auto_submitted",
                            models.CharField(default="auto-generated", max_length=20),
                        ),
                        ("html", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField()),
                        (
                            "case",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="cases.case",
                            ),
                        ),
                        (
                            "outbox",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="mail_envelope",
                                to="notifications.outboxmessage",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["created_at", "id"],
                        "indexes": [
                            models.Index(fields=["case", "created_at"], name="outbound_case_idx")
                        ],
                        "db_table": "intake_outboundmail",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="outboundmail", table=None),
    ]
