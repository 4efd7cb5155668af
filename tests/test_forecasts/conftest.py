"""Fixtures shared by the forecasts tests."""

import pytest

from tests.test_forecasts.factories import default_scale


@pytest.fixture
def scale():
    """The default hedge scale with the two phrases most tests use."""
    return default_scale(likely=0.675, doubt=0.25)
