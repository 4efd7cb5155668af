from django.contrib import admin

from sources import services
from sources.admin_base import HistoryAdmin
from sources.admin_errors import ServiceErrorsAdminMixin
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


@admin.register(Source)
class SourceAdmin(ServiceErrorsAdminMixin, ImportExportMixin, HistoryAdmin):
    resource_classes = [SourceResource]
    list_display = ["title", "publisher", "published_on", "author_names"]
    list_filter = ["publisher", "published_on"]
    search_fields = ["title", "publisher", "url", "slug"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors"]
    fields = ["title", "slug", "publisher", "url", "published_on", "authors", "excerpt", "notes"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    @admin.display(description="authors")
    def author_names(self, source):
        return ", ".join(author.name for author in source.authors.all()) or "—"

    def save_model(self, request, obj, form, change):
        services.update_source(obj, user=request.user)
