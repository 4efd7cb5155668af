"""The admin base of every model with a change history (both apps): history pages only show."""

from django.http import HttpResponseNotAllowed
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages are read-only for everyone, superusers included.

    django-simple-history saves a POSTed old version whatever SIMPLE_HISTORY_REVERT_DISABLED
    says, past the services' checks; here its version page answers POST with 405.
    """

    object_history_list_template = "admin/history_list.html"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Show one old version; any method but GET or HEAD is refused with 405."""
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().history_form_view(request, object_id, version_id, extra_context)
