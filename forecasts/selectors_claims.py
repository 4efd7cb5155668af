"""The read behind a claim's own page: three queries whatever the claim.

The claim with its expert, source, question and resolution; the expert's stored score on the
question (QuestionScore, written only for the claim that counts); and every claim of the same
expert on the question, so that the page says which one counts and why the others do not.
"""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from forecasts import scoring, score_display, selectors
from forecasts.hedges import probability_of_yes
from forecasts.intake import quote_offsets_hold
from forecasts.models import Claim, QuestionScore
from forecasts.quotes import locate_quote, quote_context
from forecasts.scoring import registry

# Where a claim stands by the counting rule of DESIGN.md ("Scores"): the expert's latest claim made on or
# before the deadline counts; a claim made after it never does; an earlier one is superseded.
COUNTS = "counts"
LATE = "late"
SUPERSEDED = "superseded"

# How much of the article is shown on either side of the quote.
CONTEXT_CHARACTERS = 300


@dataclass(frozen=True)
class ScoreLine:
    """One registry score of the claim: label, value as shown, what it means."""

    name: str
    label: str
    text: str
    description: str


@dataclass(frozen=True)
class ClaimPage:
    claim: Claim  # with `status` (selectors.CLAIM_STATUSES) and `score_brier`
    side_probability: float  # what the hedged statement gave its own side: p(YES), or 1 − p(YES) about NO
    context: tuple | None  # (before, quote, after) from the source's article text, None without it
    standing: str  # COUNTS, LATE or SUPERSEDED (by the counting rule, resolved or not)
    counting_claim: Claim | None  # the expert's claim that counts on the question, when another one does
    scored: bool  # the question resolved YES or NO and this claim counts: `scores` holds its scores
    scores: list  # ScoreLine per registry score, [] unless scored
    expert_claims: list  # every claim of the expert on the question, newest first, each with `standing`


def claim_standing(claim, counting_id, deadline):
    """COUNTS when the claim is the one that counts, LATE when made after the deadline, else SUPERSEDED."""
    if claim.pk == counting_id:
        return COUNTS
    return LATE if claim.made_on > deadline else SUPERSEDED


def claim_for_page(pk):
    """ClaimPage of the claim with id pk (Http404 when there is none). Three queries."""
    claim = get_object_or_404(
        Claim.objects.select_related("expert", "source", "question", "question__resolution"), pk=pk
    )
    question = claim.question
    siblings = list(
        Claim.objects.filter(question_id=question.pk, expert_id=claim.expert_id)
        .only("question_id", "expert_id", "probability", "predicts", "hedge", "probability_origin", "made_on", "quote")
        .order_by("-made_on", "-pk")
    )
    records = [scoring.ClaimRecord(other.pk, other.expert_id, other.probability, other.made_on) for other in siblings]
    counting = scoring.counting_claims(records, question.deadline).get(claim.expert_id)
    counting_id = counting.claim_id if counting else None
    for other in siblings:
        other.standing = claim_standing(other, counting_id, question.deadline)
    row = QuestionScore.objects.filter(claim_id=claim.pk).first()
    claim.score_brier = row.brier if row is not None else None
    claim.status = selectors.claim_status(claim)
    return ClaimPage(
        claim=claim,
        side_probability=probability_of_yes(claim.probability, claim.predicts),
        context=_context(claim),
        standing=claim_standing(claim, counting_id, question.deadline),
        counting_claim=next((other for other in siblings if other.pk == counting_id and other.pk != claim.pk), None),
        scored=row is not None,
        scores=_score_lines(row) if row is not None else [],
        expert_claims=siblings,
    )


def _context(claim):
    text = claim.source.article_text or ""
    if not text.strip():
        return None
    if quote_offsets_hold(claim, text):
        span = (claim.quote_start, claim.quote_end)
    else:
        span = locate_quote(text, claim.quote)  # the text was edited since the claim was recorded
    return quote_context(text, *span, around=CONTEXT_CHARACTERS) if span else None


def _score_lines(row):
    return [
        ScoreLine(
            score.name, score.label, score_display.format_score(score, getattr(row, score.name)), score.description
        )
        for score in registry.SCORES if score.on_question
    ]


@dataclass(frozen=True)
class ClaimGroup:
    """One expert's claims on a source page, with how many of them have each status (non-zero ones)."""

    expert: object
    claims: list
    counts: list  # [(status, n)] in selectors.CLAIM_STATUSES order


def claim_groups(groups):
    """ClaimGroup per (expert, claims) of selectors.source_claims (claims carrying `status`)."""
    groups_with_counts = []
    for expert, claims in groups:
        counts = [(status, sum(claim.status == status for claim in claims)) for status in selectors.CLAIM_STATUSES]
        groups_with_counts.append(ClaimGroup(expert, claims, [(status, n) for status, n in counts if n]))
    return groups_with_counts
