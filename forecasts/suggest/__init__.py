"""Claim suggestion engine: pure Python (no Django, no network), article text in, suggestions out.

    from forecasts.suggest import suggest_claims, KnownExpert, KnownQuestion
    suggest_claims(text, published=date(2019, 4, 19), hedges={"likely": 0.675, ...},
                   experts=[KnownExpert("Jane Doe", "jane-doe")], questions=[...])
"""

from forecasts.suggest.engine import suggest_claims
from forecasts.suggest.hedging import normalise_hedge
from forecasts.suggest.types import KnownExpert, KnownQuestion, QuestionMatch, Speaker, Suggestion

__all__ = ["KnownExpert", "KnownQuestion", "QuestionMatch", "Speaker", "Suggestion", "normalise_hedge", "suggest_claims"]
