"""GET /api/experts/{slug}/record/: an expert's falsifiability, per-topic table and cumulative Brier."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from forecasts.selectors_record import expert_record
from sources.models import Expert


class FalsifiabilitySerializer(serializers.Serializer):
    unscorable = serializers.IntegerField(
        help_text="Claims on resolved questions that could not be scored: the question resolved ambiguous or "
        "annulled, or the claim was made after the deadline."
    )
    resolved_claims = serializers.IntegerField(
        help_text="The expert's claims on resolved questions, superseded ones included (an update is not vagueness)."
    )
    share = serializers.FloatField(
        allow_null=True, help_text="unscorable / resolved_claims; null without resolved claims."
    )


class TopicRecordSerializer(serializers.Serializer):
    topic = serializers.CharField(help_text="The topic's slug.")
    name = serializers.CharField()
    scored = serializers.IntegerField(help_text="The expert's scored questions with this topic.")
    brier = serializers.FloatField(allow_null=True, help_text="Mean Brier over them; null when none is scored.")
    open = serializers.IntegerField(help_text="The expert's unresolved questions with this topic.")


class OverTimePointSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="A date on which the expert made a claim that counts on a scored question.")
    n = serializers.IntegerField(help_text="Scored questions whose counting claim was made on or before the date.")
    cumulative_brier = serializers.FloatField(source="value", help_text="Mean Brier over those n questions.")


class RelativeOverTimePointSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="A date on which the expert made a claim that counts on a question with a panel.")
    n = serializers.IntegerField(help_text="Such questions whose counting claim was made on or before the date.")
    cumulative_relative_brier = serializers.FloatField(source="value", help_text="Mean relative Brier over those n.")


class ExpertRecordSerializer(serializers.Serializer):
    expert = serializers.CharField(help_text="The expert's slug.")
    falsifiability = FalsifiabilitySerializer()
    topics = TopicRecordSerializer(
        many=True, help_text="Every topic of the expert's scored or open questions, by name."
    )
    over_time = OverTimePointSerializer(many=True, help_text="The cumulative Brier by claim date, oldest first.")
    relative_over_time = RelativeOverTimePointSerializer(
        many=True, help_text="The cumulative relative Brier (own − the panel median's) by claim date, oldest first; "
        "only questions with two or more experts.",
    )


class ExpertRecordView(APIView):
    """An expert's record over time and by topic, and the share of their claims that could not be scored."""

    @extend_schema(responses=ExpertRecordSerializer)
    def get(self, request, slug):
        expert = get_object_or_404(Expert.objects.only("pk", "slug"), slug=slug)
        record = expert_record(expert)
        return Response(ExpertRecordSerializer({
            "expert": expert.slug,
            "falsifiability": record.falsifiability,
            "topics": record.topics,
            "over_time": record.over_time,
            "relative_over_time": record.relative_over_time,
        }).data)
