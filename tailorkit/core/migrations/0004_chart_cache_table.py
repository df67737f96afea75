"""Create the cache table for drawn charts (settings.CACHES["charts"]), as 0002 did for the
default cache: createcachetable makes only the tables that are missing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_versions")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
