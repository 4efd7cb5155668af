"""The calibration chart and the Brier interval bar as pure geometry, plus their reading in words.

No Django: calibration bins (forecasts.scoring.CalibrationBin) in, frozen dataclasses out. Every
coordinate is in SVG user units of the chart's viewBox, with y growing downwards; probabilities
and frequencies are floats in [0, 1]. The markup lives in templates/forecasts/_calibration_chart.svg,
which needs nothing but the CalibrationChart built here.
"""

import math
from dataclasses import dataclass

from forecasts.scoring import Z_95, CalibrationBin, wilson_interval

CHART_SIZE = 400
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 74, 26, 20, 56
MIN_RADIUS, MAX_RADIUS = 4.0, 16.0
WHISKER_CAP = 4.0  # half-width of the caps at the ends of a whisker
TICK_LABEL_GAP = 8.0
TICK_VALUES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def format_percent(value):
    """0.675 → '67.5 %', 0.4 → '40 %' (at most one decimal, no-break space before the sign)."""
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text}\u00a0%"


@dataclass(frozen=True)
class Tick:
    value: float
    position: float
    label: str


@dataclass(frozen=True)
class ChartPoint:
    """One non-empty bin: its data, and where and how big it is drawn."""

    bin_low: float
    bin_high: float
    n: int
    mean_forecast: float
    observed: float
    ci_low: float
    ci_high: float
    x: float
    y: float
    radius: float
    whisker_top: float
    whisker_bottom: float

    @property
    def cap_left(self):
        return round(self.x - WHISKER_CAP, 2)

    @property
    def cap_right(self):
        return round(self.x + WHISKER_CAP, 2)

    @property
    def label(self):
        claims = "claim" if self.n == 1 else "claims"
        return (
            f"Forecasts of {format_percent(self.bin_low)} to {format_percent(self.bin_high)}: "
            f"{self.n} {claims}, mean forecast {format_percent(self.mean_forecast)}, "
            f"happened {format_percent(self.observed)} of the time "
            f"(95 % interval {format_percent(self.ci_low)} to {format_percent(self.ci_high)})"
        )


@dataclass(frozen=True)
class CalibrationChart:
    """Everything the SVG template draws; `dom_id` prefixes the ids of its title and description."""

    dom_id: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: tuple
    y_ticks: tuple
    points: tuple

    @property
    def title(self):
        return "Calibration: how often forecasts came true, by forecast probability"

    @property
    def description(self):
        if not self.points:
            return "No scored forecasts yet."
        return (
            "Forecast probability on the horizontal axis, observed frequency on the vertical axis; "
            "points on the diagonal are perfectly calibrated. "
            + "; ".join(point.label for point in self.points)
            + "."
        )

    @property
    def x_tick_label_y(self):
        return self.bottom + TICK_LABEL_GAP + 18  # below a full-size point sitting on the axis

    @property
    def y_tick_label_x(self):
        return self.left - TICK_LABEL_GAP

    @property
    def x_axis_label_x(self):
        return (self.left + self.right) / 2

    @property
    def x_axis_label_y(self):
        return self.height - TICK_LABEL_GAP

    @property
    def y_axis_label_x(self):
        return 14.0

    @property
    def y_axis_label_y(self):
        return (self.top + self.bottom) / 2


def _x_position(value, left, right):
    return round(left + value * (right - left), 2)


def _y_position(value, top, bottom):
    return round(bottom - value * (bottom - top), 2)


def bin_radius(n, largest_n):
    """Radius of a bin's point: its area is proportional to n (the largest bin gets MAX_RADIUS).

    Never below MIN_RADIUS, so a one-claim bin stays visible beside a thousand-claim one.
    """
    return round(max(MIN_RADIUS, MAX_RADIUS * math.sqrt(n / largest_n)), 2)


def calibration_chart(bins, *, dom_id="calibration", size=CHART_SIZE):
    """Geometry of a calibration chart (square, `size` units wide) for the given non-empty bins.

    `bins` are CalibrationBin objects or their stored form (dicts, as in ExpertScore.calibration).
    Each point sits at (mean forecast, observed frequency) with a vertical whisker over the bin's
    95 % Wilson interval; the diagonal from (0, 0) to (1, 1) is perfect calibration.
    """
    bins = bins_from_dicts(bins)
    left, right = float(MARGIN_LEFT), float(size - MARGIN_RIGHT)
    top, bottom = float(MARGIN_TOP), float(size - MARGIN_BOTTOM)
    largest_n = max((bin_.n for bin_ in bins), default=1)
    points = tuple(
        ChartPoint(
            bin_low=bin_.bin_low,
            bin_high=bin_.bin_high,
            n=bin_.n,
            mean_forecast=bin_.mean_forecast,
            observed=bin_.observed,
            ci_low=bin_.ci95[0],
            ci_high=bin_.ci95[1],
            x=_x_position(bin_.mean_forecast, left, right),
            y=_y_position(bin_.observed, top, bottom),
            radius=bin_radius(bin_.n, largest_n),
            whisker_top=_y_position(bin_.ci95[1], top, bottom),
            whisker_bottom=_y_position(bin_.ci95[0], top, bottom),
        )
        for bin_ in bins
    )
    return CalibrationChart(
        dom_id=dom_id,
        width=size,
        height=size,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        x_ticks=tuple(Tick(value, _x_position(value, left, right), format_percent(value)) for value in TICK_VALUES),
        y_ticks=tuple(Tick(value, _y_position(value, top, bottom), format_percent(value)) for value in TICK_VALUES),
        points=points,
    )


def bins_from_dicts(rows):
    """CalibrationBin objects from their stored form (ExpertScore.calibration, the API's `calibration`).

    CalibrationBin objects pass through unchanged.
    """
    return [
        row if isinstance(row, CalibrationBin) else CalibrationBin(
            bin_low=row["bin_low"],
            bin_high=row["bin_high"],
            n=row["n"],
            mean_forecast=row["mean_forecast"],
            observed=row["observed"],
            ci95=tuple(row["ci95"]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class IntervalBar:
    """A mean Brier score and its 95 % interval on a 0-to-1 strip `width` units wide."""

    width: int
    low_x: float
    high_x: float
    value_x: float
    chance_x: float

    @property
    def span_width(self):
        return round(self.high_x - self.low_x, 2)


def interval_bar(value, low, high, *, width=100, chance=0.25):
    """Positions on a strip from Brier 0 (left) to 1 (right), with a mark at chance (0.25)."""

    def position(score):
        return round(min(max(score, 0.0), 1.0) * width, 2)

    return IntervalBar(width, position(low), position(high), position(value), position(chance))


# Thresholds for reading the Murphy decomposition in words.
WELL_CALIBRATED_RELIABILITY = 0.01  # forecasts within about 10 points of the observed frequency
CONSISTENT_DIRECTION = 0.05  # mean confidence and hit rate at least 5 points apart
DISCRIMINATES_WELL_SHARE = 0.5  # resolution at least half of the uncertainty
DISCRIMINATES_SOMEWHAT_SHARE = 0.2
TOO_FEW = "too few questions to say"


def fewest_questions_for(half_width, z=Z_95):
    """The fewest questions whose 95 % Wilson interval of a frequency is at most ±half_width wherever it falls.

    The interval is widest at a frequency of 50 %, so that is where it is measured.
    """
    n = 1
    while True:
        low, high = wilson_interval(n / 2, n, z)
        if (high - low) / 2 <= half_width:
            return n
        n += 1


# Readings in words are given only from this many scored questions (93). The calibration reading
# compares how sure the forecasts were with how often their side happened, and that frequency is
# known only within its 95 % Wilson interval. The finest line the reading draws is "well
# calibrated": within about 10 points (the square root of WELL_CALIBRATED_RELIABILITY). Until the
# interval is no wider than ±10 points even at its widest (a 50 % frequency), the data cannot tell
# "well calibrated" from "off by 10 points", so no word is better than a wrong one. The
# discrimination reading compares groups of forecasts, each smaller than the whole record, so
# this minimum is a floor for it, not a guarantee.
READING_MIN_SCORED = fewest_questions_for(math.sqrt(WELL_CALIBRATED_RELIABILITY))


@dataclass(frozen=True)
class DecompositionReading:
    calibration: str  # "well calibrated", "overconfident", "underconfident" or "miscalibrated"
    calibration_detail: str
    discrimination: str  # "discriminates well", "discriminates somewhat", "barely discriminates" or "not judged"
    discrimination_detail: str
    mean_forecast: float
    base_rate: float
    given: bool  # False below the minimum number of scored questions: the words are then TOO_FEW


def confidence_and_hit_rate(bins):
    """Mean confidence in the side each forecast leaned to, and how often that side happened.

    Over the bins: a bin with mean forecast f and observed frequency o leans YES with confidence f
    (hit rate o) when f > 0.5, and NO with confidence 1 − f (hit rate 1 − o) when f < 0.5; bins
    of exact 50 % forecasts lean nowhere and are left out. None when no bin leans.
    """
    leaning = [bin_ for bin_ in bins if bin_.mean_forecast != 0.5]
    total = sum(bin_.n for bin_ in leaning)
    if not total:
        return None
    confidence = sum(bin_.n * max(bin_.mean_forecast, 1 - bin_.mean_forecast) for bin_ in leaning) / total
    hits = sum(bin_.n * (bin_.observed if bin_.mean_forecast > 0.5 else 1 - bin_.observed) for bin_ in leaning)
    return confidence, hits / total


def read_decomposition(*, reliability, resolution, uncertainty, bins, scored, min_scored=READING_MIN_SCORED):
    """The Murphy decomposition in words, from its three terms and the calibration bins.

    Below `min_scored` scored questions (READING_MIN_SCORED unless told) no word is given: both
    readings are TOO_FEW, with the number of questions in the details, and `given` is False. The
    mean forecast and the base rate are facts, not readings, and are always reported.

    Calibration: "well calibrated" when reliability (the mean squared gap between forecast and
    observed frequency) is at most WELL_CALIBRATED_RELIABILITY, i.e. forecasts were within about
    10 points of how often things happened. Otherwise the direction comes from the mean forecast
    against the hit rate (see confidence_and_hit_rate): "overconfident" when the forecasts were
    surer of their side than that side turned out to be, by at least CONSISTENT_DIRECTION,
    "underconfident" when less sure by as much, else "miscalibrated".

    Discrimination: resolution as a share of uncertainty (the variance of the outcomes), i.e. how
    much of the outcomes' spread the forecasts sort out: "discriminates well" from
    DISCRIMINATES_WELL_SHARE, "discriminates somewhat" from DISCRIMINATES_SOMEWHAT_SHARE, else
    "barely discriminates"; "not judged" when every question resolved the same way.
    """
    bins = bins_from_dicts(bins)
    total = sum(bin_.n for bin_ in bins)
    mean_forecast = sum(bin_.n * bin_.mean_forecast for bin_ in bins) / total
    base_rate = sum(bin_.n * bin_.observed for bin_ in bins) / total
    if scored < min_scored:
        detail = (
            f"Only {scored} scored question{'' if scored == 1 else 's'}; a reading needs at least {min_scored}, "
            "or the words could be noise."
        )
        return DecompositionReading(
            calibration=TOO_FEW, calibration_detail=detail, discrimination=TOO_FEW, discrimination_detail=detail,
            mean_forecast=mean_forecast, base_rate=base_rate, given=False,
        )
    lean = confidence_and_hit_rate(bins)
    gap = format_percent(math.sqrt(reliability))
    if reliability <= WELL_CALIBRATED_RELIABILITY:
        calibration = "well calibrated"
        detail = f"Forecasts were within about {gap} of how often things happened (reliability {reliability:.3f})."
    elif lean is not None and abs(lean[0] - lean[1]) >= CONSISTENT_DIRECTION:
        confidence, hit_rate = lean
        calibration = "overconfident" if confidence > hit_rate else "underconfident"
        joint = "but" if confidence > hit_rate else "and"
        detail = (
            f"On average {format_percent(confidence)} sure of the side they leaned to, {joint} that side "
            f"happened {format_percent(hit_rate)} of the time (reliability {reliability:.3f})."
        )
    else:
        calibration = "miscalibrated"
        detail = (
            f"Forecasts were off by about {gap} from how often things happened, in no consistent "
            f"direction (reliability {reliability:.3f})."
        )
    if uncertainty == 0:
        discrimination = "not judged"
        discrimination_detail = (
            "Every scored question resolved the same way, so there is nothing to tell apart (uncertainty 0)."
        )
    else:
        share = resolution / uncertainty
        if share >= DISCRIMINATES_WELL_SHARE:
            discrimination = "discriminates well"
            lead = "The forecasts were clearly different for questions that resolved YES and NO"
        elif share >= DISCRIMINATES_SOMEWHAT_SHARE:
            discrimination = "discriminates somewhat"
            lead = "The forecasts partly told apart questions that resolved YES and NO"
        else:
            discrimination = "barely discriminates"
            lead = "The forecasts were much the same whether the question resolved YES or NO"
        discrimination_detail = f"{lead}: resolution is {format_percent(share)} of the uncertainty."
    return DecompositionReading(
        calibration=calibration,
        calibration_detail=detail,
        discrimination=discrimination,
        discrimination_detail=discrimination_detail,
        mean_forecast=mean_forecast,
        base_rate=base_rate,
        given=True,
    )
