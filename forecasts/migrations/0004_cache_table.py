"""Create the table of the shared database cache (settings.CACHES), as `createcachetable` does."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("forecasts", "0003_score_table_indexes")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
