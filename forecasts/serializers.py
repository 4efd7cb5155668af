from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forecasts.constants import ConditionOutcome, Outcome, ProbabilityOrigin, QuestionStatus
from forecasts.models import Claim, Question, Resolution, Topic
from forecasts.permissions import sees_usernames
from forecasts.selectors import LEADERBOARD_ORDERS
from forecasts.serializers_scores import ScoreFieldsSerializer  # noqa: F401  (re-exported)
from sources.fields import BoundedPrimaryKeyRelatedField, StrictFloatField
from sources.models import Expert, Source


@extend_schema_field(serializers.CharField(allow_null=True))
class ActorField(serializers.Field):
    """Who made a change: the username for analysts and staff, the role "analyst" for readers.

    Null where nobody is recorded (seed loads and scripts).
    """

    ROLE = "analyst"

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", 'Username for analysts and staff, "analyst" for readers; null for seed loads and scripts.'
        )
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, user):
        request = self.context.get("request")
        return user.get_username() if request and sees_usernames(request.user) else self.ROLE


class ResolutionSerializer(serializers.ModelSerializer):
    resolved_by = ActorField()
    evidence_url = serializers.URLField(read_only=True, allow_blank=True)

    class Meta:
        model = Resolution
        fields = ["outcome", "automatic", "resolved_by", "resolved_at", "evidence_url", "note"]
        read_only_fields = fields
        extra_kwargs = {
            "automatic": {"help_text": "True when annulled automatically because the condition was not met."},
        }


class QuestionSerializer(serializers.ModelSerializer):
    topics = serializers.SlugRelatedField(
        slug_field="slug", queryset=Topic.objects.all(), many=True, required=False
    )
    condition = BoundedPrimaryKeyRelatedField(
        queryset=Question.objects.all(), allow_null=True, required=False,
        help_text="Id of the question this one is conditional on; null when unconditional. When the condition "
        "resolves other than `condition_outcome`, this question is annulled automatically.",
    )
    condition_outcome = serializers.ChoiceField(
        choices=ConditionOutcome.choices, allow_blank=True, required=False,
        help_text="The outcome the condition must resolve to; required with `condition`, empty without.",
    )
    status = serializers.SerializerMethodField()
    resolution = ResolutionSerializer(read_only=True, allow_null=True)
    claim_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Question
        fields = [
            "id", "slug", "title", "resolution_criteria", "deadline", "deadline_inferred", "deadline_note",
            "topics", "condition", "condition_outcome", "status", "resolution", "claim_count",
        ]
        extra_kwargs = {"slug": {"required": False}}

    @extend_schema_field(serializers.ChoiceField(choices=QuestionStatus.choices))
    def get_status(self, question):
        return QuestionStatus.RESOLVED if question.is_resolved else QuestionStatus.OPEN


class ResolveInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    evidence_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ChangeResolutionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    evidence_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500,
        help_text="Why the outcome changes; required when it does. Kept in the history.",
    )


class ReopenInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the question is reopened. Kept in the history.")


class ClaimSerializer(serializers.ModelSerializer):
    question = BoundedPrimaryKeyRelatedField(queryset=Question.objects.all())
    expert = serializers.SlugRelatedField(slug_field="slug", queryset=Expert.objects.all())
    source = BoundedPrimaryKeyRelatedField(queryset=Source.objects.all())
    probability = StrictFloatField(
        min_value=0, max_value=1, required=False,
        help_text="p(YES). Optional when `hedge` is a phrase of the hedge scale: then derived from it.",
    )
    probability_origin = serializers.ChoiceField(choices=ProbabilityOrigin.choices, required=False)
    made_on = serializers.DateField(required=False, help_text="Defaults to the source's publication date.")
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id", "question", "expert", "source", "quote", "quote_start", "quote_end", "statement", "hedge", "predicts",
            "probability", "probability_origin", "probability_note", "made_on", "external_id", "outcome",
        ]
        read_only_fields = ["quote_start", "quote_end"]

    @extend_schema_field(serializers.ChoiceField(choices=Outcome.choices, allow_null=True))
    def get_outcome(self, claim):
        resolution = getattr(claim.question, "resolution", None)
        return resolution.outcome if resolution else None


class CalibrationBinSerializer(serializers.Serializer):
    bin_low = serializers.FloatField()
    bin_high = serializers.FloatField()
    n = serializers.IntegerField()
    mean_forecast = serializers.FloatField()
    observed = serializers.FloatField()
    ci95 = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)


class DecompositionSerializer(serializers.Serializer):
    reliability = serializers.FloatField()
    resolution = serializers.FloatField()
    uncertainty = serializers.FloatField()


class ExpertScoresSerializer(ScoreFieldsSerializer):
    expert = serializers.CharField(source="expert.slug")
    calibration = CalibrationBinSerializer(many=True)
    decomposition = serializers.SerializerMethodField()

    @extend_schema_field(DecompositionSerializer(allow_null=True))
    def get_decomposition(self, score):
        if score.reliability is None:
            return None
        return {"reliability": score.reliability, "resolution": score.resolution, "uncertainty": score.uncertainty}


class LeaderboardScoresSerializer(ScoreFieldsSerializer):
    """An expert's scores on the leaderboard, with the shrunk Brier the ranking uses by default."""

    shrunk_brier = serializers.FloatField(
        allow_null=True, read_only=True,
        help_text="Brier shrunk toward chance: (n · brier + k · 0.25) / (n + k), 0.25 being the Brier of always "
                  "saying 50 %, k = HINDSIGHT_SHRINK_K (see /how-scores-work/#ranking).",
    )


class LeaderboardEntrySerializer(serializers.Serializer):
    """A forecasts.selectors.LeaderboardEntry: the expert, rank (null when unranked) and scores."""

    expert = serializers.CharField(source="expert.slug")
    name = serializers.CharField(source="expert.name")
    affiliation = serializers.CharField(source="expert.affiliation")
    ranked = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True)
    pseudo = serializers.BooleanField(
        help_text='True for the panel pseudo-expert (expert "panel"): the median of the experts\' forecasts on '
                  "every question with two or more of them, a reference row placed where its score falls, never ranked."
    )
    scores = LeaderboardScoresSerializer()


class LeaderboardQuerySerializer(serializers.Serializer):
    """The leaderboard's query parameters, for the API and the public page alike."""

    ORDERS = list(LEADERBOARD_ORDERS)
    min_scored = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False,
        help_text="Fewest scored questions to be ranked (default: the HINDSIGHT_MIN_SCORED setting).",
    )
    order = serializers.ChoiceField(
        choices=ORDERS, default=ORDERS[0],
        help_text="Score to rank by, best first; default shrunk_brier (the Brier shrunk toward chance, 0.25).",
    )
    topic = serializers.SlugRelatedField(
        slug_field="slug", queryset=Topic.objects.all(), required=False,
        error_messages={"does_not_exist": "No topic with the slug “{value}”."},
        help_text="Topic slug: scores recomputed over the questions with this topic.",
    )
    made_after = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"],
        help_text="YYYY-MM-DD: only claims made on or after this date (scores recomputed).",
    )
    made_before = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"],
        help_text="YYYY-MM-DD: only claims made on or before this date (scores recomputed).",
    )

    def validate(self, data):
        if "made_after" in data and "made_before" in data and data["made_after"] > data["made_before"]:
            raise serializers.ValidationError({"made_before": ["Must not be earlier than made_after."]})
        return data


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    """One change to a record: who, when, why, and what changed."""

    record = serializers.ChoiceField(choices=["question", "resolution", "claim"])
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    at = serializers.DateTimeField()
    by = ActorField()
    reason = serializers.CharField(allow_blank=True)
    changes = FieldChangeSerializer(many=True)
    outcome = serializers.CharField(required=False, help_text="Resolution entries only.")
    evidence_url = serializers.CharField(required=False, help_text="Resolution entries only.")
    note = serializers.CharField(required=False, help_text="Resolution entries only.")
    probability = serializers.FloatField(required=False, help_text="Claim entries only.")
    hedge = serializers.CharField(required=False, help_text="Claim entries only.")
