"""Create the cache table for the PDFs of project summaries (settings.CACHES["pdfs"]), as core's 0002
and 0004 did for theirs: createcachetable makes only the tables that are missing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_history_object_date_index")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
