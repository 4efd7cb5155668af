"""Filters for the public pages: numbers as readers expect them."""

import math

from django import template

from forecasts.charts import format_percent

register = template.Library()


@register.filter
def percent(value):
    """A probability as a percentage, 0.675 → '67.5 %'; '—' for None."""
    if value is None or value == "":
        return "—"
    return format_percent(float(value))


@register.filter
def signed(value, decimals=1):
    """A score with its sign, 12.34 → '+12.3', −5 → '−5.0'; '—' for None."""
    if value is None or value == "":
        return "—"
    text = f"{float(value):+.{int(decimals)}f}"
    return text.replace("-", "\u2212")


@register.filter
def sqrt_percent(value):
    """The square root of a mean squared gap, as a percentage: 0.01 → '10 %'."""
    return format_percent(math.sqrt(float(value)))
