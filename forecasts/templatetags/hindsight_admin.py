from django import template
from django.utils import timezone

from forecasts.models import Question

register = template.Library()


@register.simple_tag(takes_context=True)
def due_questions_count(context):
    """How many questions are due for resolution, or None for a user who cannot see questions."""
    request = context.get("request")
    if request is None or not request.user.has_perm("forecasts.view_question"):
        return None
    return Question.objects.due(timezone.localdate()).count()
