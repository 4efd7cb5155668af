"""GIN indexes for the word search (sources.search) of experts and sources: PostgreSQL only.

Each index's expression is the search's match vector, an English to_tsvector over the searched
fields (sources.search.match_vector), built here by the same Django expression so that the SQL
is identical and the planner uses the index. On other databases this migration does nothing.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEXES = {
    "expert": ("expert_search", ("name", "affiliation", "bio")),
    "source": ("source_search", ("title", "publisher", "excerpt")),
}


def _indexes(apps):
    for model_name, (index_name, fields) in INDEXES.items():
        yield apps.get_model("sources", model_name), GinIndex(SearchVector(*fields, config="english"), name=index_name)


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in _indexes(apps):
            schema_editor.add_index(model, index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in _indexes(apps):
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [("sources", "0004_source_article_text")]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
