"""Error messages quote what was sent, cut to a readable length."""

import pytest
from rest_framework.test import APIClient

from sources.echo import ECHO_LIMIT, echoed
from tests.test_sources.factories import ExpertFactory


def test_a_short_value_is_quoted_whole():
    assert echoed("kim-jong-un") == "'kim-jong-un'"
    assert echoed(42) == "'42'"


def test_a_long_value_is_cut_and_marked():
    assert echoed("x" * 5000) == repr("x" * ECHO_LIMIT) + "…"
    assert echoed("y" * ECHO_LIMIT) == repr("y" * ECHO_LIMIT)  # exactly at the limit: whole


@pytest.mark.django_db
def test_an_unknown_scale_of_five_thousand_characters_is_named_but_not_repeated_in_the_400():
    ExpertFactory(slug="lukin")
    response = APIClient().get("/api/experts/lukin/scores/", {"scale": "x" * 5000})
    assert response.status_code == 400
    [message] = response.json()["scale"]
    assert message == f"No hedge scale {repr('x' * ECHO_LIMIT)}…; see /api/scales/."
