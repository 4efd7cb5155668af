"""Who may do what over the API: reads are open, writes need the analyst's model permission."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

_METHOD_ACTION = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class AnalystWritesOrReadOnly(BasePermission):
    """Anyone may read. A write needs the Django permission for it, as the Analysts group grants.

    The model permission is "<app>.<add|change|delete>_<model>" for the view's model; a view can
    name others for an action in ``write_permissions``, by method (e.g. {"resolve": {"POST":
    "forecasts.add_resolution", ...}}). A method the resource does not allow passes, so that
    DRF answers it with a 405 whoever asks.
    """

    message = "Only analysts can change Hindsight's records."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or request.method not in view.allowed_methods:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            return False
        by_method = getattr(view, "write_permissions", {}).get(getattr(view, "action", None), {})
        permission = by_method.get(request.method)
        if permission is None:
            model = view.get_queryset().model
            action = _METHOD_ACTION.get(request.method, "change")
            permission = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        return user.has_perm(permission)


def sees_usernames(user):
    """Whether a user may see who among the analysts did what: analysts and staff, not readers."""
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm("forecasts.add_resolution")))
