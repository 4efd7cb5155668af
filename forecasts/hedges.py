"""Hedge phrases: how a phrase is normalised, and the probability the default scale gives it.

Every path that reads a hedge phrase (the admin, the API, imports, the seed loader, the hedge-scale
admin) goes through these two functions, so "I doubt", " Doubt. " and "I DOUBT!" all mean "doubt".
"""

import re

from django.core.exceptions import ValidationError

from forecasts.constants import Side
from forecasts.models import HedgePhrase

_WHITESPACE = re.compile(r"\s+")
_FIRST_PERSON = re.compile(r"^i\s+")
_TRAILING_PUNCTUATION = re.compile(r"[\s.,;:!?…]+$")


def normalise_hedge(text):
    """A hedge phrase as stored and matched: lower case, single spaces, without a leading
    first-person "I " and without trailing punctuation ("I DOUBT!" -> "doubt")."""
    phrase = _WHITESPACE.sub(" ", text or "").strip().lower()
    phrase = _TRAILING_PUNCTUATION.sub("", phrase)
    return _FIRST_PERSON.sub("", phrase)


def scale_probability(hedge):
    """The default scale's probability for a hedge phrase, or None when the phrase is not in it."""
    phrase = normalise_hedge(hedge)
    if not phrase:
        return None
    return (
        HedgePhrase.objects.filter(scale__is_default=True, phrase=phrase)
        .values_list("probability", flat=True)
        .first()
    )


def scale_lookup():
    """A function hedge phrase -> default-scale probability (None when not on the scale) that reads the
    scale once: scale_probability() for many claims at a time (imports)."""
    scale = dict(HedgePhrase.objects.filter(scale__is_default=True).values_list("phrase", "probability"))
    return lambda hedge: scale.get(normalise_hedge(hedge))


def probability_of_yes(value, predicts):
    """p(YES) for a phrase of probability `value` about the `predicts` side (1 − value for the NO side)."""
    return value if predicts == Side.YES else round(1.0 - value, 10)


def derive_probability(hedge, predicts=Side.YES, lookup=scale_probability):
    """p(YES) from a hedge phrase and the side it is about (1 − p for predicts = no).

    Raises ValidationError on `hedge` when the phrase is not in the default scale, and on
    `probability` when there is no phrase to derive it from. `lookup` is scale_probability or a
    scale_lookup() read once for many claims.
    """
    value = lookup(hedge)
    if value is None:
        if normalise_hedge(hedge):
            raise ValidationError({"hedge": [
                f"{hedge.strip()!r} is not a phrase of the default hedge scale; use one of its phrases "
                "or give a probability."
            ]})
        raise ValidationError({"probability": [
            "Give a probability, or a hedge phrase from the hedge scale to derive it from."
        ]})
    return probability_of_yes(value, predicts)
