"""API views whose JSON bodies come from the read model (forecasts.read_model).

The rendered JSON is stored, and the throttle's round trip fetches it (forecasts.throttling): a read
that finds it costs that one round trip besides the request's own work (authentication). Only requests with the parameters the key covers
are served from it; the browsable API and any other parameter compute as before.
"""

from django.conf import settings
from django.http import HttpResponse

from forecasts import read_model


class CachedJSONMixin:
    """For a DRF view: serve a GET's JSON body from the read model when `cached_body_key()` gives a key."""

    # Query parameters the stored body may depend on; any other makes the request compute.
    cacheable_params = frozenset()

    def check_throttles(self, request):
        # The throttle's round trip fetches the stored body too (forecasts.throttling).
        self._body_key = self.cached_body_key()
        if self._body_key is not None:
            request.read_model_fetch = read_model.keys_for(self._body_key)
        super().check_throttles(request)

    def cached_body_key(self):
        """The read-model key of this request's body, or None to compute it."""
        request = self.request
        if request.accepted_renderer.format != "json" or not set(request.query_params) <= self.cacheable_params:
            return None
        # The absolute URI: pagination links in the body carry the scheme, host and query.
        return read_model.answer_key(
            type(self).__name__, request.build_absolute_uri(), settings.HINDSIGHT_MIN_SCORED,
            settings.HINDSIGHT_SHRINK_K,
        )

    def cached_json(self, compute_response):
        """The body of compute_response() (a DRF Response), from the read model when the request allows it."""
        key = getattr(self, "_body_key", None) or self.cached_body_key()
        if key is None:
            return compute_response()
        renderer = self.request.accepted_renderer

        def render():
            response = compute_response()
            return renderer.render(response.data, self.request.accepted_media_type, self.get_renderer_context())

        found = getattr(self.request, "read_model_found", None)
        return HttpResponse(read_model.cached(key, render, found=found), content_type=renderer.media_type)
