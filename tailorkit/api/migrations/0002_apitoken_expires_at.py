"""Every API token expires. Tokens made before expiry existed get the default lifetime, counted
from when they were made (so a token older than that stops working at once). The column becomes
required in 0003, in a transaction of its own: PostgreSQL can refuse to alter a table with trigger
events pending from updates in the same transaction."""

from datetime import timedelta

from django.db import migrations, models

DEFAULT_LIFETIME = timedelta(days=90)


def give_existing_tokens_an_expiry(apps, schema_editor):
    for model_name in ("ApiToken", "HistoricalApiToken"):
        model = apps.get_model("api", model_name)
        for row in model.objects.filter(expires_at__isnull=True).only("pk", "created_at").iterator():
            model.objects.filter(pk=row.pk).update(expires_at=row.created_at + DEFAULT_LIFETIME)


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.AddField(
            model_name="historicalapitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop),
    ]
