"""How registry scores are shown on the pages, the CSVs and the admin: one formatter for all."""

import math

from forecasts.scoring import CHANCE_BRIER, registry

# The Brier leads every table with its interval; these follow it, quieter.
SECONDARY_SCORES = [score for score in registry.SCORES if score.name != "brier"]


# Each score's value for a forecaster no better than the reference: always saying 50 % (chance) for the
# absolute scores, the other experts or the panel for the relative ones. Better or worse than it is
# marked on the pages with a sign as well as a colour (✓ / ✗), never by colour alone.
REFERENCE_VALUES = {
    "brier": CHANCE_BRIER,
    "brier_skill": 0.0,
    "baseline_score": 0.0,
    "log_score": math.log(0.5),
    "peer_score": 0.0,
    "relative_brier": 0.0,
}
VERDICTS = {"good": ("✓", "better than {reference}"), "bad": ("✗", "worse than {reference}")}


def verdict(score, value):
    """'good', 'bad' or None (no value, no reference, or exactly the reference) for a score's value."""
    reference = REFERENCE_VALUES.get(score.name)
    if value is None or reference is None or math.isclose(value, reference, abs_tol=1e-12):
        return None
    return "good" if (value > reference) == score.higher_is_better else "bad"


def verdict_text(score, value):
    """(mark, words) of verdict(), e.g. ('✓', 'better than chance'); (None, None) without a verdict."""
    kind = verdict(score, value)
    if kind is None:
        return None, None
    reference = "the panel" if score.name == "relative_brier" else "the others" if score.name == "peer_score" else "chance"
    mark, words = VERDICTS[kind]
    return mark, words.format(reference=reference)


def format_score(score, value):
    """A score's value as shown: its decimals, a sign where 0 is the middle, '—' when there is none."""
    if value is None:
        return "—"
    text = f"{value:+.{score.decimals}f}" if score.signed else f"{value:.{score.decimals}f}"
    return text.replace("-", "\u2212")


def score_cells(row):
    """[{score, text, count}] of a score row's secondary scores; count only for scores with their own count."""
    cells = []
    for score in SECONDARY_SCORES:
        value = getattr(row, score.name)
        mark, words = verdict_text(score, value)
        cells.append({
            "score": score,
            "text": format_score(score, value),
            "count": getattr(row, score.count_name) if score.count_name else None,
            "verdict": verdict(score, value),
            "mark": mark,
            "verdict_text": words,
        })
    return cells


def score_cards(row):
    """score_cells of a score row, each with its 95 % interval as text where the score has one."""
    cards = score_cells(row)
    for card in cards:
        score = card["score"]
        low, high = (getattr(row, name) for name in score.interval_names) if score.interval else (None, None)
        card["interval"] = None if low is None else f"{format_score(score, low)} to {format_score(score, high)}"
    return cards


def csv_header():
    """The registry's CSV columns: each score, its count and interval where it has them."""
    header = []
    for score in registry.SCORES:
        header.append(score.name)
        header.extend(f"{score.name}_ci95_{end}" for end in ("low", "high") if score.interval)
        if score.count_name:
            header.append(f"{score.name}_questions" if score.nested else f"{score.count_name}_questions")
    return header


def csv_values(row):
    """A score row's values in csv_header() order."""
    values = []
    for score in registry.SCORES:
        values.append(getattr(row, score.name))
        values.extend(getattr(row, name) for name in score.interval_names)
        if score.count_name:
            values.append(getattr(row, score.count_name))
    return values


def summary_rows(row):
    """[(label, text)] of every registry score of a score row, with its count where it has one (the admin)."""
    rows = []
    for score in registry.SCORES:
        text = format_score(score, getattr(row, score.name))
        if score.count_name:
            text = f"{text} over {getattr(row, score.count_name)} shared question(s)"
        rows.append((f"{score.label} ({'higher' if score.higher_is_better else 'lower'} is better)", text))
    return rows
