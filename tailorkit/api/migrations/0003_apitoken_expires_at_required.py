"""Every API token has an expiry (0002 filled in the existing ones)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0002_apitoken_expires_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
        migrations.AlterField(
            model_name="historicalapitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
