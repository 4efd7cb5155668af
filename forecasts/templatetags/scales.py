"""Template tags for hedge-scale sensitivity: {% load scales %}."""

from django import template

from forecasts import selectors_scales

register = template.Library()


@register.simple_tag
def experts_whose_rank_moves():
    """The ids of the experts whose rank moves by more than two places across the hedge scales (cached)."""
    return selectors_scales.experts_whose_rank_moves_cached()
