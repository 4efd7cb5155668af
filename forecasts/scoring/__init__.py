"""Scoring math for binary forecasts, as defined in DESIGN.md ("Scores") and docs/scores.md.

Pure functions: no Django, no database. `formulas` holds the per-question scores and their
aggregates; the other modules build on it. Everything public is importable from here.
"""

from forecasts.scoring.formulas import *  # noqa: F401,F403
from forecasts.scoring.results import ExpertSummary, QuestionResult, score_question, summarize_expert  # noqa: F401
from forecasts.scoring import registry  # noqa: F401
from forecasts.scoring.panel import *  # noqa: F401,F403
from forecasts.scoring.verbal import *  # noqa: F401,F403
from forecasts.scoring.sensitivity import *  # noqa: F401,F403
