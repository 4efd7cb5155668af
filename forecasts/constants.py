"""Enumerations shared by models, services, serializers and the seed loader."""

from django.db import models


class Outcome(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    AMBIGUOUS = "ambiguous", "Ambiguous"
    ANNULLED = "annulled", "Annulled"


SCORED_OUTCOMES = (Outcome.YES, Outcome.NO)


class Side(models.TextChoices):
    """The side of a question a claim's hedged proposition is about."""

    YES = "yes", "Yes side"
    NO = "no", "No side"


class ProbabilityOrigin(models.TextChoices):
    STATED = "stated", "Stated by the expert"
    HEDGE = "hedge", "Derived from the hedge phrase"
    ANALYST = "analyst", "Set by an analyst"


class QuestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


ANALYSTS_GROUP = "Analysts"
