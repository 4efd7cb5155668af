"""The answer given to a login attempt on a locked account (django-axes)."""

import math

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.http import HttpResponse, JsonResponse
from django.utils import timezone


def seconds_until_unlocked(request, credentials=None):
    """How long the account of this login attempt stays locked, in whole seconds (at least 1).

    django-axes counts the failures recorded within the cool-off before now; the lock lifts when
    enough of them, oldest first, fall out of that window to leave fewer than the limit.
    """
    cool_off = get_cool_off(request)
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    attempts = (
        AccessAttempt.objects.filter(username=get_client_username(request, credentials), attempt_time__gte=now - cool_off)
        .order_by("attempt_time")
        .values_list("attempt_time", "failures_since_start")
    )
    attempts = list(attempts)
    failures = sum(count for _, count in attempts)
    limit = get_failure_limit(request, credentials)
    for attempt_time, count in attempts:
        failures -= count
        if failures < limit:
            return max(1, math.ceil((attempt_time + cool_off - now).total_seconds()))
    return math.ceil(cool_off.total_seconds())


def lockout_response(request, original_response=None, credentials=None):
    """429 with Retry-After counting down to the end of the lock: JSON under /api/, a plain page elsewhere."""
    seconds = seconds_until_unlocked(request, credentials)
    minutes = math.ceil(seconds / 60)
    message = f"Too many failed logins for this account: it is locked for {minutes} minute{'s' if minutes != 1 else ''}."
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response
