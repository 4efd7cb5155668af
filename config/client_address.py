"""Which address a request comes from, for throttles and lockouts alike (see README, "Security")."""

from django.conf import settings


def client_address(request):
    """REMOTE_ADDR; behind TRUSTED_PROXIES proxies, the address the outermost of them saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with N
    trusted proxies the client is the Nth address from the right; anything further left was sent
    by the client and proves nothing. DRF's throttles apply the same rule (NUM_PROXIES).
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    proxies = settings.TRUSTED_PROXIES
    if not proxies or not forwarded:
        return request.META.get("REMOTE_ADDR")
    addresses = forwarded.split(",")
    return addresses[-min(proxies, len(addresses))].strip()
