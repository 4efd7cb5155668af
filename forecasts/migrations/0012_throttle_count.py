"""The throttle counters' table (forecasts.throttling); on PostgreSQL it and the cache table are UNLOGGED.

Counters and cached answers are rebuilt as requests come: losing them in a crash is harmless, and a
transaction that writes only unlogged tables commits without waiting for the WAL to reach the disk —
the difference between a throttle count that costs a fraction of a millisecond and one that costs a flush.
"""

from django.db import migrations, models

UNLOGGED_TABLES = ("hindsight_throttle", "hindsight_cache")


def set_unlogged(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    for table in UNLOGGED_TABLES:
        if table in existing:  # no cache table when REDIS_URL was set at migration time
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} SET UNLOGGED")


def set_logged(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    for table in UNLOGGED_TABLES:
        if table in existing:
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} SET LOGGED")


class Migration(migrations.Migration):

    dependencies = [
        ("forecasts", "0011_question_score_derived_no_constraints"),
    ]

    operations = [
        migrations.CreateModel(
            name="ThrottleCount",
            fields=[
                ("client_key", models.CharField(max_length=250, primary_key=True, serialize=False)),
                ("window_end", models.BigIntegerField(db_index=True, help_text="Unix time the window ends.")),
                ("hits", models.PositiveIntegerField()),
            ],
            options={
                "db_table": "hindsight_throttle",
            },
        ),
        migrations.RunPython(set_unlogged, set_logged),
    ]
