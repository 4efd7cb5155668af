"""An expert's links: a list of http or https URLs. The one rule, used by the model (and so by
the services and admin forms, which validate through it) and by the API serializer."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from sources.echo import echoed

MAX_LINK_LENGTH = 500
_is_web_url = URLValidator(schemes=["http", "https"])
# Codes of their own: a ModelForm swaps the message of a code its form field knows ("invalid").


def validate_link(value):
    """Refuse anything but an http or https URL of at most MAX_LINK_LENGTH characters."""
    if not isinstance(value, str):
        raise ValidationError(f"{echoed(value)} is not a URL: give each link as text.", code="invalid_link")
    if len(value) > MAX_LINK_LENGTH:
        raise ValidationError(f"A link has at most {MAX_LINK_LENGTH} characters.", code="link_too_long")
    try:
        _is_web_url(value)
    except ValidationError:
        raise ValidationError(f"{echoed(value)} is not an http or https URL.", code="invalid_link") from None


def validate_links(value):
    """Refuse anything but a list of http or https URLs (each checked by validate_link)."""
    if not isinstance(value, list):
        raise ValidationError(
            'Give a list of URLs, e.g. ["https://example.org/profile"], not a single value.', code="not_a_list"
        )
    errors = []
    for link in value:
        try:
            validate_link(link)
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
