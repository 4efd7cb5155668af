"""Scoring math for binary forecasts, as defined in DESIGN.md ("Scores") and docs/scores.md.

Pure functions: no Django, no database. `formulas` holds the per-question scores and their
aggregates; the other modules build on it. Everything public is importable from here.
"""

from forecasts.scoring.formulas import *  # noqa: F401,F403
from forecasts.scoring.sensitivity import *  # noqa: F401,F403
