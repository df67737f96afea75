"""Every API token expires. Tokens made before expiry existed get the default lifetime counted from
the upgrade, not from when they were made: an upgrade must not stop working scripts without
warning, and their owners see the date on the tokens page in time to replace them. The column becomes
required in 0003, in a transaction of its own: PostgreSQL can refuse to alter a table with trigger
events pending from updates in the same transaction."""

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone

DEFAULT_LIFETIME = timedelta(days=90)


def give_existing_tokens_an_expiry(apps, schema_editor):
    expires_at = timezone.now() + DEFAULT_LIFETIME
    for model_name in ("ApiToken", "HistoricalApiToken"):
        apps.get_model("api", model_name).objects.filter(expires_at__isnull=True).update(expires_at=expires_at)


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
