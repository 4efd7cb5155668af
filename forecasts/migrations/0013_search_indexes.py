"""GIN indexes for the word search (sources.search) of questions and claims: PostgreSQL only.

Each index's expression is the search's match vector, an English to_tsvector over the searched
fields (sources.search.match_vector over forecasts.search's fields), built here by the same Django
expression so that the SQL is identical and the planner uses the index. On other databases this
migration does nothing.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEXES = {
    "question": ("question_search", ("title", "resolution_criteria")),
    "claim": ("claim_search", ("quote", "statement")),
}


def _indexes(apps):
    for model_name, (index_name, fields) in INDEXES.items():
        yield apps.get_model("forecasts", model_name), GinIndex(SearchVector(*fields, config="english"), name=index_name)


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in _indexes(apps):
            schema_editor.add_index(model, index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in _indexes(apps):
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [("forecasts", "0012_throttle_count")]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
