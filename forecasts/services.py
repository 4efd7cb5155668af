"""Writes for questions, claims, resolutions and hedge scales.

Every function takes keyword arguments, runs in a transaction, validates with full_clean()
before saving and returns the object written. Writes that can change a score schedule the
rescoring of the questions concerned in the same transaction (see forecasts.score_table).
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from forecasts.constants import (
    ANALYST_PERMISSIONS,
    ANALYSTS_GROUP,
    ProbabilityOrigin,
    Side,
)
from forecasts.errors import Conflict
from forecasts.models import Claim, HedgePhrase, Question, Resolution, Topic
from forecasts.score_table import lock_questions, schedule_rescoring
from sources.bulk import insert_with_history
from sources.services import BULK_BATCH, history_user, validate_without_queries
from sources.services import save_validated as _save
from sources.services import stamp_history_user as _stamp_user
from sources.services import unique_slug

_WHITESPACE = re.compile(r"\s+")


def normalize_phrase(text):
    """A hedge phrase as stored and matched: lower case, single spaces, no surrounding space."""
    return _WHITESPACE.sub(" ", text or "").strip().lower()


def hedge_probability(hedge):
    """The default scale's probability for a hedge phrase, or None when the phrase is not in it."""
    phrase = normalize_phrase(hedge)
    if not phrase:
        return None
    return (
        HedgePhrase.objects.filter(scale__is_default=True, phrase=phrase)
        .values_list("probability", flat=True)
        .first()
    )


def hedge_lookup():
    """A function hedge phrase → default-scale probability (None when not on the scale) that reads
    the scale once: hedge_probability() for many claims."""
    scale = dict(HedgePhrase.objects.filter(scale__is_default=True).values_list("phrase", "probability"))
    return lambda hedge: scale.get(normalize_phrase(hedge))


def _derive_probability(hedge, predicts, lookup=hedge_probability):
    value = lookup(hedge)
    if value is None:
        if hedge:
            reason = f"{hedge!r} is not a phrase of the default hedge scale; give a probability."
        else:
            reason = "Give a probability, or a hedge phrase from the hedge scale to derive it from."
        raise ValidationError({"probability": [reason]})
    return value if predicts == Side.YES else round(1.0 - value, 10)


# Questions


@transaction.atomic
def create_question(
    *, title, resolution_criteria, deadline, slug="", topics=(), deadline_inferred=False, deadline_note="", user=None
):
    """Add a question; the slug is made from the title when not given."""
    question = Question(
        slug=slug or unique_slug(Question, title, max_length=120),
        title=title,
        resolution_criteria=resolution_criteria,
        deadline=deadline,
        deadline_inferred=deadline_inferred,
        deadline_note=deadline_note,
    )
    _save(question, user)
    question.topics.set(topics)
    return question


@transaction.atomic
def update_question(question, *, user=None, topics=None, override_resolved=False, **changes):
    """Change a question. Its resolution criteria cannot change once it is resolved.

    override_resolved lets the seed loader correct a resolved question's criteria from its file.
    """
    question = _locked_question(question)
    criteria = changes.get("resolution_criteria")
    if (
        criteria is not None and criteria != question.resolution_criteria
        and question.is_resolved and not override_resolved
    ):
        raise ValidationError(
            {"resolution_criteria": ["The question is resolved; unresolve it before changing its criteria."]}
        )
    deadline_changed = "deadline" in changes and changes["deadline"] != question.deadline
    for field, value in changes.items():
        setattr(question, field, value)
    _save(question, user)
    if topics is not None:
        question.topics.set(topics)
    if deadline_changed:
        schedule_rescoring([question.pk])
    return question


def topics_from_slugs(slugs):
    """The topics with these slugs, created (named after the slug) when missing."""
    topics = []
    for slug in slugs:
        topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").capitalize()})
        topics.append(topic)
    return topics


# Resolutions


def _locked_question(question):
    lock_questions([question.pk])
    return Question.objects.get(pk=question.pk)


@transaction.atomic
def resolve_question(*, question, outcome, evidence_url="", note="", resolved_by=None, resolved_at=None):
    """Record what happened. Raises Conflict if the question is already resolved."""
    question = _locked_question(question)
    if Resolution.objects.filter(question=question).exists():
        raise Conflict(
            f"Question {question.pk} is already resolved; change the existing resolution instead.",
            field="outcome",
        )
    resolution = Resolution(
        question=question,
        outcome=outcome,
        evidence_url=evidence_url or "",
        note=note or "",
        resolved_by=resolved_by if getattr(resolved_by, "is_authenticated", False) else None,
        resolved_at=resolved_at or timezone.now(),
    )
    _stamp_user(resolution, resolved_by)
    resolution.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            resolution.save()
    except IntegrityError:
        raise Conflict(f"Question {question.pk} is already resolved.", field="outcome") from None
    schedule_rescoring([question.pk])
    return resolution


@transaction.atomic
def change_resolution(*, question, changed_by=None, reason="", resolved_at=None, **changes):
    """Change a question's resolution (outcome, evidence_url, note), keeping the old one in history.

    Changing the outcome needs a reason, which history records.
    """
    question = _locked_question(question)
    try:
        resolution = Resolution.objects.get(question=question)
    except Resolution.DoesNotExist:
        raise Conflict(f"Question {question.pk} is not resolved yet; resolve it first.") from None
    allowed = {"outcome", "evidence_url", "note"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Cannot change {sorted(unknown)} of a resolution.")
    changes = {field: value for field, value in changes.items() if value is not None}
    outcome_changed = "outcome" in changes and changes["outcome"] != resolution.outcome
    if outcome_changed and not (reason or "").strip():
        raise ValidationError({"reason": ["Say why the outcome changes; the reason is kept in the history."]})
    if outcome_changed or resolved_at is not None:
        changes["resolved_at"] = resolved_at or timezone.now()
    if not any(getattr(resolution, field) != value for field, value in changes.items()):
        return resolution
    for field, value in changes.items():
        setattr(resolution, field, value)
    if outcome_changed:
        resolution.resolved_by = changed_by if getattr(changed_by, "is_authenticated", False) else None
    resolution._change_reason = (reason or "").strip()
    _save(resolution, changed_by)
    if outcome_changed:
        schedule_rescoring([question.pk])
    return resolution


@transaction.atomic
def unresolve_question(*, question, reason, user=None):
    """Remove a question's resolution (it stays in history), reopening the question."""
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why the question is reopened; the reason is kept in the history."]})
    question = _locked_question(question)
    try:
        resolution = Resolution.objects.get(question=question)
    except Resolution.DoesNotExist:
        raise Conflict(f"Question {question.pk} is not resolved.") from None
    _stamp_user(resolution, user)
    resolution._change_reason = reason.strip()
    resolution.delete()
    schedule_rescoring([question.pk])
    return question


# Claims


@transaction.atomic
def record_claim(
    *, question, expert, source, quote, statement="", hedge="", predicts=Side.YES, probability=None,
    probability_origin=None, probability_note="", made_on=None, external_id="", user=None,
):
    """Record an expert's claim on a question.

    Without a probability, or with origin "hedge", the probability is derived from the hedge
    phrase; a probability given is the expert's own ("stated") or the analyst's (the default).
    """
    if probability is None or probability_origin == ProbabilityOrigin.HEDGE:
        probability = _derive_probability(hedge, predicts)
        probability_origin = ProbabilityOrigin.HEDGE
    elif not probability_origin:
        probability_origin = ProbabilityOrigin.ANALYST
    claim = Claim(
        question=question,
        expert=expert,
        source=source,
        quote=quote,
        statement=statement or "",
        hedge=(hedge or "").strip(),
        predicts=predicts,
        probability=probability,
        probability_origin=probability_origin,
        probability_note=probability_note or "",
        made_on=made_on or source.published_on,
        external_id=external_id or "",
    )
    _save(claim, user)
    schedule_rescoring([question.pk])
    return claim


@transaction.atomic
def update_claim(claim, *, user=None, **changes):
    """Change a claim. A hedge-derived probability follows a changed hedge or side."""
    new_question = changes.get("question")
    lock_questions({claim.question_id, new_question.pk if new_question else claim.question_id})
    claim = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
    old_question_id, old_expert_id = claim.question_id, claim.expert_id
    probability = changes.pop("probability", None)
    origin = changes.pop("probability_origin", None)
    for field, value in changes.items():
        setattr(claim, field, value)
    if probability is not None and origin != ProbabilityOrigin.HEDGE:
        claim.probability = probability
        claim.probability_origin = origin or ProbabilityOrigin.ANALYST
    elif origin == ProbabilityOrigin.HEDGE or (
        claim.probability_origin == ProbabilityOrigin.HEDGE and {"hedge", "predicts"} & set(changes)
    ):
        claim.probability = _derive_probability(claim.hedge, claim.predicts)
        claim.probability_origin = ProbabilityOrigin.HEDGE
    elif origin is not None:
        claim.probability_origin = origin
    _save(claim, user)
    schedule_rescoring({old_question_id, claim.question_id}, expert_ids={old_expert_id})
    return claim


@transaction.atomic
def delete_claim(claim, *, user=None):
    """Delete a claim (history keeps it) and rescore its question."""
    question_id, expert_id = claim.question_id, claim.expert_id
    _stamp_user(claim, user)
    claim.delete()
    schedule_rescoring([question_id], expert_ids=[expert_id])


CLAIM_IMPORT_FIELDS = [
    "question", "expert", "source", "quote", "statement", "hedge", "predicts", "probability",
    "probability_origin", "probability_note", "made_on", "external_id",
]


def complete_claim(claim, *, lookup):
    """Fill in what record_claim() derives for an unsaved claim (probability from the hedge via
    `lookup` (see hedge_lookup), its origin, made_on from the source) and validate it without
    queries: its question, expert and source must already be set. Raises ValidationError."""
    claim.hedge = (claim.hedge or "").strip()
    claim.predicts = claim.predicts or Side.YES
    errors = {}
    if claim.probability is None or claim.probability_origin == ProbabilityOrigin.HEDGE:
        try:
            claim.probability = _derive_probability(claim.hedge, claim.predicts, lookup)
            claim.probability_origin = ProbabilityOrigin.HEDGE
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    elif not claim.probability_origin:
        claim.probability_origin = ProbabilityOrigin.ANALYST
    if claim.probability is not None and not 0 <= claim.probability <= 1:
        errors.setdefault("probability", []).append(
            f"A probability is between 0 and 1 (not {claim.probability:g})."
        )
    if claim.made_on is None and claim.source_id:
        claim.made_on = claim.source.published_on
    # Without a probability there is no origin either: one reason, on `probability`, is enough.
    exclude = [*errors, "probability_origin"] if "probability" in errors else list(errors)
    try:
        validate_without_queries(claim, exclude=exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    return claim


@transaction.atomic
def import_claims(*, new, changed=(), previous=(), user=None, rescore=True):
    """Create the `new` claims and save CLAIM_IMPORT_FIELDS of the `changed` ones, in bulk, with
    history, then rescore every question and expert concerned once.

    Claims must be completed (complete_claim); `previous` holds the (question_id, expert_id) each
    changed claim had before, so that the questions and experts it leaves are rescored too.
    rescore=False is for a preview that is rolled back anyway.
    """
    author = history_user(user)
    insert_with_history(Claim, new, user=author)
    now = timezone.now()
    for claim in changed:
        claim.updated_at = now
    if changed:
        bulk_update_with_history(
            list(changed), Claim, [*CLAIM_IMPORT_FIELDS, "updated_at"], batch_size=BULK_BATCH, default_user=author
        )
    if rescore:
        question_ids = {claim.question_id for claim in [*new, *changed]} | {q for q, _ in previous}
        schedule_rescoring(question_ids, expert_ids={e for _, e in previous})
    return new, changed


# Roles


@transaction.atomic
def ensure_analysts_group():
    """The Analysts group with exactly ANALYST_PERMISSIONS, created or repaired. Returns the group."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=ANALYSTS_GROUP)
    wanted = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codenames in ANALYST_PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(wanted)
    return group


# Hedge scales


@transaction.atomic
def set_hedge_phrase(*, scale, phrase, probability, note=""):
    """Add or change a phrase of a hedge scale. Claims already recorded keep their probability."""
    hedge, _ = HedgePhrase.objects.get_or_create(
        scale=scale, phrase=normalize_phrase(phrase), defaults={"probability": probability, "note": note}
    )
    hedge.probability, hedge.note = probability, note
    hedge.full_clean()
    hedge.save()
    return hedge
