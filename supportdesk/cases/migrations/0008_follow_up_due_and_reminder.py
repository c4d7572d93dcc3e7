from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_merge_followers_and_handover"),
    ]

    operations = [
        migrations.AddField(
            model_name="followuptask",
            name="due_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="followuptask",
            name="reminded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
