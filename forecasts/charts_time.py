"""Scores over time: the running mean of dated scores, and a line chart of named series as pure geometry.

No Django. A series is a name, a label and its points (date, value, n); the chart takes any number
of series and of horizontal reference lines (chance, zero) and fits them all, so another series
(the relative Brier against the panel, say) is one more item in the list. Coordinates are SVG
user units of the chart's viewBox, y growing downwards. The markup is
templates/forecasts/_time_chart.svg.
"""

import datetime
import math
from dataclasses import dataclass

from forecasts.charts import TICK_LABEL_GAP

WIDTH, HEIGHT = 640, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 60, 20, 16, 48
Y_STEPS = (0.05, 0.1, 0.2, 0.25, 0.5, 1.0)  # the first that needs at most MAX_Y_TICKS ticks
MAX_Y_TICKS = 7
MAX_YEAR_TICKS = 7
PALETTE = ("#1c5bb8", "#c2410c", "#15803d", "#7e22ce")  # series colours, in order
POINT_RADIUS = 3.5


@dataclass(frozen=True)
class TimePoint:
    """A series' value on a date, over the n scores it summarises."""

    date: datetime.date
    value: float
    n: int


@dataclass(frozen=True)
class Series:
    name: str  # a key for markup and tests ("brier")
    label: str  # what the legend and the text alternative call it
    points: tuple  # TimePoint, by date


@dataclass(frozen=True)
class Reference:
    """A horizontal line across the chart, e.g. chance at Brier 0.25."""

    name: str
    label: str
    value: float


def cumulative_means(dated_values):
    """[TimePoint] of the running mean of (date, value) pairs: one point per distinct date, in date order.

    A point's value is the mean of every value dated on or before its date, and n how many there are.
    """
    points, total, count = [], 0.0, 0
    ordered = sorted(dated_values, key=lambda pair: pair[0])
    for index, (date, value) in enumerate(ordered):
        total += value
        count += 1
        if index + 1 == len(ordered) or ordered[index + 1][0] != date:
            points.append(TimePoint(date, total / count, count))
    return points


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class PlacedPoint:
    date: datetime.date
    value: float
    n: int
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class PlacedSeries:
    name: str
    label: str
    color: str
    points: tuple  # PlacedPoint
    path: str  # the SVG path data of the line through the points


@dataclass(frozen=True)
class PlacedReference:
    name: str
    label: str
    value: float
    y: float


@dataclass(frozen=True)
class TimeChart:
    """Everything templates/forecasts/_time_chart.svg draws; `dom_id` prefixes its title and description ids."""

    dom_id: str
    title: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: tuple
    y_ticks: tuple
    series: tuple  # PlacedSeries
    references: tuple  # PlacedReference

    @property
    def empty(self):
        return not any(series.points for series in self.series)

    @property
    def description(self):
        if self.empty:
            return "No scored forecasts yet."
        parts = [f"{series.label}: " + "; ".join(point.label for point in series.points) for series in self.series]
        lines = ", ".join(f"{reference.label} at {_number(reference.value)}" for reference in self.references)
        return "Claim date across, score up" + (f", with {lines}" if lines else "") + ". " + ". ".join(parts) + "."

    @property
    def x_tick_label_y(self):
        return self.bottom + TICK_LABEL_GAP + 12

    @property
    def y_tick_label_x(self):
        return self.left - TICK_LABEL_GAP

    @property
    def legend_y(self):
        return self.height - TICK_LABEL_GAP


def _number(value):
    return f"{value:.3f}".replace("-", "\u2212")


def _date_label(date):
    return f"{date.day} {date:%b %Y}"


def _y_domain(values):
    """(low, high, step): the values' range widened to whole steps, with at most MAX_Y_TICKS ticks."""
    low, high = min(values), max(values)
    if high == low:
        high = low + Y_STEPS[0]
    for step in Y_STEPS:
        floor, ceiling = math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step
        if round((ceiling - floor) / step) + 1 <= MAX_Y_TICKS:
            return floor, ceiling, step
    return low, high, high - low


def _x_ticks(first, last, position):
    """Ticks on 1 January of whole years when the span crosses at least two; else at the first and last dates."""
    years = [year for year in range(first.year + 1, last.year + 1)]
    if len(years) >= 2:
        stride = math.ceil(len(years) / MAX_YEAR_TICKS)
        return tuple(Tick(position(datetime.date(year, 1, 1)), str(year)) for year in years[::stride])
    dates = [first] if first == last else [first, last]
    return tuple(Tick(position(date), _date_label(date)) for date in dates)


def time_chart(series, *, references=(), dom_id="over-time", title="", width=WIDTH, height=HEIGHT):
    """Geometry of a line chart of `series` (Series) by date, with horizontal `references` (Reference).

    The horizontal axis runs from the earliest to the latest date of any series (a single date sits
    in the middle); the vertical axis covers zero, every value and every reference, widened to
    whole steps of Y_STEPS. Each series gets the next colour of PALETTE.
    """
    left, right = float(MARGIN_LEFT), float(width - MARGIN_RIGHT)
    top, bottom = float(MARGIN_TOP), float(height - MARGIN_BOTTOM)
    dates = [point.date for item in series for point in item.points]
    values = [point.value for item in series for point in item.points] + [reference.value for reference in references]
    low, high, step = _y_domain([0.0, *values] if values else [0.0, 1.0])

    def y_position(value):
        return round(bottom - (value - low) / (high - low) * (bottom - top), 2)

    if dates:
        first, last = min(dates), max(dates)
        span = (last - first).days

        def x_position(date):
            if not span:
                return round((left + right) / 2, 2)
            return round(left + (date - first).days / span * (right - left), 2)

        x_ticks = _x_ticks(first, last, x_position)
    else:
        x_position, x_ticks = None, ()

    placed = []
    for index, item in enumerate(series):
        points = tuple(
            PlacedPoint(
                point.date, point.value, point.n, x_position(point.date), y_position(point.value),
                f"{_date_label(point.date)}: {_number(point.value)} over {point.n} "
                f"question{'' if point.n == 1 else 's'}",
            )
            for point in item.points
        )
        path = " ".join(f"{'M' if i == 0 else 'L'}{point.x} {point.y}" for i, point in enumerate(points))
        placed.append(PlacedSeries(item.name, item.label, PALETTE[index % len(PALETTE)], points, path))
    tick_count = round((high - low) / step) + 1
    y_ticks = tuple(
        Tick(y_position(low + i * step), _number(low + i * step).rstrip("0").rstrip(".") or "0")
        for i in range(tick_count)
    )
    return TimeChart(
        dom_id=dom_id, title=title, width=width, height=height, left=left, right=right, top=top, bottom=bottom,
        x_ticks=x_ticks, y_ticks=y_ticks, series=tuple(placed),
        references=tuple(PlacedReference(r.name, r.label, r.value, y_position(r.value)) for r in references),
    )
