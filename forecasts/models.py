"""What was claimed, what happened, and how good each expert turned out to be."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from forecasts.scoring import registry
from forecasts.constants import (
    SCORED_OUTCOMES,
    ConditionOutcome,
    Outcome,
    ProbabilityOrigin,
    Side,
    SuggestionStatus,
)
from sources.models import Expert, Source

PROBABILITY_RANGE = Q(probability__gte=0) & Q(probability__lte=1)


class Topic(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class QuestionQuerySet(models.QuerySet):
    def with_resolution(self):
        """Questions with their resolution (and who resolved it) joined in."""
        return self.select_related("resolution", "resolution__resolved_by")

    def for_list(self):
        """One query for a page of questions: resolution joined, topics prefetched, claims counted."""
        return (
            self.with_resolution()
            .prefetch_related("topics")
            .annotate(claim_count=Count("claims", distinct=True))
        )

    def due(self, today):
        """Unresolved questions whose deadline has passed, oldest deadline first."""
        return self.filter(resolution__isnull=True, deadline__lt=today).order_by("deadline", "pk")


class Question(models.Model):
    slug = models.SlugField(max_length=120, unique=True, help_text="Used in imports and seed files.")
    title = models.CharField(max_length=300)
    resolution_criteria = models.TextField(help_text="Exactly what counts as YES and as NO.")
    deadline = models.DateField(db_index=True)
    deadline_inferred = models.BooleanField(
        default=False, help_text="The text gives no date; the deadline was inferred (see the note)."
    )
    deadline_note = models.CharField(max_length=500, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="questions")
    condition = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="conditionals",
        help_text="Annulled automatically when this question resolves other than the required outcome.",
    )
    condition_outcome = models.CharField(
        max_length=3, blank=True, choices=ConditionOutcome.choices,
        help_text="The outcome the condition question must resolve to (required with a condition).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-deadline", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(condition__isnull=True, condition_outcome="")
                | Q(condition__isnull=False, condition_outcome__in=ConditionOutcome.values),
                name="question_condition_outcome_iff_condition",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.condition_id is not None and not self.condition_outcome:
            raise ValidationError({"condition_outcome": ["Say which outcome (yes or no) the condition requires."]})
        if self.condition_id is None and self.condition_outcome:
            raise ValidationError({"condition": ["A required outcome was given without a condition question."]})
        if self.condition_id is not None and self.condition_id == self.pk:
            raise ValidationError({"condition": ["A question cannot be conditional on itself."]})

    def get_absolute_url(self):
        return reverse("question-detail", kwargs={"pk": self.pk})

    @property
    def is_resolved(self):
        return hasattr(self, "resolution")


class Resolution(models.Model):
    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="resolution")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="resolutions", help_text="Empty for resolutions loaded from the seed corpus.",
    )
    resolved_at = models.DateTimeField()
    evidence_url = models.URLField("evidence URL", max_length=500, blank=True)
    note = models.TextField(blank=True)
    automatic = models.BooleanField(
        default=False, help_text="Annulled automatically because the question's condition was not met.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-resolved_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="resolution_outcome_valid"
            ),
        ]

    def __str__(self):
        return f"{self.question}: {self.get_outcome_display()}"

    @property
    def is_scored(self):
        """Only YES and NO resolutions are scored."""
        return self.outcome in SCORED_OUTCOMES


class ClaimQuerySet(models.QuerySet):
    def for_list(self):
        """Claims with expert, source, question and resolution joined: one query per page."""
        return self.select_related("expert", "source", "question", "question__resolution")


class Claim(models.Model):
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="claims")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="claims")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims")
    quote = models.TextField(help_text="Verbatim from the source.")
    quote_start = models.PositiveIntegerField(
        null=True, blank=True, help_text="Where the quote starts in the source's article text (empty without a text).",
    )
    quote_end = models.PositiveIntegerField(null=True, blank=True, help_text="Where the quote ends (exclusive).")
    statement = models.TextField(blank=True, help_text="The proposition in plain words.")
    hedge = models.CharField(
        max_length=100, blank=True, help_text='The hedge phrase as written ("I doubt", "likely").'
    )
    predicts = models.CharField(
        max_length=3, choices=Side.choices, default=Side.YES,
        help_text="Which side of the question the hedged statement is about; "
        "a statement about the NO side gets p(YES) = 1 − p.",
    )
    probability = models.FloatField(help_text="Probability that the question resolves YES, 0 to 1.")
    probability_origin = models.CharField(max_length=10, choices=ProbabilityOrigin.choices)
    probability_note = models.CharField(
        max_length=500, blank=True, help_text="Why, when an analyst set the probability."
    )
    made_on = models.DateField(db_index=True, help_text="When the expert made the claim.")
    external_id = models.CharField(
        max_length=100, blank=True, help_text="Stable key from a seed file or an import."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-made_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=PROBABILITY_RANGE, name="claim_probability_0_to_1"),
            models.CheckConstraint(
                condition=Q(probability_origin__in=ProbabilityOrigin.values),
                name="claim_probability_origin_valid",
            ),
            models.CheckConstraint(condition=Q(predicts__in=Side.values), name="claim_predicts_valid"),
            models.CheckConstraint(
                condition=Q(quote_start__isnull=True, quote_end__isnull=True)
                | Q(quote_start__isnull=False, quote_end__gt=F("quote_start")),
                name="claim_quote_offsets_both_or_none",
            ),
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="claim_external_id_unique"
            ),
        ]
        indexes = [
            # (expert, question) first: refresh_expert_scores counts an expert's questions from this index alone.
            models.Index(fields=["expert", "question", "made_on"]),
            models.Index(fields=["question", "expert"]),
        ]

    def __str__(self):
        return f"{self.expert}: {self.statement or self.quote}"[:120]

    def get_absolute_url(self):
        return reverse("claim-detail", kwargs={"pk": self.pk})


class HedgeScale(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    citation = models.TextField(blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    is_default = models.BooleanField(
        default=False, help_text="Claims derive their probability from the default scale."
    )

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_hedge_scale"
            ),
        ]

    def __str__(self):
        return self.name


class HedgePhrase(models.Model):
    scale = models.ForeignKey(HedgeScale, on_delete=models.CASCADE, related_name="phrases")
    phrase = models.CharField(max_length=100, help_text="Lower case, single spaces.")
    probability = models.FloatField()
    note = models.CharField(max_length=500, blank=True)
    alias_of = models.CharField(
        max_length=100, blank=True,
        help_text="For a phrase the scale's source does not list: the scale's phrase nearest in meaning, "
        "whose probability it takes (a crosswalk from the default scale's phrases).",
    )

    class Meta:
        ordering = ["scale", "probability", "phrase"]
        verbose_name = "hedge phrase"
        constraints = [
            models.CheckConstraint(condition=PROBABILITY_RANGE, name="hedge_probability_0_to_1"),
            models.UniqueConstraint(fields=["scale", "phrase"], name="hedge_phrase_unique_in_scale"),
        ]

    def __str__(self):
        return f"{self.phrase} = {self.probability:g}"


class QuestionScore(models.Model):
    """One expert's score on one scored (YES/NO) question, from the claim that counts."""

    # Derived rows (score_table rebuilds them; Django cascades deletes): no database constraints, whose
    # per-row check and key-share lock of each of ~550k claims, questions and experts at COMMIT cost a full
    # rebuild more than computing the rows. question_score_unique (question, expert) indexes question lookups.
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="scores", db_index=False, db_constraint=False
    )
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="question_scores", db_constraint=False)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    probability = models.FloatField()
    outcome = models.PositiveSmallIntegerField(help_text="1 if YES, 0 if NO.")
    # One column per registry score: see add_score_columns below.

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "expert"], name="question_score_unique"),
        ]

    def __str__(self):
        return f"{self.expert} on {self.question_id}: Brier {self.brier:.3f}"


class ExpertScore(models.Model):
    """An expert's aggregate scores, kept current by forecasts.services."""

    # Derived rows, as QuestionScore's: no database foreign key; Django cascades deletes.
    expert = models.OneToOneField(
        Expert, on_delete=models.CASCADE, primary_key=True, related_name="score", db_constraint=False
    )
    scored = models.PositiveIntegerField(default=0, help_text="Questions resolved YES or NO.")
    open = models.PositiveIntegerField(default=0, help_text="Unresolved questions.")
    unscorable = models.PositiveIntegerField(default=0, help_text="Questions resolved AMBIGUOUS or ANNULLED.")
    late = models.PositiveIntegerField(default=0, help_text="Resolved questions claimed only after the deadline.")
    # One column per registry score (and its count and interval): see add_score_columns below.
    calibration = models.JSONField(default=list)
    reliability = models.FloatField(null=True)
    resolution = models.FloatField(null=True)
    uncertainty = models.FloatField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "expert score"
        ordering = [F("brier").asc(nulls_last=True)]

    def __str__(self):
        return f"Scores of {self.expert_id}"


class PanelScore(models.Model):
    """The panel pseudo-expert on one scored question with at least two experts: it forecasts the
    median of the counting claims (DESIGN.md, "Panel") and is scored like an expert."""

    # Derived rows, as QuestionScore's: no database foreign key (its per-row check at COMMIT cost a full rebuild
    # ~0.3 s at 1M claims); Django cascades deletes.
    question = models.OneToOneField(
        Question, on_delete=models.CASCADE, primary_key=True, related_name="panel_score", db_constraint=False
    )
    n = models.PositiveIntegerField(help_text="Experts whose claim counts on the question.")
    median = models.FloatField()
    mean = models.FloatField()
    outcome = models.PositiveSmallIntegerField(help_text="1 if YES, 0 if NO.")
    # One column per registry score: see add_score_columns below.

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(n__gte=2), name="panel_needs_two_experts")]

    def __str__(self):
        return f"Panel on {self.question_id}: median {self.median:g} of {self.n}"


def add_score_columns():
    """Give the score tables one column per registry score (forecasts.scoring.registry).

    QuestionScore and PanelScore get each per-question value; ExpertScore each aggregate, with its
    count and 95 % interval where the score has them. Rows are read and written by these names.
    """
    for score in registry.SCORES:
        if score.on_question:
            for model in (QuestionScore, PanelScore):
                model.add_to_class(score.name, models.FloatField(null=True, help_text=score.description))
        ExpertScore.add_to_class(score.name, models.FloatField(null=True, help_text=score.description))
        if score.count_name:
            ExpertScore.add_to_class(
                score.count_name, models.PositiveIntegerField(default=0, help_text=f"Questions with a {score.label}.")
            )
        for name in score.interval_names:
            ExpertScore.add_to_class(name, models.FloatField(null=True))


add_score_columns()


class SeedRecord(models.Model):
    """What load_seeds last applied from one seed record (the seed ledger, see seed_ledger.py)."""

    seed_file = models.CharField(max_length=200)
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=300, help_text="The record's natural key: slug, claim key, scale: phrase.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the parsed seed record.")
    applied = models.JSONField(null=True, help_text="The field values load_seeds wrote (null: none, e.g. no resolution).")
    applied_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_seed_record_per_key")]

    def __str__(self):
        return f"{self.kind} {self.key} ({self.seed_file})"


class SuggestionQuerySet(models.QuerySet):
    def for_queue(self):
        """Suggestions with their source, matched expert and question, reviewer and claim joined: one query."""
        return self.select_related("source", "expert", "question", "reviewed_by", "claim")


class Suggestion(models.Model):
    """A claim the suggestion engine found in a source's text, waiting for an analyst's review.

    Accepted and rejected suggestions are kept: they measure the engine's precision on real use.
    `predicts` and `probability` mean what they mean on a claim (the side the hedged statement is
    about, and p(YES)).
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="suggestions")
    quote = models.TextField()
    quote_start = models.PositiveIntegerField(null=True, blank=True)
    quote_end = models.PositiveIntegerField(null=True, blank=True)
    speaker_name = models.CharField(max_length=200, blank=True, help_text="The speaker as the engine read it.")
    expert = models.ForeignKey(
        Expert, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions",
        help_text="The known expert the speaker matched; empty: accepting creates one named after the speaker.",
    )
    statement = models.TextField(blank=True)
    hedge = models.CharField(max_length=100, blank=True)
    probability = models.FloatField(null=True, blank=True, help_text="p(YES), as on a claim.")
    predicts = models.CharField(max_length=3, choices=Side.choices, default=Side.YES)
    deadline = models.DateField(null=True, blank=True)
    deadline_phrase = models.CharField(max_length=200, blank=True)
    conditional = models.BooleanField(default=False)
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions",
        help_text="The known question the statement matched; empty: accepting creates the proposed question.",
    )
    question_score = models.FloatField(null=True, blank=True, help_text="Similarity to the matched question, 0-100.")
    proposed_title = models.CharField(max_length=300, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING, db_index=True,
    )
    reject_reason = models.CharField(max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    claim = models.OneToOneField(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestion",
        help_text="The claim accepting it recorded.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["source", "quote_start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SuggestionStatus.values), name="suggestion_status_valid"),
            models.CheckConstraint(
                condition=Q(probability__isnull=True) | PROBABILITY_RANGE, name="suggestion_probability_0_to_1",
            ),
            models.CheckConstraint(
                condition=~Q(status=SuggestionStatus.REJECTED) | ~Q(reject_reason=""),
                name="suggestion_rejected_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.speaker_name or 'unknown speaker'}: {self.quote}"[:120]


class ThrottleCount(models.Model):
    """One client's request count in its current throttle window (forecasts.throttling), without Redis.

    One row per client and scope, reused from window to window; rows of windows long past are
    deleted now and then by `window_end` (indexed).
    """

    client_key = models.CharField(max_length=250, primary_key=True)
    window_end = models.BigIntegerField(db_index=True, help_text="Unix time the window ends.")
    hits = models.PositiveIntegerField()

    class Meta:
        db_table = "hindsight_throttle"
