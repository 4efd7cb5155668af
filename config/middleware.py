"""Guards in front of every view for requests no view can serve: they answer before a body is read.

Under /api/ the answer is JSON, like every other API error.
"""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import JsonResponse

API_PREFIX = "/api/"
NUL_MESSAGE = "Null characters are not allowed."


def _is_api(request):
    return request.path_info.startswith(API_PREFIX)


class RejectNulInQueryStringMiddleware:
    """A NUL character in a query string is a 400: PostgreSQL cannot compare text with one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names = [name for name, values in request.GET.lists() if "\x00" in name or any("\x00" in v for v in values)]
        if not names:
            return self.get_response(request)
        if _is_api(request):
            return JsonResponse({name.replace("\x00", ""): [NUL_MESSAGE] for name in names}, status=400)
        raise BadRequest(f"The query string contains a null character. {NUL_MESSAGE}")


class ApiBodySizeLimitMiddleware:
    """An API request whose body is over DATA_UPLOAD_MAX_MEMORY_SIZE is a JSON 413.

    Django enforces the limit only where it reads a form body itself; DRF reads JSON from the
    stream, so without this check a JSON body of any size would be read into memory.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _is_api(request) and _content_length(request) > limit:
            return JsonResponse(
                {"detail": f"The request body is larger than the limit of {limit} bytes."}, status=413
            )
        return self.get_response(request)


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
