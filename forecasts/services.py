"""Writes for questions, claims, resolutions and hedge scales.

Every function takes keyword arguments, runs in a transaction, validates with full_clean()
before saving and returns the object written. Writes that can change a score schedule the
rescoring of the questions concerned in the same transaction (see forecasts.score_table).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from forecasts.constants import (
    ANALYST_PERMISSIONS,
    ANALYSTS_GROUP,
    SCORED_OUTCOMES,
    ConditionOutcome,
    Outcome,
    ProbabilityOrigin,
    Side,
)
from forecasts.errors import Conflict
from forecasts.hedges import derive_probability, normalise_hedge
from forecasts.intake import place_quote
from forecasts.locks import lock_questions
from forecasts.models import Claim, HedgePhrase, Question, Resolution, Topic
from forecasts.score_table import schedule_rescoring
from sources.bulk import insert_with_history
from sources.services import BULK_BATCH, history_user, validate_without_queries
from sources.services import save_validated as _save
from sources.services import stamp_history_user as _stamp_user
from sources.services import unique_slug

# Questions


@transaction.atomic
def create_question(
    *, title, resolution_criteria, deadline, slug="", topics=(), deadline_inferred=False, deadline_note="",
    condition=None, condition_outcome="", user=None,
):
    """Add a question; the slug is made from the title when not given.

    A question with a condition (another question and the outcome it must resolve to) is annulled
    at once if that condition has already resolved otherwise.
    """
    question = Question(
        slug=slug or unique_slug(Question, title, max_length=120),
        title=title,
        resolution_criteria=resolution_criteria,
        deadline=deadline,
        deadline_inferred=deadline_inferred,
        deadline_note=deadline_note,
        condition=condition,
        condition_outcome=condition_outcome or "",
    )
    _save(question, user)
    question.topics.set(topics)
    if condition is not None:
        _apply_condition(question)
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
    if "condition" in changes and changes["condition"] is None and "condition_outcome" not in changes:
        changes["condition_outcome"] = ""
    condition_changed = any(
        field in changes and changes[field] != getattr(question, field) for field in ("condition", "condition_outcome")
    )
    if condition_changed:
        check_condition_cycle(question, changes.get("condition", question.condition))
    for field, value in changes.items():
        setattr(question, field, value)
    _save(question, user)
    if topics is not None:
        question.topics.set(topics)
    if deadline_changed:
        schedule_rescoring([question.pk])
    if condition_changed:
        _apply_condition(question)
    return question


def topics_from_slugs(slugs):
    """The topics with these slugs, created (named after the slug) when missing."""
    topics = []
    for slug in slugs:
        topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").capitalize()})
        topics.append(topic)
    return topics


# Conditions
#
# A conditional question is annulled automatically (Resolution.automatic) when its condition resolves
# other than the required outcome; the annulment follows the condition's later changes (re-resolution,
# reopening) and runs down chains. Only automatic annulments are ever undone.


def check_condition_cycle(question, condition):
    """Raise ValidationError on `condition` if making `question` conditional on it would close a cycle."""
    if condition is None or question.pk is None:
        return
    if condition.pk == question.pk:
        raise ValidationError({"condition": ["A question cannot be conditional on itself."]})
    chain, current = [condition], condition.condition_id
    seen = {condition.pk}
    while current is not None and current not in seen:
        if current == question.pk:
            path = " → ".join(f"“{q.title}”" for q in [question, *chain, question])
            raise ValidationError(
                {"condition": [f"Conditions cannot form a cycle: {path}."]}
            )
        seen.add(current)
        parent = Question.objects.only("pk", "title", "condition_id").get(pk=current)
        chain.append(parent)
        current = parent.condition_id


def _failed_condition(question):
    """The condition's resolution when it resolved other than the required outcome, else None."""
    if question.condition_id is None:
        return None
    resolution = Resolution.objects.filter(question_id=question.condition_id).first()
    if resolution is not None and resolution.outcome != question.condition_outcome:
        return resolution
    return None


def condition_not_met_note(question, condition_resolution):
    """The note of an automatic annulment: which condition, how it resolved, and where to see it."""
    condition = condition_resolution.question
    return (
        f"Condition not met: “{condition.title}” (question {condition.pk}, {condition.get_absolute_url()}) "
        f"resolved {condition_resolution.get_outcome_display()}; this question required "
        f"{ConditionOutcome(question.condition_outcome).label}."
    )


def _apply_condition(question):
    """Annul `question` automatically if its condition failed, or undo an automatic annulment that
    no longer holds; then do the same for the questions conditional on it. True if its outcome changed."""
    question = _locked_question(question)
    failed = _failed_condition(question)
    current = Resolution.objects.filter(question=question).first()
    outcome_changed = False
    if failed is not None:
        wanted = {
            "outcome": Outcome.ANNULLED, "automatic": True, "note": condition_not_met_note(question, failed),
            "resolved_at": failed.resolved_at, "evidence_url": "", "resolved_by": None,
        }
        if current is None:
            resolution = Resolution(question=question, **wanted)
            resolution._change_reason = "Condition not met."
            resolution.full_clean(validate_unique=False)
            resolution.save()
            outcome_changed = True
        elif current.automatic or current.outcome != Outcome.ANNULLED:
            # An analyst's own annulment stays; any other outcome cannot stand once the condition failed.
            if any(getattr(current, field) != value for field, value in wanted.items()):
                outcome_changed = current.outcome != Outcome.ANNULLED
                reason = "Condition not met." if current.automatic else (
                    f"Condition not met; replaces the {current.get_outcome_display()} resolution."
                )
                for field, value in wanted.items():
                    setattr(current, field, value)
                current._change_reason = reason
                current.full_clean(validate_unique=False)
                current.save()
    elif current is not None and current.automatic:
        current._change_reason = "Automatic annulment undone: the condition is met or unresolved again."
        current.delete()
        outcome_changed = True
    if outcome_changed:
        schedule_rescoring([question.pk])
        _apply_conditionals(question)
    return outcome_changed


def _apply_conditionals(question):
    """Re-check every question conditional on `question` after its resolution changed."""
    for conditional in Question.objects.filter(condition_id=question.pk).order_by("pk"):
        _apply_condition(conditional)


def check_conditional_outcome(question, outcome):
    """Raise ValidationError on `outcome` unless `question` may resolve so given its condition.

    Annulling is always allowed. YES and NO need the condition resolved the required way;
    AMBIGUOUS needs it not to have resolved otherwise (a failed condition leaves only annulment).
    """
    if question.condition_id is None or outcome == Outcome.ANNULLED:
        return
    condition = Resolution.objects.filter(question_id=question.condition_id).select_related("question").first()
    required = ConditionOutcome(question.condition_outcome).label
    if condition is None:
        if outcome in SCORED_OUTCOMES:
            raise ValidationError({"outcome": [
                f"This question is conditional on “{question.condition.title}” resolving {required}, "
                "which is not resolved yet; resolve the condition first, or annul this question."
            ]})
    elif condition.outcome != question.condition_outcome:
        raise ValidationError({"outcome": [
            f"This question is conditional on “{condition.question.title}” resolving {required}, which resolved "
            f"{condition.get_outcome_display()}; the question can only be annulled."
        ]})


# Resolutions


def _locked_question(question):
    lock_questions([question.pk])
    return Question.objects.select_related("condition").get(pk=question.pk)


@transaction.atomic
def resolve_question(*, question, outcome, evidence_url="", note="", resolved_by=None, resolved_at=None):
    """Record what happened. Raises Conflict if the question is already resolved."""
    question = _locked_question(question)
    if Resolution.objects.filter(question=question).exists():
        raise Conflict(
            f"Question {question.pk} is already resolved; change the existing resolution instead.",
            field="outcome",
        )
    check_conditional_outcome(question, outcome)
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
    _apply_conditionals(question)
    return resolution


@transaction.atomic
def change_resolution(*, question, changed_by=None, reason="", resolved_at=None, **changes):
    """Change a question's resolution (outcome, evidence_url, note), keeping the old one in history.

    Changing the outcome needs a reason, which history records. A changed automatic annulment
    becomes the analyst's own (it no longer follows the condition).
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
    if outcome_changed:
        check_conditional_outcome(question, changes["outcome"])
    if outcome_changed or resolved_at is not None:
        changes["resolved_at"] = resolved_at or timezone.now()
    if not any(getattr(resolution, field) != value for field, value in changes.items()):
        return resolution
    for field, value in changes.items():
        setattr(resolution, field, value)
    if outcome_changed:
        resolution.resolved_by = changed_by if getattr(changed_by, "is_authenticated", False) else None
    resolution.automatic = False
    resolution._change_reason = (reason or "").strip()
    _save(resolution, changed_by)
    if outcome_changed:
        schedule_rescoring([question.pk])
        _apply_conditionals(question)
    return resolution


@transaction.atomic
def unresolve_question(*, question, reason, user=None):
    """Remove a question's resolution (it stays in history), reopening the question.

    An automatic annulment cannot be removed while its condition stays unmet.
    """
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why the question is reopened; the reason is kept in the history."]})
    question = _locked_question(question)
    try:
        resolution = Resolution.objects.get(question=question)
    except Resolution.DoesNotExist:
        raise Conflict(f"Question {question.pk} is not resolved.") from None
    if resolution.automatic and _failed_condition(question) is not None:
        raise Conflict(
            f"Question {question.pk} is annulled because its condition was not met; "
            "change the condition's resolution or remove the condition instead.", field="outcome",
        )
    _stamp_user(resolution, user)
    resolution._change_reason = reason.strip()
    resolution.delete()
    schedule_rescoring([question.pk])
    # A question whose condition failed is not left open: reopening it annuls it automatically.
    if not _apply_condition(question):
        _apply_conditionals(question)
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
    The quote must be in the source's article text when it has one; its offsets are stored.
    """
    if probability is None or probability_origin == ProbabilityOrigin.HEDGE:
        probability = derive_probability(hedge, predicts)
        probability_origin = ProbabilityOrigin.HEDGE
    elif not probability_origin:
        probability_origin = ProbabilityOrigin.ANALYST
    quote_start, quote_end = place_quote(source, quote)
    claim = Claim(
        question=question,
        expert=expert,
        source=source,
        quote=quote,
        quote_start=quote_start,
        quote_end=quote_end,
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
    """Change a claim. A hedge-derived probability follows a changed hedge or side; the quote is
    located again in the source's text (refused when not there)."""
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
        claim.probability = derive_probability(claim.hedge, claim.predicts)
        claim.probability_origin = ProbabilityOrigin.HEDGE
    elif origin is not None:
        claim.probability_origin = origin
    claim.quote_start, claim.quote_end = place_quote(claim.source, claim.quote)
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
    `lookup` (see hedges.scale_lookup), its origin, made_on from the source, the quote's offsets in
    the source's text, which must hold it) and validate it without queries: its question, expert and
    source (with its article_text) must already be set. Raises ValidationError."""
    claim.hedge = (claim.hedge or "").strip()
    claim.predicts = claim.predicts or Side.YES
    errors = {}
    if claim.probability is None or claim.probability_origin == ProbabilityOrigin.HEDGE:
        try:
            claim.probability = derive_probability(claim.hedge, claim.predicts, lookup)
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
    if claim.source_id:
        try:
            claim.quote_start, claim.quote_end = place_quote(claim.source, claim.quote)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
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
            list(changed), Claim, [*CLAIM_IMPORT_FIELDS, "quote_start", "quote_end", "updated_at"], batch_size=BULK_BATCH, default_user=author
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
def set_hedge_phrase(*, scale, phrase, probability, note="", hedge_phrase=None, alias_of=None):
    """Add or change a phrase of a hedge scale, stored normalised (see forecasts.hedges).

    `alias_of` names the scale's phrase this one is read as (a crosswalk entry, see HedgePhrase.alias_of);
    None keeps the row's (the admin does not edit it).

    With `hedge_phrase` (an existing row) that row is changed, its phrase too; otherwise the
    scale's row for the phrase is changed or created. Claims already recorded keep their probability.
    """
    phrase = normalise_hedge(phrase)
    if hedge_phrase is None:
        hedge_phrase = HedgePhrase.objects.filter(scale=scale, phrase=phrase).first() or HedgePhrase(scale=scale)
    hedge_phrase.scale, hedge_phrase.phrase = scale, phrase
    hedge_phrase.probability, hedge_phrase.note = probability, note or ""
    if alias_of is not None:
        hedge_phrase.alias_of = normalise_hedge(alias_of)
    hedge_phrase.full_clean()
    hedge_phrase.save()
    return hedge_phrase


@transaction.atomic
def remove_hedge_phrase(hedge_phrase):
    """Delete a phrase from its scale. Claims already recorded keep their probability."""
    hedge_phrase.delete()
