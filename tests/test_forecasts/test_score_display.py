"""Better or worse than the reference (chance, the others, the panel), marked in words and signs, not colour alone."""

import math

import pytest

from forecasts import score_display
from forecasts.scoring import registry


@pytest.mark.parametrize("name, value, expected", [
    ("brier", 0.058, ("✓", "better than chance")),  # below 0.25, always saying 50 %
    ("brier", 0.36, ("✗", "worse than chance")),
    ("brier", 0.25, (None, None)),  # exactly chance: neither
    ("brier_skill", 0.77, ("✓", "better than chance")),  # 1 − Brier / 0.25 > 0
    ("baseline_score", -12.0, ("✗", "worse than chance")),
    ("log_score", -0.248, ("✓", "better than chance")),  # ln 0.5 = −0.693 is chance
    ("log_score", -1.2, ("✗", "worse than chance")),
    ("log_score", math.log(0.5), (None, None)),
    ("peer_score", -6.7, ("✗", "worse than the others")),
    ("relative_brier", -0.025, ("✓", "better than the panel")),  # lower is better
    ("relative_brier", 0.011, ("✗", "worse than the panel")),
    ("peer_score", None, (None, None)),
])
def test_verdict_marks_each_score_against_its_reference(name, value, expected):
    assert score_display.verdict_text(registry.get(name), value) == expected


def test_every_secondary_score_has_a_reference_value():
    assert {score.name for score in score_display.SECONDARY_SCORES} <= set(score_display.REFERENCE_VALUES)
