"""Output serializers for the panel of a question and for two experts head to head."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forecasts import selectors_panel
from forecasts.serializers import QuestionSerializer


class PanelSerializer(serializers.Serializer):
    """A scoring.Panel."""

    median = serializers.FloatField(
        allow_null=True,
        help_text="Median p(YES) of the claims that count (the mean of the two middle ones when n is even); "
        "null without claims.",
    )
    mean = serializers.FloatField(
        allow_null=True, help_text="Mean p(YES) of the claims that count; null without claims.",
    )
    n = serializers.IntegerField(
        help_text="Experts in the panel: one claim each, the latest made on or before the deadline. "
        "Below 2 there is no panel to compare with yet.",
    )


class QuestionDetailSerializer(QuestionSerializer):
    """A question with its panel: the claims that count on it so far, taken together."""

    panel = serializers.SerializerMethodField()

    class Meta(QuestionSerializer.Meta):
        fields = [*QuestionSerializer.Meta.fields, "panel"]

    @extend_schema_field(PanelSerializer)
    def get_panel(self, question):
        return PanelSerializer(selectors_panel.question_panel(question)).data


class VersusExpertSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class VersusSideSerializer(serializers.Serializer):
    """One expert's scored claim on a shared question."""

    claim = serializers.IntegerField(help_text="Id of the claim that counts.")
    probability = serializers.FloatField(help_text="Its p(YES).")
    brier = serializers.FloatField(help_text="Its Brier score (lower is better).")


class VersusQuestionSerializer(serializers.Serializer):
    question = serializers.IntegerField(help_text="Question id.")
    title = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["yes", "no"])
    a = VersusSideSerializer()
    b = VersusSideSerializer()
    closer = serializers.ChoiceField(
        choices=["a", "b", "tie"], help_text="Whose Brier score was lower on this question; tie when equal.",
    )


class VersusSerializer(serializers.Serializer):
    """A selectors_panel.Versus: two experts on the questions both were scored on."""

    a = VersusExpertSerializer()
    b = VersusExpertSerializer()
    n = serializers.IntegerField(source="summary.n", help_text="Questions both experts were scored on.")
    mean_difference = serializers.FloatField(
        source="summary.mean_difference", allow_null=True,
        help_text="Mean of (a's Brier − b's Brier) over those questions: negative when a was closer on average; "
        "null when they share none.",
    )
    ci95 = serializers.ListField(
        source="summary.ci95", child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True,
        help_text="95 % Student-t interval [low, high] of the mean difference; null with fewer than two questions.",
    )
    a_closer = serializers.IntegerField(source="summary.a_closer", help_text="Questions where a's Brier was lower.")
    b_closer = serializers.IntegerField(source="summary.b_closer", help_text="Questions where b's Brier was lower.")
    ties = serializers.IntegerField(source="summary.ties", help_text="Questions with equal Brier scores.")
    questions = VersusQuestionSerializer(many=True)
