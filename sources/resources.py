"""Import and export of experts and sources (django-import-export), saved through the services."""

from import_export import fields, resources, widgets

from sources import services
from sources.models import Expert, Source


class AllOrNothingResource(resources.ModelResource):
    """An import that writes nothing when any row is invalid or fails."""

    def import_data(self, dataset, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def _saving(self, kwargs):
        return not self._is_dry_run(kwargs) or self._is_using_transactions(kwargs)


class ExpertResource(AllOrNothingResource):
    """Experts, matched by slug."""

    class Meta:
        model = Expert
        fields = ["slug", "name", "affiliation", "bio"]
        import_id_fields = ["slug"]
        skip_unchanged = True
        report_skipped = False

    def save_instance(self, instance, is_create, row, **kwargs):
        if self._saving(kwargs):
            services.update_expert(instance, user=kwargs.get("user"))


class SourceResource(AllOrNothingResource):
    """Sources, matched by slug; authors as expert slugs separated by commas."""

    authors = fields.Field(
        attribute="authors", column_name="authors", widget=widgets.ManyToManyWidget(Expert, field="slug")
    )

    class Meta:
        model = Source
        fields = ["slug", "title", "publisher", "url", "published_on", "authors", "excerpt", "notes"]
        import_id_fields = ["slug"]
        skip_unchanged = True
        report_skipped = False

    def save_instance(self, instance, is_create, row, **kwargs):
        if self._saving(kwargs):
            services.update_source(instance, user=kwargs.get("user"))
