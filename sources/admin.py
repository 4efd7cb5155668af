from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from sources import services
from sources.admin_base import HistoryAdmin
from sources.admin_errors import ServiceErrorsAdminMixin
from sources.extract import article_text_from_file
from sources.import_admin import ImportExportMixin
from sources.models import Expert, Source
from sources.resources import ExpertResource, SourceResource


@admin.register(Expert)
class ExpertAdmin(ServiceErrorsAdminMixin, ImportExportMixin, HistoryAdmin):
    resource_classes = [ExpertResource]
    list_display = ["name", "affiliation", "slug"]
    search_fields = ["name", "affiliation", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "affiliation", "bio", "links"]

    def save_model(self, request, obj, form, change):
        services.update_expert(obj, user=request.user)


class SourceAdminForm(forms.ModelForm):
    """A source; its article text pasted, or extracted from an uploaded .txt or .html file."""

    article_file = forms.FileField(
        required=False, label="or upload the article",
        help_text="A .txt or .html file; its text (the article's main content, for HTML) replaces the text above.",
    )

    class Meta:
        model = Source
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("article_file")
        if upload:
            try:
                cleaned["article_text"] = article_text_from_file(upload.name, upload.read())
            except ValidationError as error:
                self.add_error("article_file", error.message_dict["article_file"])
        return cleaned


@admin.register(Source)
class SourceAdmin(ServiceErrorsAdminMixin, ImportExportMixin, HistoryAdmin):
    resource_classes = [SourceResource]
    list_display = ["title", "publisher", "published_on", "author_names"]
    list_filter = ["publisher", "published_on"]
    search_fields = ["title", "publisher", "url", "slug"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors"]
    form = SourceAdminForm
    fields = ["title", "slug", "publisher", "url", "published_on", "authors", "excerpt", "notes", "article_text", "article_file"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    @admin.display(description="authors")
    def author_names(self, source):
        return ", ".join(author.name for author in source.authors.all()) or "—"

    def save_model(self, request, obj, form, change):
        services.update_source(obj, user=request.user)
