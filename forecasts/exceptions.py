"""API error handling: every error is JSON, keyed by the field it concerns where there is one."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from forecasts.errors import Conflict


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the record."
    default_code = "conflict"


def api_exception_handler(exc, context):
    """DRF's handler, extended: Django ValidationError → 400 by field; Conflict/IntegrityError → 409."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Conflict):
        exc = ConflictError(detail=exc.message)
    elif isinstance(exc, IntegrityError):
        exc = ConflictError(detail="The change clashes with another record; reload and try again.")
    return exception_handler(exc, context)


@csrf_exempt  # writes nothing; a program's POST to a wrong path must get this 404, not a CSRF page
def api_not_found(request, *args, **kwargs):
    """JSON 404 for any path under /api/ that no endpoint serves."""
    return JsonResponse({"detail": f"No API endpoint at {request.path}."}, status=404)
