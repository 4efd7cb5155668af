"""How registry scores are shown on the pages, the CSVs and the admin: one formatter for all."""

from forecasts.scoring import registry

# The Brier leads every table with its interval; these follow it, quieter.
SECONDARY_SCORES = [score for score in registry.SCORES if score.name != "brier"]


def format_score(score, value):
    """A score's value as shown: its decimals, a sign where 0 is the middle, '—' when there is none."""
    if value is None:
        return "—"
    text = f"{value:+.{score.decimals}f}" if score.signed else f"{value:.{score.decimals}f}"
    return text.replace("-", "\u2212")


def score_cells(row):
    """[{score, text, count}] of a score row's secondary scores; count only for scores with their own count."""
    return [
        {
            "score": score,
            "text": format_score(score, getattr(row, score.name)),
            "count": getattr(row, score.count_name) if score.count_name else None,
        }
        for score in SECONDARY_SCORES
    ]


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
