"""The review queue in the admin: suggestions per source, accepted, edited then accepted, or
rejected with a reason, singly or in bulk; "Suggest claims" on a source. Writes go through
forecasts.review; its refusals come back as form errors."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from forecasts import review
from forecasts.admin_forms import ForecastServiceErrorsMixin
from forecasts.constants import SuggestionStatus
from forecasts.errors import Conflict
from forecasts.models import Suggestion
from sources.models import Source

CONTEXT_CHARS = 160


def quote_in_context(suggestion, text):
    """The quote highlighted (<mark>) with up to CONTEXT_CHARS of the text either side."""
    start, end = suggestion.quote_start, suggestion.quote_end
    if start is None or end is None or not text:
        return format_html("<mark>{}</mark>", suggestion.quote)
    before = text[max(0, start - CONTEXT_CHARS):start]
    after = text[end:end + CONTEXT_CHARS]
    return format_html(
        '<span class="quote-context">{}{}<mark>{}</mark>{}{}</span>',
        "…" if start > CONTEXT_CHARS else "", before, text[start:end], after, "…" if end + CONTEXT_CHARS < len(text) else "",
    )


class SuggestionForm(forms.ModelForm):
    """A suggestion as the analyst edits it before accepting (or rejects it with a reason)."""

    resolution_criteria = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For a new question only; written from the statement when left blank.",
    )
    reason = forms.CharField(required=False, max_length=200, label="Reject reason", help_text="Required to reject.")

    class Meta:
        model = Suggestion
        fields = list(review.EDITABLE_FIELDS)
        widgets = {"quote": forms.Textarea(attrs={"rows": 3}), "statement": forms.Textarea(attrs={"rows": 2})}


class RejectSuggestionsForm(forms.Form):
    reason = forms.CharField(max_length=200, help_text="Why these suggestions are rejected (e.g. not a forecast).")


@admin.register(Suggestion)
class SuggestionAdmin(ForecastServiceErrorsMixin, admin.ModelAdmin):
    form = SuggestionForm
    list_display = ["quote_with_context", "speaker", "hedge", "probability", "predicts", "deadline", "question_or_title", "why", "status"]
    list_filter = ["status", "source"]
    list_select_related = ["source", "expert", "question", "claim", "reviewed_by"]
    list_per_page = 50
    search_fields = ["quote", "speaker_name", "proposed_title"]
    autocomplete_fields = ["expert", "question"]
    actions = ["accept_selected", "reject_selected"]
    change_list_template = "admin/forecasts/suggestion/change_list.html"
    readonly_fields = ["source_link", "quote_with_context", "reasons_list", "status", "reject_reason", "reviewed_by", "reviewed_at", "claim"]

    def get_fieldsets(self, request, obj=None):
        review_fields = ["resolution_criteria", "reason"] if obj is not None and obj.status == SuggestionStatus.PENDING else []
        return [
            (None, {"fields": ["source_link", "quote_with_context", "reasons_list"]}),
            ("Claim", {"fields": [*review.EDITABLE_FIELDS, *review_fields]}),
            ("Review", {"fields": ["status", "reject_reason", "reviewed_by", "reviewed_at", "claim"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != SuggestionStatus.PENDING:
            return [*self.readonly_fields, *review.EDITABLE_FIELDS]
        return self.readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # reviewed suggestions are kept: they measure the engine

    @admin.display(description="quote in context")
    def quote_with_context(self, suggestion):
        return quote_in_context(suggestion, suggestion.source.article_text)

    @admin.display(description="source")
    def source_link(self, suggestion):
        url = reverse("admin:sources_source_change", args=[suggestion.source_id])
        return format_html('<a href="{}">{}</a>', url, suggestion.source.title)

    @admin.display(description="speaker")
    def speaker(self, suggestion):
        if suggestion.expert_id:
            return suggestion.expert.name
        return format_html("{} <small>(new expert)</small>", suggestion.speaker_name or "—")

    @admin.display(description="question")
    def question_or_title(self, suggestion):
        if suggestion.question_id:
            return format_html("{} <small>(score {})</small>", suggestion.question.title, f"{suggestion.question_score or 0:.0f}")
        return format_html("<em>new:</em> {}", suggestion.proposed_title or "—")

    @admin.display(description="reasons")
    def why(self, suggestion):
        return format_html("<ul class=\"reasons\">{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in suggestion.reasons)))

    reasons_list = why

    def get_queryset(self, request):
        return super().get_queryset(request).for_queue()

    def changelist_view(self, request, extra_context=None):
        queryset = Suggestion.objects.all()
        source_id = request.GET.get("source__id__exact")
        source = Source.objects.filter(pk=source_id).first() if source_id and source_id.isdigit() else None
        if source is not None:
            queryset = queryset.filter(source=source)
        extra_context = {**(extra_context or {}), "stats": review.suggestion_stats(queryset), "stats_source": source}
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in form.changed_data if field in review.EDITABLE_FIELDS}
        if "_accept" in request.POST:
            review.accept_suggestion(
                suggestion=obj, user=request.user, resolution_criteria=form.cleaned_data.get("resolution_criteria", ""), **data,
            )
        elif "_reject" in request.POST:
            review.reject_suggestion(suggestion=obj, reason=form.cleaned_data.get("reason", ""), user=request.user)
        elif data:
            review.edit_suggestion(suggestion=obj, user=request.user, **data)
        obj.refresh_from_db()

    def response_change(self, request, obj):
        if "_accept" in request.POST or "_reject" in request.POST:
            verb = "Accepted" if obj.status == SuggestionStatus.ACCEPTED else "Rejected"
            self.message_user(request, f"{verb} “{obj}”.", messages.SUCCESS)
            url = reverse("admin:forecasts_suggestion_changelist") + f"?source__id__exact={obj.source_id}&status__exact=pending"
            return HttpResponseRedirect(url)
        return super().response_change(request, obj)

    @admin.action(description="Accept selected suggestions", permissions=["change"])
    def accept_selected(self, request, queryset):
        accepted, skipped = 0, []
        for suggestion in queryset:
            try:
                review.accept_suggestion(suggestion=suggestion, user=request.user)
                accepted += 1
            except (ValidationError, Conflict) as error:
                messages_ = error.messages if isinstance(error, ValidationError) else [error.message]
                skipped.append(f"“{suggestion.quote[:60]}”: {' '.join(messages_)}")
        self.message_user(request, f"Accepted {accepted} suggestion(s).")
        if skipped:
            self.message_user(request, f"Skipped {len(skipped)}: " + "; ".join(skipped), messages.WARNING)

    @admin.action(description="Reject selected suggestions…", permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectSuggestionsForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request), "title": "Reject suggestions", "suggestions": queryset,
                "form": form, "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/forecasts/suggestion/reject.html", context)
        rejected, skipped = 0, 0
        for suggestion in queryset:
            try:
                review.reject_suggestion(suggestion=suggestion, reason=form.cleaned_data["reason"], user=request.user)
                rejected += 1
            except Conflict:
                skipped += 1
        self.message_user(request, f"Rejected {rejected} suggestion(s)." + (f" Skipped {skipped} already reviewed." if skipped else ""))
        return None


class SuggestClaimsMixin:
    """"Suggest claims" on a source's admin page and as an action on the list of sources."""

    def get_urls(self):
        return [
            path("<int:pk>/suggest/", self.admin_site.admin_view(self.suggest_view), name="sources_source_suggest"),
            *super().get_urls(),
        ]

    def _can_suggest(self, request):
        return request.user.has_perm("forecasts.add_suggestion")

    def suggest_view(self, request, pk):
        if request.method != "POST" or not self._can_suggest(request):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=pk)
        try:
            found = review.suggest_for_source(source=source, user=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:sources_source_change", args=[pk]))
        self.message_user(request, f"{len(found)} suggestion(s) to review.")
        url = reverse("admin:forecasts_suggestion_changelist") + f"?source__id__exact={pk}&status__exact=pending"
        return HttpResponseRedirect(url)

    @admin.action(description="Suggest claims from the selected sources' texts")
    def suggest_claims(self, request, queryset):
        if not self._can_suggest(request):
            raise PermissionDenied
        total = 0
        for source in queryset:
            try:
                total += len(review.suggest_for_source(source=source, user=request.user))
            except ValidationError as error:
                self.message_user(request, f"{source.title}: {' '.join(error.messages)}", messages.WARNING)
        self.message_user(request, f"{total} suggestion(s) to review.")
