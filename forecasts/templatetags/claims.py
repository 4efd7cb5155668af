"""Template tags for claims: {% load claims %}.

`p_yes` is the one way a claim's p(YES) is shown in a table or card, so that a probability that came
from a statement about the NO side ("Putin will not yield": "will", about NO) is marked everywhere.
"""

from django import template
from django.utils.html import format_html

from forecasts.charts import format_percent
from forecasts.constants import ProbabilityOrigin, Side
from forecasts.hedges import probability_of_yes

register = template.Library()

_GIVEN_BY = {ProbabilityOrigin.STATED: "stated by the expert", ProbabilityOrigin.ANALYST: "read by an analyst"}


def no_side_explanation(probability, hedge, origin):
    """Words for a NO-side p(YES): 'from “maybe” about the NO side: 1 − 60 %'."""
    side = format_percent(probability_of_yes(probability, Side.NO))
    phrase = f"“{hedge}”" if hedge else "the statement"
    if origin == ProbabilityOrigin.HEDGE:
        return f"from {phrase} about the NO side: 1 − {side}"
    return f"{phrase} is about the NO side, {_GIVEN_BY.get(origin, 'given')} as {side}: 1 − {side}"


@register.simple_tag
def p_yes(claim):
    """A claim's p(YES) as a percentage, marked "↓NO" with its explanation when the statement was about the NO side.

    Reads `probability`, `predicts`, `hedge` and `probability_origin` of the claim (or a row with those names).
    """
    shown = format_percent(claim.probability)
    if claim.predicts != Side.NO:
        return shown
    explanation = no_side_explanation(claim.probability, claim.hedge, claim.probability_origin)
    return format_html(
        '<span class="p-yes-no-side" data-side="no">{}\u00a0'
        '<abbr class="side-mark" title="{}" aria-hidden="true">↓NO</abbr><span class="visually-hidden"> ({})</span></span>',
        shown, explanation, explanation,
    )
