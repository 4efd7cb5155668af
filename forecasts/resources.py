"""Import and export of questions and claims (django-import-export), saved through the services.

A file with any bad row writes nothing: the import runs in one transaction that is rolled back
on any row error, and each bad row is reported with its line number, column and reason.
"""

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from forecasts import services
from forecasts.constants import ProbabilityOrigin, Side
from forecasts.hedges import derive_probability
from forecasts.models import Claim, Question, Topic
from forecasts.score_table import deferred_rescoring
from sources.models import Expert, Source
from sources.resources import AllOrNothingResource
from sources.services import unique_slug

QUESTION_FIELDS = ["title", "resolution_criteria", "deadline", "deadline_inferred", "deadline_note"]
CLAIM_FIELDS = [
    "question", "expert", "source", "quote", "statement", "hedge", "predicts", "probability",
    "probability_origin", "probability_note", "made_on", "external_id",
]


class RescoringResource(AllOrNothingResource):
    """Rescores once, after the whole file, instead of after every row."""

    def import_data(self, dataset, **kwargs):
        with deferred_rescoring():
            return super().import_data(dataset, **kwargs)


class ExpertSlugOrNameWidget(widgets.ForeignKeyWidget):
    """An expert by slug, or else by exact name."""

    def __init__(self):
        super().__init__(Expert, field="slug")

    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip()
        if not value:
            return None
        expert = Expert.objects.filter(slug=value).first() or Expert.objects.filter(name=value).first()
        if expert is None:
            raise ValueError(f"No expert has the slug or name {value!r}.")
        return expert


class QuestionResource(RescoringResource):
    """Questions, matched by id; topics as slugs separated by commas; outcome exported only."""

    topics = fields.Field(
        attribute="topics", column_name="topics", widget=widgets.ManyToManyWidget(Topic, field="slug")
    )
    outcome = fields.Field(column_name="outcome", readonly=True)

    class Meta:
        model = Question
        fields = ["id", "slug", *QUESTION_FIELDS, "topics", "outcome"]
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = False

    def dehydrate_outcome(self, question):
        return question.resolution.outcome if question.is_resolved else ""

    def get_export_queryset(self, request=None):
        return Question.objects.with_resolution().prefetch_related("topics").order_by("pk")

    def save_instance(self, instance, is_create, row, **kwargs):
        if not self._saving(kwargs):
            return
        user = kwargs.get("user")
        if is_create:
            if not instance.slug:
                instance.slug = unique_slug(Question, instance.title, max_length=120)
            instance.full_clean()
            instance.save(force_insert=True)
        else:
            changes = {name: getattr(instance, name) for name in ["slug", *QUESTION_FIELDS]}
            services.update_question(instance, **changes, user=user)


class ClaimResource(RescoringResource):
    """Claims, matched by id. The expert is found by slug or exact name, the question by id, the
    source by slug; a blank probability is derived from the hedge phrase."""

    question = fields.Field(attribute="question", column_name="question", widget=widgets.ForeignKeyWidget(Question))
    expert = fields.Field(attribute="expert", column_name="expert", widget=ExpertSlugOrNameWidget())
    source = fields.Field(attribute="source", column_name="source", widget=widgets.ForeignKeyWidget(Source, field="slug"))

    class Meta:
        model = Claim
        fields = ["id", *CLAIM_FIELDS]
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = False

    def get_export_queryset(self, request=None):
        return Claim.objects.select_related("question", "expert", "source").order_by("pk")

    def import_instance(self, instance, row, **kwargs):
        """Apply the row, then fill in what the analyst may leave blank."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        instance.predicts = instance.predicts or Side.YES
        instance.hedge = (instance.hedge or "").strip()
        if instance.probability is None or instance.probability_origin == ProbabilityOrigin.HEDGE:
            try:
                instance.probability = derive_probability(instance.hedge, instance.predicts)
                instance.probability_origin = ProbabilityOrigin.HEDGE
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        elif not instance.probability_origin:
            instance.probability_origin = ProbabilityOrigin.ANALYST
        if instance.made_on is None and instance.source_id:
            instance.made_on = instance.source.published_on
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if not self._saving(kwargs):
            return
        data = {name: getattr(instance, name) for name in CLAIM_FIELDS}
        user = kwargs.get("user")
        if is_create:
            instance.pk = services.record_claim(**data, user=user).pk
        else:
            services.update_claim(instance, **data, user=user)
