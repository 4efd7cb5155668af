"""The analysts' workbench: configuration plus thin actions that call forecasts.services."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from forecasts import intake, score_display, services
from forecasts.admin_changelist import RequestOrderingChangeList
from forecasts.admin_forms import ForecastServiceErrorsMixin, HedgePhraseForm
from forecasts.admin_reopen import ReopenQuestionMixin
from forecasts.admin_review import SuggestClaimsMixin
from forecasts.charts import calibration_chart
from forecasts.errors import Conflict
from forecasts.forms import (
    ClaimAdminForm,
    QuestionAdminForm,
    ReopenQuestionsForm,
    ResolutionInlineForm,
    ResolveQuestionsForm,
)
from forecasts.models import (
    Claim,
    HedgePhrase,
    HedgeScale,
    Question,
    QuestionScore,
    Resolution,
    Topic,
)
from forecasts.resources import ClaimResource, QuestionResource
from forecasts.selectors import ranked_experts, stored_score
from forecasts.tasks import queue_recompute
from config.jobs.admin import register_job_starter
from sources.admin import ExpertAdmin, SourceAdmin
from sources.admin_base import HistoryAdmin
from sources.import_admin import ImportExportMixin
from sources.models import Expert, Source

CLAIM_FIELDS = ["expert", "source", "quote", "statement", "hedge", "predicts", "probability", "made_on"]


def _adopt(obj, saved):
    """Make the admin's unsaved object the one a service saved (pk and defaults filled in)."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False


def _claim_data(form):
    return {field: form.cleaned_data.get(field) for field in form.Meta.fields if field in form.cleaned_data}


def _changed_claim_data(form):
    return {field: form.cleaned_data.get(field) for field in form.changed_data if field in form.Meta.fields}


class ClaimSavingMixin(ForecastServiceErrorsMixin):
    """Saves the "add claims" inline through services.record_claim; its errors go on the claim's form."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Claim:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form.instance.pk is None:
                data = _claim_data(inline_form)
                data[formset.fk.name] = form.instance
                with self.errors_on(inline_form):
                    formset.new_objects.append(services.record_claim(**data, user=request.user))


def with_claim_scores(claims):
    """Claims annotated with their Brier and peer score (None until scored), in the same query."""
    score = QuestionScore.objects.filter(claim=OuterRef("pk"))
    return claims.annotate(
        brier_score=Subquery(score.values("brier")[:1]), peer=Subquery(score.values("peer_score")[:1])
    )


def _number(value, digits=3):
    return "—" if value is None else f"{value:.{digits}f}"


class ExistingClaimInline(admin.TabularInline):
    model = Claim
    verbose_name_plural = "claims"
    fields = ["expert", "source", "quote", "hedge", "probability", "probability_origin", "made_on"]
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0
    show_change_link = True

    def get_queryset(self, request):
        claims = super().get_queryset(request).select_related("expert", "source", "question__resolution")
        return with_claim_scores(claims)

    @admin.display(description="Brier")
    def brier(self, claim):
        return _number(claim.brier_score)

    @admin.display(description="peer")
    def peer_score(self, claim):
        return _number(claim.peer, 1)

    @admin.display(description="outcome")
    def outcome(self, claim):
        resolution = getattr(claim.question, "resolution", None)
        return resolution.get_outcome_display() if resolution else "open"

    def has_add_permission(self, request, obj=None):
        return False


class AddClaimInline(admin.StackedInline):
    model = Claim
    form = ClaimAdminForm
    verbose_name = "new claim"
    verbose_name_plural = "add claims"
    extra = 1
    can_delete = False
    autocomplete_fields = ["expert", "source", "question"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()


class QuestionClaimInline(ExistingClaimInline):
    fields = ["expert", "source", "quote", "hedge", "probability", "probability_origin", "made_on", "brier", "peer_score"]
    readonly_fields = fields


class ExpertClaimInline(ExistingClaimInline):
    fields = ["question", "source", "quote", "hedge", "probability", "made_on", "outcome", "brier"]
    readonly_fields = fields


class AddQuestionClaimInline(AddClaimInline):
    fields = CLAIM_FIELDS + ["probability_origin", "probability_note"]


class SourceClaimInline(ExistingClaimInline):
    fields = ["expert", "question", "quote", "hedge", "predicts", "probability", "probability_origin"]
    readonly_fields = fields


class AddSourceClaimInline(AddClaimInline):
    fields = ["expert", "question", "quote", "statement", "hedge", "predicts", "probability",
              "probability_origin", "probability_note", "made_on"]


class ResolutionInline(admin.StackedInline):
    model = Resolution
    form = ResolutionInlineForm
    template = "admin/forecasts/question/resolution_inline.html"
    fields = ["outcome", "evidence_url", "note", "reason", "resolved_by", "resolved_at", "automatic"]
    readonly_fields = ["resolved_by", "resolved_at", "automatic"]
    can_delete = False
    max_num = 1
    extra = 1
    verbose_name_plural = "resolution"


class ResolutionStatusFilter(admin.SimpleListFilter):
    """Open or resolved, for questions (or, with a `prefix`, for the questions of claims)."""

    title = "status"
    parameter_name = "status"
    prefix = ""

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() in ("open", "resolved"):
            return queryset.filter(**{f"{self.prefix}resolution__isnull": self.value() == "open"})
        return queryset


class ClaimStatusFilter(ResolutionStatusFilter):
    title = "question status"
    prefix = "question__"


class DueFilter(admin.SimpleListFilter):
    """Unresolved questions whose deadline has passed; the list is then sorted oldest deadline first."""

    title = "due for resolution"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("yes", "Due for resolution")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(resolution__isnull=True, deadline__lt=timezone.localdate())
        return queryset


class ConditionalFilter(admin.SimpleListFilter):
    """Questions with a condition, or without."""

    title = "conditional"
    parameter_name = "conditional"

    def lookups(self, request, model_admin):
        return [("yes", "Conditional"), ("no", "Unconditional")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(condition__isnull=self.value() == "no")
        return queryset


def condition_html(question):
    """“Conditional on <link> resolving Yes”, linking to the condition's admin page; "—" without one."""
    if question.condition_id is None:
        return "—"
    url = reverse("admin:forecasts_question_change", args=[question.condition_id])
    return format_html(
        "Conditional on <a href=\"{}\">{}</a> resolving {}",
        url, question.condition.title, question.get_condition_outcome_display(),
    )


@admin.register(Question)
class QuestionAdmin(ReopenQuestionMixin, ClaimSavingMixin, ImportExportMixin, HistoryAdmin):
    form = QuestionAdminForm
    resource_classes = [QuestionResource]
    list_display = ["title", "deadline", "status", "outcome", "condition_summary", "claim_count"]
    list_filter = [
        DueFilter, ResolutionStatusFilter, "resolution__outcome", ConditionalFilter, "topics", "deadline",
        "claims__expert",
    ]
    list_select_related = ["resolution", "condition"]
    search_fields = ["title", "resolution_criteria", "slug"]
    date_hierarchy = "deadline"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    fields = [
        "title", "slug", "resolution_criteria", "deadline", "deadline_inferred", "deadline_note", "topics",
        "condition", "condition_outcome", "conditional_questions",
    ]
    readonly_fields = ["conditional_questions"]
    autocomplete_fields = ["condition"]
    inlines = [ResolutionInline, QuestionClaimInline, AddQuestionClaimInline]
    actions = ["resolve_selected", "reopen_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims", distinct=True))

    def get_ordering(self, request):
        if request.GET.get(DueFilter.parameter_name) == "yes":
            return ["deadline", "pk"]
        return super().get_ordering(request)

    def get_changelist(self, request, **kwargs):
        return RequestOrderingChangeList

    object_history_template = "admin/forecasts/question/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        """The question's history, followed by its resolution's (outcomes, evidence, reasons)."""
        resolution_history = (
            Resolution.history.filter(question_id=object_id).select_related("history_user").order_by("-history_date")
        )
        context = {"resolution_history": resolution_history, **(extra_context or {})}
        return super().history_view(request, object_id, extra_context=context)

    @admin.display(description="status", boolean=False)
    def status(self, question):
        return "resolved" if question.is_resolved else "open"

    @admin.display(description="outcome", ordering="resolution__outcome")
    def outcome(self, question):
        return question.resolution.get_outcome_display() if question.is_resolved else "—"

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, question):
        return question.claim_count

    @admin.display(description="condition")
    def condition_summary(self, question):
        return condition_html(question)

    @admin.display(description="questions conditional on this one")
    def conditional_questions(self, question):
        conditionals = question.conditionals.select_related("resolution") if question.pk else []
        if not conditionals:
            return "—"
        return format_html_join(
            mark_safe("<br>"), "<a href=\"{}\">{}</a> (if {}; {})",
            (
                (reverse("admin:forecasts_question_change", args=[q.pk]), q.title, q.get_condition_outcome_display(),
                 q.resolution.get_outcome_display() if q.is_resolved else "open")
                for q in conditionals
            ),
        )

    def save_model(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in self.fields if f != "topics" and f in form.cleaned_data}
        if change:
            changed = {f: v for f, v in fields.items() if f in form.changed_data}
            services.update_question(obj, **changed, user=request.user)
        else:
            _adopt(obj, services.create_question(**fields, user=request.user))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Resolution:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed():
                continue
            data = {f: inline_form.cleaned_data.get(f) for f in ("outcome", "evidence_url", "note")}
            with self.errors_on(inline_form):
                if inline_form.instance.pk is None:
                    resolution = services.resolve_question(question=form.instance, resolved_by=request.user, **data)
                    formset.new_objects.append(resolution)
                else:
                    resolution = services.change_resolution(
                        question=form.instance, changed_by=request.user,
                        reason=inline_form.cleaned_data.get("reason", ""), **data,
                    )
                    formset.changed_objects.append((resolution, inline_form.changed_data))

    def has_resolve_permission(self, request):
        return request.user.has_perm("forecasts.add_resolution")

    def has_reopen_permission(self, request):
        return request.user.has_perm("forecasts.change_resolution")

    def _bulk_action(self, request, queryset, *, form_class, action, title, intro, write, done):
        """An action that asks for its input on an intermediate page, then writes each question."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": title, "intro": intro, "action": action, "questions": queryset, "form": form,
                "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/forecasts/question/bulk_action.html", context)
        written, skipped = 0, []
        for question in queryset:
            try:
                write(question, form.cleaned_data)
                written += 1
            except (Conflict, ValidationError):
                skipped.append(question.title)
        self.message_user(request, done(written, form.cleaned_data))
        if skipped:
            self.message_user(request, f"Skipped {len(skipped)}: {'; '.join(skipped)}", messages.WARNING)
        return None

    @admin.action(description="Resolve selected questions…", permissions=["resolve"])
    def resolve_selected(self, request, queryset):
        return self._bulk_action(
            request, queryset, form_class=ResolveQuestionsForm, action="resolve_selected",
            title="Resolve questions", intro="Resolve these questions with one outcome and the same evidence:",
            write=lambda question, data: services.resolve_question(question=question, resolved_by=request.user, **data),
            done=lambda count, data: f"Resolved {count} question(s) as {data['outcome'].upper()}.",
        )

    @admin.action(description="Reopen selected questions (remove the resolution)…", permissions=["reopen"])
    def reopen_selected(self, request, queryset):
        return self._bulk_action(
            request, queryset, form_class=ReopenQuestionsForm, action="reopen_selected",
            title="Reopen questions",
            intro="Remove the resolution of these questions (it stays in the history) and reopen them:",
            write=lambda question, data: services.unresolve_question(question=question, user=request.user, **data),
            done=lambda count, data: f"Reopened {count} question(s).",
        )


@admin.register(Claim)
class ClaimAdmin(ForecastServiceErrorsMixin, ImportExportMixin, HistoryAdmin):
    form = ClaimAdminForm
    resource_classes = [ClaimResource]
    list_display = ["short_statement", "expert", "question", "hedge", "probability", "probability_origin", "made_on"]
    list_filter = [ClaimStatusFilter, "probability_origin", "made_on", "expert", "source"]
    list_select_related = ["expert", "question", "source"]
    search_fields = ["quote", "statement", "hedge", "expert__name", "question__title"]
    autocomplete_fields = ["question", "expert", "source"]
    date_hierarchy = "made_on"

    @admin.display(description="statement")
    def short_statement(self, claim):
        text = claim.statement or claim.quote
        return text if len(text) <= 90 else text[:87] + "…"

    def save_model(self, request, obj, form, change):
        if change:
            services.update_claim(obj, **_changed_claim_data(form), user=request.user)
        else:
            _adopt(obj, services.record_claim(**_claim_data(form), user=request.user))

    def _add_another_from_source(self, request, obj):
        url = reverse("admin:forecasts_claim_add")
        return HttpResponseRedirect(f"{url}?source={obj.source_id}&made_on={obj.made_on:%Y-%m-%d}")

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother_same_source" in request.POST:
            self.message_user(request, f"Added “{obj}”. Add another claim from the same source.")
            return self._add_another_from_source(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_addanother_same_source" in request.POST:
            self.message_user(request, f"Saved “{obj}”. Add another claim from the same source.")
            return self._add_another_from_source(request, obj)
        return super().response_change(request, obj)

    def delete_model(self, request, obj):
        services.delete_claim(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for claim in queryset:
            services.delete_claim(claim, user=request.user)


@admin.register(Resolution)
class ResolutionAdmin(HistoryAdmin):
    """Read-only list of resolutions with their history; resolve on the question page."""

    list_display = ["question", "outcome", "resolved_by", "resolved_at"]
    list_filter = ["outcome", "resolved_at"]
    list_select_related = ["question", "resolved_by"]
    search_fields = ["question__title", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HedgePhraseInline(admin.TabularInline):
    model = HedgePhrase
    form = HedgePhraseForm
    extra = 1


@admin.register(HedgeScale)
class HedgeScaleAdmin(ForecastServiceErrorsMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "is_default"]
    inlines = [HedgePhraseInline]

    def save_formset(self, request, form, formset, change):
        """Phrases are saved through services.set_hedge_phrase (normalised), removed through the service."""
        if formset.model is not HedgePhrase:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            phrase = inline_form.instance
            if phrase.pk is not None and inline_form in formset.deleted_forms:
                services.remove_hedge_phrase(phrase)
                formset.deleted_objects.append(phrase)
            elif inline_form.has_changed() and inline_form not in formset.deleted_forms:
                data = {field: inline_form.cleaned_data.get(field) for field in ("phrase", "probability", "note")}
                with self.errors_on(inline_form):
                    saved = services.set_hedge_phrase(
                        scale=form.instance, hedge_phrase=phrase if phrase.pk else None, **data
                    )
                if phrase.pk:
                    formset.changed_objects.append((saved, inline_form.changed_data))
                else:
                    formset.new_objects.append(saved)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


admin.site.unregister(Expert)
admin.site.unregister(Source)


@admin.register(Expert)
class ExpertWithScoresAdmin(ExpertAdmin):
    list_display = ["name", "affiliation", "scored", "brier", "brier_ci95", "rank"]
    list_select_related = ["score"]
    ordering = ["name"]
    readonly_fields = ["scores_summary", "calibration_chart"]
    fields = None
    fieldsets = [
        (None, {"fields": ["name", "slug", "affiliation", "bio", "links"]}),
        ("Scores", {"fields": ["scores_summary", "calibration_chart"]}),
    ]
    inlines = [ExpertClaimInline]

    def get_queryset(self, request):
        return ranked_experts(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """Matches by name, so the claim form's expert autocomplete lists them alphabetically
        (not best-ranked first); the changelist still sorts by its own ordering."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.order_by("name", "pk"), may_have_duplicates

    @admin.display(description="scored", ordering="score__scored")
    def scored(self, expert):
        return stored_score(expert).scored

    @admin.display(description="Brier", ordering="score__brier")
    def brier(self, expert):
        return _number(stored_score(expert).brier)

    @admin.display(description="95 % interval")
    def brier_ci95(self, expert):
        score = stored_score(expert)
        return "—" if score.brier_ci_low is None else f"{score.brier_ci_low:.3f} – {score.brier_ci_high:.3f}"

    @admin.display(description="rank", ordering="rank")
    def rank(self, expert):
        return expert.rank if expert.ranked else "insufficient record"

    @admin.display(description="summary")
    def scores_summary(self, expert):
        score = stored_score(expert)
        rows = [
            ("Scored questions", score.scored), ("Open", score.open), ("Ambiguous or annulled", score.unscorable),
            ("Claimed only after the deadline", score.late),
            ("Brier 95 % interval", self.brier_ci95(expert)),
            *score_display.summary_rows(score),
            ("Reliability / resolution / uncertainty",
             f"{_number(score.reliability)} / {_number(score.resolution)} / {_number(score.uncertainty)}"),
        ]
        return format_html("<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows))

    @admin.display(description="calibration")
    def calibration_chart(self, expert):
        return calibration_chart_html(stored_score(expert))


def calibration_chart_html(score):
    """The calibration chart of a score row, as on the public expert page."""
    if not score.calibration:
        return "Nothing scored yet."
    return render_to_string("forecasts/_calibration_chart.svg", {"chart": calibration_chart(score.calibration)})


@admin.register(Source)
class SourceWithClaimsAdmin(SuggestClaimsMixin, ClaimSavingMixin, SourceAdmin):
    """Sources with their claims; add claims from the article right on its page, or have them suggested."""

    inlines = [SourceClaimInline, AddSourceClaimInline]
    actions = ["suggest_claims"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "article_text" in form.changed_data:
            intake.relocate_source_quotes(obj, user=request.user)


admin.site.site_header = "Hindsight"
admin.site.site_title = "Hindsight admin"
admin.site.index_title = "Forecast records"


register_job_starter(
    "recompute-scores", label="Recompute every score", permission="jobs.recompute_scores", start=queue_recompute,
)
