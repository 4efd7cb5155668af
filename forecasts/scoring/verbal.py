"""Verbal calibration: what an expert's hedge phrases turned out to mean (DESIGN.md, "Verbal calibration").

A hedge phrase is stated about one side of a question (`side`, a claim's `predicts`): "likely" about
the YES side, or "will" about the NO side ("Putin will not yield"). The scale gives the phrase a
probability that *that side* comes true, so a phrase is checked against how often its side came true:
the YES side when the question resolved YES, the NO side when it resolved NO.

For each phrase and side, over n scored claims of which `successes` saw their side come true:

    observed            = successes / n
    ci95                = Wilson 95 % interval of successes out of n (formulas.wilson_interval)
    implied_probability = (successes + k · scale_probability) / (n + k)

The implied probability is the observed rate shrunk toward what the scale says, as if k more claims
had come true exactly as often as the scale predicts: with few claims it stays near the scale, with
many it follows the record. A phrase the scale does not list has no prior: implied = observed.
"""

from dataclasses import dataclass

from forecasts.scoring.formulas import wilson_interval

__all__ = [
    "PhraseCalibration",
    "implied_probability",
    "phrase_calibration",
    "verbal_calibration",
]

SIDES = ("yes", "no")  # the order sides are listed in for one phrase


def implied_probability(successes, n, scale_probability, k):
    """(successes + k · scale_probability) / (n + k): the observed rate shrunk toward the scale's
    probability with weight k; the observed rate successes / n when scale_probability is None."""
    if n <= 0:
        raise ValueError("The implied probability needs at least one claim.")
    if scale_probability is None:
        return successes / n
    return (successes + k * scale_probability) / (n + k)


@dataclass(frozen=True)
class PhraseCalibration:
    """How one hedge phrase, stated about one side, performed: see the module docstring."""

    phrase: str
    side: str
    n: int
    successes: int
    scale_probability: float | None
    observed: float
    ci95: tuple
    implied_probability: float

    def as_dict(self):
        return {
            "phrase": self.phrase,
            "side": self.side,
            "n": self.n,
            "scale_probability": self.scale_probability,
            "observed": self.observed,
            "ci95": list(self.ci95),
            "implied_probability": self.implied_probability,
        }


def phrase_calibration(phrase, side, scale_probability, n, successes, k):
    """One phrase and side from its counts: n claims, `successes` of them whose side came true."""
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n.")
    return PhraseCalibration(
        phrase=phrase,
        side=side,
        n=n,
        successes=successes,
        scale_probability=scale_probability,
        observed=successes / n,
        ci95=wilson_interval(successes, n),
        implied_probability=implied_probability(successes, n, scale_probability, k),
    )


def _order_key(calibration):
    unlisted = calibration.scale_probability is None
    return (unlisted, calibration.scale_probability or 0.0, calibration.phrase, SIDES.index(calibration.side))


def verbal_calibration(groups, k):
    """PhraseCalibration per (phrase, side) from counted groups (phrase, side, scale_probability, n, successes).

    Groups with the same phrase and side are added together (the same phrase written several ways,
    once normalised). Ordered by scale probability (phrases the scale does not list last), phrase,
    then side (yes before no). Raises ValueError when one phrase is given two scale probabilities.
    """
    totals = {}
    for phrase, side, scale_probability, n, successes in groups:
        if side not in SIDES:
            raise ValueError(f"side must be one of {SIDES}, not {side!r}.")
        known = totals.get((phrase, side))
        if known is None:
            totals[(phrase, side)] = [scale_probability, n, successes]
            continue
        if known[0] != scale_probability:
            raise ValueError(f"{phrase!r} has two scale probabilities: {known[0]} and {scale_probability}.")
        known[1] += n
        known[2] += successes
    calibrations = [
        phrase_calibration(phrase, side, scale_probability, n, successes, k)
        for (phrase, side), (scale_probability, n, successes) in totals.items()
        if n > 0
    ]
    return sorted(calibrations, key=_order_key)

