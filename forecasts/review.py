"""The review queue: running the suggestion engine on a source and accepting or rejecting what it
suggests. Every write here goes through services (claims through forecasts.intake); accepted and
rejected suggestions are kept, so the engine's precision is measured on real use.
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from forecasts import services
from forecasts.constants import ProbabilityOrigin, Side, SuggestionStatus
from forecasts.errors import Conflict
from forecasts.hedges import normalise_hedge, probability_of_yes
from forecasts.intake import intake_claim, place_quote
from forecasts.models import HedgePhrase, Question, Suggestion
from forecasts.suggest import KnownExpert, KnownQuestion, hedging, suggest_claims
from sources import services as source_services
from sources.models import Expert

# What an analyst may change on a suggestion before accepting it.
EDITABLE_FIELDS = (
    "quote", "speaker_name", "expert", "statement", "hedge", "probability", "predicts", "deadline",
    "conditional", "question", "proposed_title",
)


def default_hedges():
    """The default hedge scale as {phrase: probability}: the engine's input."""
    return dict(HedgePhrase.objects.filter(scale__is_default=True).values_list("phrase", "probability"))


def engine_inputs(source):
    """The engine's inputs from the database: hedge scale, experts, questions, the source's authors."""
    return {
        "published": source.published_on,
        "hedges": default_hedges(),
        "experts": [KnownExpert(name, slug) for name, slug in Expert.objects.values_list("name", "slug")],
        "questions": [
            KnownQuestion(slug, title, deadline)
            for slug, title, deadline in Question.objects.values_list("slug", "title", "deadline")
        ],
        "authors": list(source.authors.values_list("slug", flat=True)),
    }


def _claim_side(scale, hedge_key, probability, engine_side):
    """The side the hedged statement is about, as on a claim: the side for which the one hedge rule
    (forecasts.hedges.probability_of_yes) gives the engine's p(YES). Without a phrase, the engine's side."""
    value = scale.phrases.get(hedge_key)
    if value is None or probability is None:
        return engine_side
    for side in (Side.YES, Side.NO):
        if abs(probability_of_yes(value, side) - probability) < 1e-4:
            return side
    return engine_side


@transaction.atomic
def suggest_for_source(*, source, text=None, user=None):
    """Run the engine on the source's article text (first storing `text` as that text, when given).

    Pending suggestions of the source are replaced; reviewed ones are kept, and a sentence already
    reviewed is not suggested again. Returns the new suggestions in text order.
    """
    if text is not None:
        source = source_services.update_source(source, article_text=text, user=user)
    if not (source.article_text or "").strip():
        raise ValidationError({"article_text": ["The source has no article text: paste it or upload a file first."]})
    inputs = engine_inputs(source)
    scale = hedging.HedgeScale(inputs["hedges"])
    found = suggest_claims(source.article_text, **inputs)
    source.suggestions.filter(status=SuggestionStatus.PENDING).delete()
    reviewed = set(source.suggestions.values_list("quote_start", "quote_end"))
    experts = {expert.slug: expert for expert in Expert.objects.filter(
        slug__in={item.speaker.slug for item in found if item.speaker and item.speaker.slug}
    )}
    questions = {question.slug: question for question in Question.objects.filter(
        slug__in={item.question.slug for item in found if item.question}
    )}
    created = []
    for item in found:
        if (item.start, item.end) in reviewed:
            continue
        hits = scale.find(item.hedge) if item.hedge else []
        hedge = hits[0].phrase if hits else normalise_hedge(item.hedge or "")
        suggestion = Suggestion(
            source=source, quote=item.quote, quote_start=item.start, quote_end=item.end,
            speaker_name=item.speaker.name if item.speaker else "",
            expert=experts.get(item.speaker.slug) if item.speaker and item.speaker.slug else None,
            statement=item.statement, hedge=hedge, probability=item.probability,
            predicts=_claim_side(scale, hedge, item.probability, item.predicts),
            deadline=item.deadline, deadline_phrase=(item.deadline_phrase or "")[:200],
            conditional=item.conditional,
            question=questions.get(item.question.slug) if item.question else None,
            question_score=item.question.score if item.question else None,
            proposed_title=(item.proposed_title or "")[:300], reasons=list(item.reasons),
        )
        suggestion.full_clean()
        created.append(suggestion)
    return Suggestion.objects.bulk_create(created)


def _pending(suggestion):
    """The suggestion locked for review; Conflict when it has been reviewed already."""
    suggestion = Suggestion.objects.select_for_update().select_related("source").get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PENDING:
        raise Conflict(
            f"Suggestion {suggestion.pk} is already {suggestion.get_status_display().lower()}.", field="status",
        )
    return suggestion


def _apply(suggestion, changes):
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: ["This field cannot be changed on a suggestion."] for field in sorted(unknown)})
    for field, value in changes.items():
        setattr(suggestion, field, "" if value is None and field in ("statement", "hedge", "speaker_name", "proposed_title") else value)
    if "quote" in changes:
        suggestion.quote_start, suggestion.quote_end = place_quote(suggestion.source, suggestion.quote)
    if "hedge" in changes:
        suggestion.hedge = normalise_hedge(suggestion.hedge)
    suggestion.full_clean()


@transaction.atomic
def edit_suggestion(*, suggestion, user=None, **changes):
    """Change a pending suggestion's fields (EDITABLE_FIELDS) before accepting it."""
    suggestion = _pending(suggestion)
    _apply(suggestion, changes)
    suggestion.save()
    return suggestion


def _expert_for(suggestion, user):
    if suggestion.expert is not None:
        return suggestion.expert
    name = (suggestion.speaker_name or "").strip()
    if not name:
        raise ValidationError({"expert": ["Choose the expert, or give the speaker's name to add a new expert."]})
    existing = Expert.objects.filter(name=name).first()
    return existing or source_services.create_expert(name=name, user=user)


def _question_for(suggestion, resolution_criteria, user):
    if suggestion.question is not None:
        return suggestion.question
    title = (suggestion.proposed_title or "").strip()
    errors = {}
    if not title:
        errors["proposed_title"] = ["Choose a question, or give a title for a new one."]
    if suggestion.deadline is None:
        errors["deadline"] = ["A new question needs a deadline."]
    if errors:
        raise ValidationError(errors)
    criteria = (resolution_criteria or "").strip() or (
        f"YES if, by {suggestion.deadline:%d %B %Y}: {suggestion.statement or title}. NO otherwise."
    )
    return services.create_question(title=title, resolution_criteria=criteria, deadline=suggestion.deadline, user=user)


@transaction.atomic
def accept_suggestion(*, suggestion, user=None, resolution_criteria="", **changes):
    """Accept a pending suggestion, with optional changes (EDITABLE_FIELDS): records its claim
    through the intake, creating the expert (named after the speaker) and the question (the
    proposed title, the deadline, `resolution_criteria` or one written from the statement) when
    none is matched. With a hedge phrase, p(YES) is derived from it; a probability changed by the
    analyst is the analyst's. Conflict if already reviewed. Returns the suggestion."""
    suggestion = _pending(suggestion)
    analyst_probability = changes.get("probability") is not None
    _apply(suggestion, changes)
    expert = _expert_for(suggestion, user)
    question = _question_for(suggestion, resolution_criteria, user)
    if analyst_probability or not suggestion.hedge:
        probability = suggestion.probability
        origin = ProbabilityOrigin.ANALYST if analyst_probability else ProbabilityOrigin.STATED
    else:
        probability, origin = None, ProbabilityOrigin.HEDGE
    if probability is None and not suggestion.hedge:
        raise ValidationError({"probability": ["Give a probability, or a hedge phrase from the hedge scale."]})
    claim = intake_claim(
        question=question, expert=expert, source=suggestion.source, quote=suggestion.quote,
        statement=suggestion.statement, hedge=suggestion.hedge, predicts=suggestion.predicts,
        probability=probability, probability_origin=origin,
        probability_note="Changed in review." if analyst_probability else "",
        made_on=suggestion.source.published_on, user=user,
    )
    suggestion.expert, suggestion.question, suggestion.claim = expert, question, claim
    suggestion.probability = claim.probability
    _reviewed(suggestion, SuggestionStatus.ACCEPTED, user)
    return suggestion


@transaction.atomic
def reject_suggestion(*, suggestion, reason, user=None):
    """Reject a pending suggestion; the reason is required and kept. Conflict if already reviewed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the suggestion is rejected (e.g. not a forecast, wrong speaker)."]})
    suggestion = _pending(suggestion)
    suggestion.reject_reason = reason[:200]
    _reviewed(suggestion, SuggestionStatus.REJECTED, user)
    return suggestion


def _reviewed(suggestion, status, user):
    suggestion.status = status
    suggestion.reviewed_by = user if getattr(user, "is_authenticated", False) else None
    suggestion.reviewed_at = timezone.now()
    suggestion.full_clean()
    suggestion.save()


def suggestion_stats(queryset=None):
    """{"suggested", "pending", "accepted", "rejected", "rejected_by_reason": [(reason, n)]} over the
    suggestions given (all of them by default); reasons compared in lower case."""
    queryset = Suggestion.objects.all() if queryset is None else queryset
    counts = Counter()
    reasons = Counter()
    for status, reason in queryset.values_list("status", "reject_reason"):
        counts[status] += 1
        if status == SuggestionStatus.REJECTED:
            reasons[reason.strip().lower()] += 1
    return {
        "suggested": sum(counts.values()),
        "pending": counts[SuggestionStatus.PENDING],
        "accepted": counts[SuggestionStatus.ACCEPTED],
        "rejected": counts[SuggestionStatus.REJECTED],
        "rejected_by_reason": reasons.most_common(),
    }
