"""Counting the queries a page or endpoint runs, for the fixed-query-count tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(client, url):
    """The SQL of every query one GET of url runs (the answer must be a 200)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return [query["sql"] for query in captured.captured_queries]
