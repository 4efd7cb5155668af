"""An expert's record beyond the summary scores: over time, by topic, and how much of it could not be scored.

Reads only, four queries whatever the size of the record. The expert page shows it
(templates/forecasts/_expert_record.html) and GET /api/experts/{slug}/record/ returns it.

Falsifiability, precisely: over the expert's claims on resolved questions (`resolved_claims`),
those that could not be scored (`unscorable`): the question resolved AMBIGUOUS or ANNULLED, or
the claim was made after the question's deadline. A claim superseded by the same expert's later
claim is in the denominator only: it was scorable, and replacing it is an update, not vagueness.
Claims on open questions are in neither: whether they can be scored is not known yet.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Avg, Count, F, Q

from forecasts.charts_time import Reference, Series, cumulative_means, time_chart
from forecasts.scoring import CHANCE_BRIER
from forecasts.constants import SCORED_OUTCOMES, Outcome
from forecasts.models import Claim, Question, QuestionScore

UNSCORABLE_OUTCOMES = [outcome for outcome in Outcome.values if outcome not in SCORED_OUTCOMES]


@dataclass(frozen=True)
class Falsifiability:
    unscorable: int
    resolved_claims: int

    @property
    def share(self):
        """unscorable / resolved_claims, or None when no claim is on a resolved question."""
        return self.unscorable / self.resolved_claims if self.resolved_claims else None


@dataclass(frozen=True)
class TopicRow:
    topic: str  # the topic's slug
    name: str
    scored: int
    brier: float | None  # mean Brier over the scored questions; None when none is scored
    open: int


@dataclass(frozen=True)
class ExpertRecord:
    falsifiability: Falsifiability
    topics: list  # TopicRow, by topic name
    over_time: list  # charts_time.TimePoint: the cumulative mean Brier by claim date
    relative_over_time: list = ()  # the same for the relative Brier (questions with a panel only)

    @cached_property
    def chart(self):
        """The over-time chart: the cumulative Brier against chance (always saying 50 %)."""
        return time_chart(
            [Series("brier", "Cumulative Brier", tuple(self.over_time)),
             Series("relative_brier", "Cumulative relative Brier (vs. the panel median)", tuple(self.relative_over_time))],
            references=[Reference("chance", "chance (always 50 %)", CHANCE_BRIER)],
            dom_id="over-time", title="Mean Brier over the scored claims made up to each date (lower is better)",
        )


def falsifiability(expert):
    """The expert's claims on resolved questions and how many of them could not be scored (one query)."""
    could_not_score = Q(question__resolution__outcome__in=UNSCORABLE_OUTCOMES) | Q(made_on__gt=F("question__deadline"))
    counts = Claim.objects.filter(expert=expert, question__resolution__isnull=False).aggregate(
        resolved_claims=Count("pk"), unscorable=Count("pk", filter=could_not_score),
    )
    return Falsifiability(unscorable=counts["unscorable"], resolved_claims=counts["resolved_claims"])


def cumulative_brier(expert):
    """The expert's mean Brier, and mean relative Brier, over the scored claims made up to each claim
    date: (brier points, relative points), from one query.

    Each scored question counts once, on the date of the claim that counts on it; the relative Brier
    only where the question has a panel (two or more experts).
    """
    rows = list(QuestionScore.objects.filter(expert=expert).values_list("claim__made_on", "brier", "relative_brier").order_by())
    return (
        cumulative_means((made_on, brier) for made_on, brier, _ in rows),
        cumulative_means((made_on, relative) for made_on, _, relative in rows if relative is not None),
    )


def topic_breakdown(expert):
    """For every topic of the expert's scored or open questions: scored questions, their mean Brier,
    and open questions (two queries). A question with several topics counts in each."""
    scored = (
        QuestionScore.objects.filter(expert=expert, question__topics__isnull=False)
        .values_list("question__topics__slug", "question__topics__name")
        .annotate(scored=Count("pk"), brier=Avg("brier"))
        .order_by()
    )
    open_questions = (
        Question.objects.filter(claims__expert=expert, resolution__isnull=True, topics__isnull=False)
        .values_list("topics__slug", "topics__name")
        .annotate(open=Count("pk", distinct=True))
        .order_by()
    )
    rows = defaultdict(lambda: {"scored": 0, "brier": None, "open": 0})
    for slug, name, count, brier in scored:
        rows[slug, name].update(scored=count, brier=brier)
    for slug, name, count in open_questions:
        rows[slug, name]["open"] = count
    return [
        TopicRow(topic=slug, name=name, **values)
        for (slug, name), values in sorted(rows.items(), key=lambda item: (item[0][1], item[0][0]))
    ]


def expert_record(expert):
    """Falsifiability, the per-topic table and the cumulative Brier and relative Brier of one expert: four queries."""
    over_time, relative_over_time = cumulative_brier(expert)
    return ExpertRecord(
        falsifiability=falsifiability(expert), topics=topic_breakdown(expert), over_time=over_time,
        relative_over_time=relative_over_time,
    )
