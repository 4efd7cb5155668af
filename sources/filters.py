"""Filter backends of the API's lists shared by both apps."""

from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from sources import search


class SearchFilter(BaseFilterBackend):
    """`?search=`: the rows matching the words (sources.search), best first on PostgreSQL.

    The view names what is searched in `search_fields`, (field, weight) pairs. A refused text (a
    null character, over search.MAX_LENGTH characters) is a 400 naming `search`.
    """

    search_param = "search"

    def filter_queryset(self, request, queryset, view):
        text = request.query_params.get(self.search_param, "")
        errors = search.validate(text)
        if errors:
            raise ValidationError({self.search_param: errors})
        if not text.strip():
            return queryset
        return search.search(queryset, view.search_fields, text)

    def get_schema_operation_parameters(self, view):
        fields = ", ".join(name.replace("_", " ") for name, _ in view.search_fields)
        return [{
            "name": self.search_param,
            "required": False,
            "in": "query",
            "description": (
                f"Words to find in {fields}. On PostgreSQL: full-text search (English stemming; "
                '"a phrase", `or`, `-word`), results best first, a word in the first field ranking highest. '
                "On SQLite: every word must appear in one of the fields (ignoring case), in the list's usual order."
            ),
            "schema": {"type": "string", "maxLength": search.MAX_LENGTH},
        }]
