"""Reads for the panel of a question and for two experts head to head: a fixed number of queries each.

The panel is the claims that count on a question (one per expert, scoring.counting_claims) taken
together; head to head compares two experts' stored per-question scores (QuestionScore) on the
questions both were scored on. The math is in forecasts.scoring.panel.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404

from forecasts import scoring
from forecasts.constants import Outcome
from forecasts.models import Claim, QuestionScore
from sources.models import Expert

_OUTCOME_NAME = {1: Outcome.YES.value, 0: Outcome.NO.value}


def panel_of_claims(claims, deadline):
    """scoring.Panel of claims on one question (objects with pk, expert_id, probability, made_on).

    Only the claim that counts for each expert enters: the latest made on or before the deadline.
    """
    records = [scoring.ClaimRecord(claim.pk, claim.expert_id, claim.probability, claim.made_on) for claim in claims]
    return _panel(records, deadline)


def question_panel(question):
    """scoring.Panel of the question, from its claims so far (resolved or not). One query."""
    rows = question.claims.order_by().values_list("pk", "expert_id", "probability", "made_on")
    return _panel([scoring.ClaimRecord(*row) for row in rows], question.deadline)


def panels_of_questions(questions):
    """{question id: scoring.Panel} for these questions, from their claims so far.

    One query for all of them (none for no questions).
    """
    deadlines = {question.pk: question.deadline for question in questions}
    if not deadlines:
        return {}
    records = {pk: [] for pk in deadlines}
    rows = Claim.objects.filter(question_id__in=deadlines).order_by().values_list(
        "question_id", "pk", "expert_id", "probability", "made_on"
    )
    for question_id, *row in rows:
        records[question_id].append(scoring.ClaimRecord(*row))
    return {pk: _panel(records[pk], deadlines[pk]) for pk in deadlines}


def _panel(records, deadline):
    chosen = scoring.counting_claims(records, deadline)
    return scoring.panel_summary(record.probability for record in chosen.values())


@dataclass(frozen=True)
class VersusSide:
    """One expert's scored claim on a shared question."""

    claim: int
    probability: float
    brier: float
    # What the page needs to mark a NO-side probability (templatetags.claims.p_yes).
    predicts: str = "yes"
    hedge: str = ""
    probability_origin: str = ""


@dataclass(frozen=True)
class VersusQuestion:
    """A question both experts were scored on, and who was closer ("a", "b" or "tie")."""

    question: int
    title: str
    outcome: str  # "yes" or "no"
    a: VersusSide
    b: VersusSide
    closer: str


@dataclass(frozen=True)
class Versus:
    """Two experts head to head: the shared questions and scoring.HeadToHead over them."""

    a: Expert
    b: Expert
    summary: scoring.HeadToHead
    questions: list


def versus_experts(slug_a, slug_b):
    """{slug: Expert} for the two slugs, missing the slugs no expert has. One query."""
    return {expert.slug: expert for expert in Expert.objects.filter(slug__in=[slug_a, slug_b]).order_by()}


def versus_for_slugs(slug_a, slug_b):
    """versus() of the experts with these slugs. Two queries.

    Raises ValidationError naming `b` when both slugs are the same expert, Http404 naming a slug
    no expert has.
    """
    if slug_a == slug_b:
        raise ValidationError({"b": ["Must be a different expert from a."]})
    experts = versus_experts(slug_a, slug_b)
    for slug in (slug_a, slug_b):
        if slug not in experts:
            raise Http404(f"No expert with the slug “{slug}”.")
    return versus(experts[slug_a], experts[slug_b])


def versus(a, b):
    """Experts a and b on every question both have a stored score on, by deadline (each side with its
    claim's side and hedge joined in). One query."""
    shared = (
        QuestionScore.objects.filter(expert_id__in=[a.pk, b.pk])
        .filter(question_id__in=QuestionScore.objects.filter(expert_id=a.pk).values("question_id"))
        .filter(question_id__in=QuestionScore.objects.filter(expert_id=b.pk).values("question_id"))
        .values(
            "question_id", "question__title", "expert_id", "claim_id", "probability", "outcome", "brier",
            "claim__predicts", "claim__hedge", "claim__probability_origin",
        )
        .order_by("question__deadline", "question_id")
    )
    by_question = {}
    for row in shared:
        by_question.setdefault(row["question_id"], {})[row["expert_id"]] = row
    questions = []
    for question_id, rows in by_question.items():
        row_a, row_b = rows[a.pk], rows[b.pk]
        questions.append(VersusQuestion(
            question=question_id,
            title=row_a["question__title"],
            outcome=_OUTCOME_NAME[row_a["outcome"]],
            a=_versus_side(row_a),
            b=_versus_side(row_b),
            closer=scoring.closer(row_a["brier"], row_b["brier"]),
        ))
    summary = scoring.head_to_head((question.a.brier, question.b.brier) for question in questions)
    return Versus(a=a, b=b, summary=summary, questions=questions)


def _versus_side(row):
    return VersusSide(
        row["claim_id"], row["probability"], row["brier"],
        predicts=row["claim__predicts"], hedge=row["claim__hedge"], probability_origin=row["claim__probability_origin"],
    )


def versus_candidates(expert):
    """The other experts scored on at least one question with this expert, by name, each with `shared`
    (how many such questions). One query."""
    return (
        Expert.objects.filter(question_scores__question__scores__expert=expert)
        .exclude(pk=expert.pk)
        .only("name", "slug")
        .annotate(shared=Count("question_scores"))
        .order_by("name", "pk")
    )
