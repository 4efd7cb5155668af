"""A changelist whose column headers show the order the rows are really in."""

from django.contrib.admin.views.main import ChangeList


class RequestOrderingChangeList(ChangeList):
    """Django draws the sort arrows from ModelAdmin.ordering (or the model's Meta) even when
    ModelAdmin.get_ordering(request) sorts differently (the due queue: oldest deadline first).
    This changelist takes the default order from get_ordering(request), so arrows and rows agree."""

    def get_ordering(self, request, queryset):
        self.requested_ordering = self.model_admin.get_ordering(request)
        return super().get_ordering(request, queryset)

    def _get_default_ordering(self):
        return getattr(self, "requested_ordering", None) or super()._get_default_ordering()
