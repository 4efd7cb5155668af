"""Django's error views, answering in JSON under /api/ so that API clients always get JSON."""

import sys

from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.views import defaults

from config.middleware import API_PREFIX
from config.unavailable import unavailable_response, unavailable_service


def bad_request(request, exception):
    """400 for a request Django refused before any view (too many fields, a body too big: 413)."""
    if not request.path_info.startswith(API_PREFIX):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": "The request body is too large."}, status=413)
    # Only Django's own fixed messages are repeated; others may echo a header (DisallowedHost).
    told = isinstance(exception, (BadRequest, TooManyFieldsSent, TooManyFilesSent))
    return JsonResponse({"detail": f"Bad request: {exception}" if told else "Bad request."}, status=400)


def server_error(request):
    """500: the error has been logged (django.request) with its traceback.

    A database or cache outage raised outside a view (a middleware saving the session, say) is the
    503 of config.unavailable instead; Django calls this view while handling the exception.
    """
    service = unavailable_service(sys.exc_info()[1])
    if service is not None:
        return unavailable_response(request, service)
    if not request.path_info.startswith(API_PREFIX):
        return defaults.server_error(request)
    return JsonResponse({"detail": "Server error; it has been logged."}, status=500)
