"""Import and export of questions and claims (django-import-export), saved through the services.

A file with any bad row writes nothing: the import runs in one transaction that is rolled back
on any row error, and each bad row is reported with its line number (the header is line 1),
column and reason. Primary keys are never taken from a file: questions are matched by slug,
claims by external_id or else by (expert, question, source, quote); an `id` column is ignored.
"""

from django.core.exceptions import ValidationError
from import_export import fields, widgets
from import_export.results import RowResult

from forecasts import services
from forecasts.corpus import conditions_first
from forecasts.hedges import scale_lookup
from forecasts.models import Claim, Question, Topic
from forecasts.score_table import deferred_rescoring
from sources.echo import echoed
from sources.models import Expert, Source
from sources.resources import AllOrNothingResource, BulkImportResource, fetch_in_chunks

QUESTION_FIELDS = ["title", "resolution_criteria", "deadline", "deadline_inferred", "deadline_note"]
CLAIM_FIELDS = services.CLAIM_IMPORT_FIELDS


class RescoringResource(AllOrNothingResource):
    """Rescores once, after the whole file, instead of after every row."""

    def import_data(self, dataset, **kwargs):
        with deferred_rescoring():
            return super().import_data(dataset, **kwargs)


class ExpertSlugOrNameWidget(widgets.ForeignKeyWidget):
    """An expert by slug (as exported), or else by exact name (on import, see ClaimResource)."""

    def __init__(self):
        super().__init__(Expert, field="slug")


class QuestionSlugWidget(widgets.ForeignKeyWidget):
    """A question by slug; an unknown slug is the row's error, naming it, rather than a traceback."""

    def __init__(self):
        super().__init__(Question, field="slug")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Question.DoesNotExist:
            raise ValueError(
                f"No question has the slug {echoed(value)} (a condition's row must come before the rows of "
                "the questions that depend on it)."
            ) from None


class QuestionResource(RescoringResource):
    """Questions, matched by slug (an `id` column is exported but ignored on import); topics as slugs
    separated by commas; a condition as the slug of its question, with the outcome it requires (yes or no),
    the condition's row coming first; outcome exported only."""

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    topics = fields.Field(
        attribute="topics", column_name="topics", widget=widgets.ManyToManyWidget(Topic, field="slug")
    )
    condition = fields.Field(attribute="condition", column_name="condition", widget=QuestionSlugWidget())
    outcome = fields.Field(column_name="outcome", readonly=True)

    class Meta:
        model = Question
        fields = ["id", "slug", *QUESTION_FIELDS, "topics", "condition", "condition_outcome", "outcome"]
        import_id_fields = ["slug"]
        skip_unchanged = True
        report_skipped = False

    def dehydrate_outcome(self, question):
        return question.resolution.outcome if question.is_resolved else ""

    def filter_export(self, queryset, **kwargs):
        # Any rows (the admin's selection, or all): resolution, condition and topics in a fixed number of queries.
        queryset = super().filter_export(queryset, **kwargs)
        return queryset.with_resolution().select_related("condition").prefetch_related("topics")

    def iter_queryset(self, queryset):
        # Each question after its condition, so that the file imports into an empty database too.
        return iter(conditions_first(list(super().iter_queryset(queryset))))

    def get_instance(self, instance_loader, row):
        # A blank slug is a new question (its slug is made from the title when saved).
        if not str(row.get("slug") or "").strip():
            return None
        return super().get_instance(instance_loader, row)

    def save_instance(self, instance, is_create, row, **kwargs):
        if not self._saving(kwargs):
            return
        user = kwargs.get("user")
        condition = {"condition": instance.condition, "condition_outcome": instance.condition_outcome}
        if is_create:
            # The service makes a blank slug from the title and validates the question.
            created = services.create_question(
                slug=instance.slug, **{name: getattr(instance, name) for name in QUESTION_FIELDS}, **condition,
                user=user,
            )
            instance.pk, instance.slug, instance._state = created.pk, created.slug, created._state
        else:
            changes = {name: getattr(instance, name) for name in ["slug", *QUESTION_FIELDS]}
            services.update_question(instance, **changes, **condition, user=user)


class ClaimResource(BulkImportResource):
    """Claims, in bulk. The question is found by slug, the expert by slug or exact name, the source
    by slug; a blank probability is derived from the hedge phrase.

    A row with an external_id updates the claim with that external_id; a row without one updates
    the claim by the same expert on the same question in the same source with the same quote, so
    importing an export again changes nothing. Other rows are new claims.
    """

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    question = fields.Field(
        attribute="question", column_name="question", widget=widgets.ForeignKeyWidget(Question, field="slug")
    )
    expert = fields.Field(attribute="expert", column_name="expert", widget=ExpertSlugOrNameWidget())
    source = fields.Field(attribute="source", column_name="source", widget=widgets.ForeignKeyWidget(Source, field="slug"))

    required_columns = ("question", "expert", "source", "quote")
    match_note = (
        "Claims are matched by external_id, or else by expert, question, source and quote: a match "
        "updates that claim, other rows are new claims. An id column is ignored; questions are "
        "found by slug, experts by slug or exact name, sources by slug."
    )
    related_columns = ("question", "expert", "source")

    class Meta:
        model = Claim
        fields = ["id", *CLAIM_FIELDS]

    def filter_export(self, queryset, **kwargs):
        # The question, expert and source of every row joined in, whatever the rows.
        return super().filter_export(queryset, **kwargs).select_related("question", "expert", "source")

    def constraint_columns(self):
        return {
            "probability": "claim_probability_0_to_1",
            "probability_origin": "claim_probability_origin_valid",
            "predicts": "claim_predicts_valid",
            "external_id": "claim_external_id_unique",
        }

    def prefetch(self, rows):
        """Questions, experts and sources named in the file, the hedge scale and the claims the rows
        may match: a few queries for the whole file."""

        def values(column):
            return {str(row.get(column) or "").strip() for row in rows} - {""}

        self.questions = {
            question.slug: question
            for question in fetch_in_chunks(Question.objects.only("pk", "slug"), "slug", values("question"))
        }
        self.sources = {
            source.slug: source
            for source in fetch_in_chunks(Source.objects.only("pk", "slug", "published_on", "article_text"), "slug", values("source"))
        }
        self.experts_by_slug, self.experts_by_name = {}, {}
        names = values("expert")
        experts = {e.pk: e for e in fetch_in_chunks(Expert.objects.all(), "slug", names)}
        experts.update((e.pk, e) for e in fetch_in_chunks(Expert.objects.all(), "name", names))
        for expert in experts.values():
            self.experts_by_slug[expert.slug] = expert
            self.experts_by_name.setdefault(expert.name, []).append(expert)
        self.lookup = scale_lookup()
        question_ids = [question.pk for question in self.questions.values()]
        known = fetch_in_chunks(Claim.objects.all(), "question_id", question_ids)
        known += fetch_in_chunks(Claim.objects.exclude(external_id=""), "external_id", values("external_id"))
        self.by_external_id = {claim.external_id: claim for claim in known if claim.external_id}
        self.by_natural_key = {}
        for claim in known:
            self.by_natural_key.setdefault(_natural_key(claim), claim)
        self.seen_external_ids, self.seen_keys, self.matched = {}, {}, set()

    def _related(self, row, errors):
        found = {}
        for column, table, noun in (
            ("question", self.questions, "question has the slug"),
            ("source", self.sources, "source has the slug"),
        ):
            value = str(row.get(column) or "").strip()
            found[column] = table.get(value)
            if found[column] is None:
                errors[column] = [f"No {noun} {echoed(value)}." if value else f"Give the {column}'s slug."]
        value = str(row.get("expert") or "").strip()
        expert = self.experts_by_slug.get(value)
        named = self.experts_by_name.get(value, [])
        if expert is None and len(named) == 1:
            expert = named[0]
        if expert is None:
            errors["expert"] = [
                f"{len(named)} experts are named {echoed(value)}; give the slug." if named
                else f"No expert has the slug or name {echoed(value)}." if value else "Give the expert's slug or name."
            ]
        found["expert"] = expert
        return found

    def build_instance(self, row, line, present):
        errors = {}
        related = self._related(row, errors)
        claim = Claim()
        errors.update(self.clean_columns(row, present, claim, skip=self.related_columns))
        for column, value in related.items():
            if value is not None:
                setattr(claim, column, value)
        try:
            services.complete_claim(claim, lookup=self.lookup)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        existing = self._match(claim, line)
        if existing is None:
            return claim, RowResult.IMPORT_TYPE_NEW
        # Compared by column (question_id, not question) so that no related row is loaded.
        attnames = [Claim._meta.get_field(name).attname for name in CLAIM_FIELDS]
        changed = any(getattr(existing, attname) != getattr(claim, attname) for attname in attnames)
        if changed:
            self.previous.append((existing.question_id, existing.expert_id))
        for name in [*CLAIM_FIELDS, "quote_start", "quote_end"]:
            setattr(existing, name, getattr(claim, name))
        return existing, RowResult.IMPORT_TYPE_UPDATE if changed else RowResult.IMPORT_TYPE_SKIP

    def _match(self, claim, line):
        """The stored claim this row updates, or None; a second row for the same claim is an error."""
        if claim.external_id:
            if claim.external_id in self.seen_external_ids:
                raise ValidationError(
                    {"external_id": [f"{claim.external_id!r} is also on line {self.seen_external_ids[claim.external_id]}."]}
                )
            self.seen_external_ids[claim.external_id] = line
            existing = self.by_external_id.get(claim.external_id)
        else:
            key = _natural_key(claim)
            if key in self.seen_keys:
                raise ValidationError({"quote": [
                    f"Line {self.seen_keys[key]} has the same expert, question, source and quote; "
                    "give each an external_id to import both."
                ]})
            self.seen_keys[key] = line
            existing = self.by_natural_key.get(key)
        if existing is not None:
            if existing.pk in self.matched:
                raise ValidationError({"external_id": ["Another line of the file updates the same claim."]})
            self.matched.add(existing.pk)
        return existing

    def import_data(self, dataset, dry_run=False, **kwargs):
        self.previous, self.dry_run = [], dry_run
        return super().import_data(dataset, dry_run=dry_run, **kwargs)

    def save_instances(self, new, changed, *, user):
        # A preview is rolled back: the score tables need not be computed for it.
        services.import_claims(
            new=new, changed=changed, previous=self.previous, user=user, rescore=not self.dry_run
        )


def _natural_key(claim):
    return (claim.expert_id, claim.question_id, claim.source_id, claim.quote)
