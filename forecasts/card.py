"""The embeddable expert scorecard (/experts/<slug>/card.svg): its text and geometry, pure.

Units: SVG user units on a CARD_WIDTH × CARD_HEIGHT card; the interval strip runs from Brier 0
(left) to 1 (right), as the leaderboard's bars do (charts.interval_bar).
"""

from dataclasses import dataclass

from forecasts.charts import interval_bar

CARD_WIDTH = 420
CARD_HEIGHT = 132
PADDING = 16
NAME_LENGTH = 34  # characters of the name shown before an ellipsis


@dataclass(frozen=True)
class Card:
    """What the card says (`title`, `description` for screen readers) and where its interval bar goes."""

    name: str
    rank_text: str
    score_text: str
    description: str
    bar: object  # charts.IntervalBar, or None when nothing is scored
    bar_x: int = PADDING
    width: int = CARD_WIDTH
    height: int = CARD_HEIGHT


def _short(name):
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1].rstrip() + "…"


def expert_card(*, name, scored, brier, ci_low, ci_high, rank, ranked_count):
    """The card of an expert: `rank` None when unranked; `brier` None when nothing is scored yet."""
    if not scored or brier is None:
        return Card(
            name=_short(name), rank_text="not ranked", score_text="Not scored yet: no resolved question",
            description=f"{name} has no scored question yet, so no Brier score and no rank.", bar=None,
        )
    plural = "s" if scored != 1 else ""
    rank_text = f"Rank {rank} of {ranked_count}" if rank is not None else "insufficient record"
    rank_words = f"ranked {rank} of {ranked_count} by the ranking Brier" if rank is not None else (
        "not ranked (insufficient record)"
    )
    return Card(
        name=_short(name),
        rank_text=rank_text,
        score_text=f"Brier {brier:.3f}  ·  95 % {ci_low:.2f}–{ci_high:.2f}  ·  {scored} scored",
        description=(
            f"{name}: {scored} scored question{plural}, mean Brier {brier:.3f} (lower is better; 0.25 is always "
            f"saying 50 %), 95 % interval {ci_low:.2f} to {ci_high:.2f}; {rank_words}."
        ),
        bar=interval_bar(brier, ci_low, ci_high, width=CARD_WIDTH - 2 * PADDING),
    )
