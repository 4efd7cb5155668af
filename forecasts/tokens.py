"""API tokens: each lasts TOKEN_TTL from when it was issued, and a password change revokes it."""

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token):
    """Whether the token was issued TOKEN_TTL ago or longer."""
    return token.created + settings.TOKEN_TTL <= timezone.now()


def issue_token(user):
    """The user's token; a new one when there is none or the old one has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and token_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF token authentication that refuses tokens older than TOKEN_TTL (401)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            days = settings.TOKEN_TTL.days
            raise AuthenticationFailed(
                f"Token expired: tokens last {days} day{'s' if days != 1 else ''}. "
                "POST your username and password to /api/auth/token/ for a new one."
            )
        return user, token


def revoke_tokens_on_password_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save of the user model: a changed password deletes the user's API tokens.

    A signal because passwords change in Django's own code (admin password form,
    `changepassword`, password views), which calls no service of Hindsight's.
    """
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = type(instance)._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()
