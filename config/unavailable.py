"""A backing service that is down (PostgreSQL, or Redis behind the cache) is a 503, never a 500 or a hang.

Under /api/ the 503 is JSON, elsewhere a plain page; both name the service that is down and carry
Retry-After. Connections give up after a few seconds (settings: DB_CONNECT_TIMEOUT, CACHE_TIMEOUT)
and are health-checked before reuse, so the site serves again as soon as the service is back.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from config.middleware import API_PREFIX

try:  # redis is only needed when REDIS_URL is set
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover
    REDIS_ERRORS = ()

logger = logging.getLogger("hindsight.unavailable")

DATABASE = "the database"
CACHE = "the shared cache (Redis)"


def unavailable_service(exc):
    """The service whose outage raised exc (DATABASE or CACHE), or None when exc is another error."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return DATABASE
    if REDIS_ERRORS and isinstance(exc, REDIS_ERRORS):
        return CACHE
    return None


def unavailable_response(request, service):
    """503 naming the service, with Retry-After: JSON under /api/, a plain HTML page elsewhere."""
    retry_after = settings.UNAVAILABLE_RETRY_AFTER
    message = f"Hindsight is briefly unavailable: {service} cannot be reached. Try again in a few seconds."
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"detail": message, "unavailable": service}, status=503)
    else:
        # A page of its own, not base.html: rendering must not need the database or the cache.
        html = render_to_string("503.html", {"message": message, "retry_after": retry_after})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """Turns a database or cache outage raised by a view (DRF's included) into the 503 above."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        service = unavailable_service(exception)
        if service is None:
            return None
        # One line, not a traceback per request: an outage would flood the log.
        logger.warning("503 for %s %s: %s is unavailable (%s: %s)", request.method, request.path, service,
                       type(exception).__name__, str(exception).strip().splitlines()[0] if str(exception) else "")
        return unavailable_response(request, service)
