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
