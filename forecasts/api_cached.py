"""API views whose JSON bodies come from the read model (forecasts.read_model), at the cost of one round trip.

The rendered JSON is stored in the shared cache with the score version it was computed under. A read
needs the current version, which the throttle's round trip fetches with its count (forecasts.throttling);
the body itself comes from this process's memory (forecasts.body_memo) while its version is current, else
from the shared cache, else it is computed.

An anonymous JSON GET (no Authorization header, no session cookie, JSON accepted, only the parameters
the stored body covers) is served before DRF's own dispatch: for such a request DRF's authentication,
content negotiation and rendering have nothing to decide, so the view counts the throttles, checks the
permissions and answers the stored body with the headers DRF gives it. Every other request (a browser
asking for the browsable API, an analyst, an unknown parameter, a body not stored yet, a refused throttle)
goes through DRF as before, and is counted by the throttles once, whichever path counted it.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import cc_delim_re, patch_vary_headers

from forecasts import body_memo, read_model, score_version

_JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})


class CachedJSONMixin:
    """For a DRF view: serve a GET's JSON body from the read model when `cached_body_key()` gives a key."""

    # Query parameters the stored body may depend on; any other makes the request compute.
    cacheable_params = frozenset()

    def dispatch(self, request, *args, **kwargs):
        if self.is_plain_anonymous_json_get(request):
            body = self._stored_body_for_anonymous(request)
            if body is not None:
                return self._json_response(body)
        return super().dispatch(request, *args, **kwargs)

    def check_throttles(self, request):
        waits = getattr(request._request, "hindsight_throttle_waits", None)
        if waits is not None:  # counted already, before dispatch: refuse as DRF would, without counting again
            if waits:
                self.throttled(request, max((wait for wait in waits if wait is not None), default=None))
            return
        # The throttle's round trip fetches the version and the stored body too (forecasts.throttling).
        self._body_key = self.cached_body_key()
        if self._body_key is not None:
            request.read_model_fetch = read_model.keys_for(self._body_key)
        super().check_throttles(request)

    def cached_body_key(self):
        """The read-model key of this request's body, or None to compute it."""
        request = self.request
        if request.accepted_renderer.format != "json" or not set(request.query_params) <= self.cacheable_params:
            return None
        return self._answer_key(request)

    def _answer_key(self, request):
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
        version = (found or {}).get(score_version.VERSION_KEY)
        body = body_memo.get(key, version) if version else None
        if body is None:
            body = read_model.cached(key, render, found=found)
            body_memo.put(key, version, body)
        return HttpResponse(body, content_type=renderer.media_type)

    # The path before DRF's dispatch.

    def is_plain_anonymous_json_get(self, request):
        """Whether request is a GET with no credentials, asking for JSON, with only the parameters the stored body covers."""
        return (
            request.method == "GET"
            and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and request.META.get("HTTP_ACCEPT", "") in _JSON_ACCEPTS
            and request.GET.get("format", "json") == "json"
            and set(request.GET) <= self.cacheable_params
        )

    def anonymous_read_plan(self, request):
        """(the answer's key, the keys to fetch with the throttle's count) for a plain anonymous JSON GET, or None
        when the permissions refuse it (DRF then answers, and counts nothing)."""
        if not all(permission.has_permission(request, self) for permission in self.get_permissions()):
            return None
        key = self._answer_key(request)
        # The version always; the body only when this process holds none to check against the version.
        return key, ([score_version.VERSION_KEY] if body_memo.get_any(key) else read_model.keys_for(key))

    def _stored_body_for_anonymous(self, request):
        """The stored body for this request, counting its throttles (once); None to let DRF answer it."""
        early = getattr(request, "early_count", None)
        if early is not None and early.view_class is type(self):
            # Planned as the request arrived (forecasts.early_count): permissions checked, key made, the one throttle
            # that counts it known and its count sent.
            (key, fetch), throttles = early.read_plan, [early.throttle]
        else:
            plan = self.anonymous_read_plan(request)
            if plan is None:
                return None
            (key, fetch), throttles = plan, self.get_throttles()
        request.read_model_fetch = fetch
        waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, self)]
        request.hindsight_throttle_waits = waits
        if waits:
            return None
        found = getattr(request, "read_model_found", None)
        if found is None:  # no throttle counted this request: fetch on our own
            found = read_model.fetch(fetch)
        version = found.get(score_version.VERSION_KEY) or score_version.current()
        body = body_memo.get(key, version)
        if body is None:
            stored = found[key] if key in found else read_model.fetch([key]).get(key)
            if stored is not None and stored[0] == version:
                body = stored[1]
                body_memo.put(key, version, body)
        # Not stored under this version: DRF computes it, and knows the version already.
        request.read_model_found = {score_version.VERSION_KEY: version}
        return body

    def _json_response(self, body):
        """The response DRF gives a stored body: its content type, Allow and Vary headers."""
        response = HttpResponse(body, content_type="application/json")
        headers = self.default_response_headers
        response["Allow"] = headers["Allow"]
        if "Vary" in headers:
            patch_vary_headers(response, cc_delim_re.split(headers["Vary"]))  # as DRF's finalize_response
        return response
