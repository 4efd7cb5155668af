"""Enumerations shared by models, services, serializers and the seed loader."""

from django.db import models


class Outcome(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    AMBIGUOUS = "ambiguous", "Ambiguous"
    ANNULLED = "annulled", "Annulled"


SCORED_OUTCOMES = (Outcome.YES, Outcome.NO)


class ConditionOutcome(models.TextChoices):
    """The outcome a conditional question's condition must resolve to."""

    YES = "yes", "Yes"
    NO = "no", "No"


class Side(models.TextChoices):
    """The side of a question a claim's hedged proposition is about."""

    YES = "yes", "Yes side"
    NO = "no", "No side"


class ProbabilityOrigin(models.TextChoices):
    STATED = "stated", "Stated by the expert"
    HEDGE = "hedge", "Derived from the hedge phrase"
    ANALYST = "analyst", "Set by an analyst"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class QuestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


ANALYSTS_GROUP = "Analysts"

# Exactly what an analyst may do: add and change the records, delete a wrong claim, resolve and
# re-resolve (add and change a Resolution); read the hedge scales. Not manage users or history.
ANALYST_PERMISSIONS = {
    "sources": ["add_expert", "change_expert", "view_expert", "add_source", "change_source", "view_source"],
    "forecasts": [
        "add_question", "change_question", "view_question",
        "add_claim", "change_claim", "delete_claim", "view_claim",
        "add_resolution", "change_resolution", "view_resolution",
        "add_topic", "view_topic", "view_hedgescale", "view_hedgephrase",
        "add_suggestion", "change_suggestion", "view_suggestion",
    ],
    # Follow background jobs (their own imports' and others'), and start a recompute of every score.
    "jobs": ["view_job", "recompute_scores"],
}
