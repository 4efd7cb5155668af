"""GET /api/experts/{slug}/hedges/: what each of an expert's hedge phrases turned out to mean."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from forecasts import selectors_hedges
from forecasts.constants import Side
from sources.models import Expert


class PhraseCalibrationSerializer(serializers.Serializer):
    """One hedge phrase stated about one side of the questions (scoring.PhraseCalibration)."""

    phrase = serializers.CharField(help_text="The phrase, normalised (lower case, no leading “I”).")
    side = serializers.ChoiceField(
        choices=Side.choices, help_text="The side the phrase was about (a claim's `predicts`)."
    )
    n = serializers.IntegerField(min_value=1, help_text="Counting claims on questions resolved YES or NO.")
    scale_probability = serializers.FloatField(
        allow_null=True, min_value=0, max_value=1,
        help_text="What the default scale says: the probability that the side comes true (null: not on the scale).",
    )
    observed = serializers.FloatField(min_value=0, max_value=1, help_text="Share of the claims whose side came true.")
    ci95 = serializers.ListField(
        child=serializers.FloatField(min_value=0, max_value=1), min_length=2, max_length=2,
        help_text="Wilson 95 % interval of `observed`: [low, high].",
    )
    implied_probability = serializers.FloatField(
        min_value=0, max_value=1,
        help_text="(came true + shrink_k · scale_probability) / (n + shrink_k): the observed share shrunk toward "
        "the scale; the observed share when the phrase is not on the scale.",
    )


class ExpertHedgesSerializer(serializers.Serializer):
    expert = serializers.SlugField(help_text="The expert's slug.")
    scale = serializers.SlugField(
        allow_null=True, help_text="The default hedge scale's slug (null when there is none)."
    )
    shrink_k = serializers.IntegerField(min_value=0, help_text="Weight of the scale in `implied_probability`.")
    phrases = PhraseCalibrationSerializer(many=True)


class ExpertHedgesView(APIView):
    """For each hedge phrase the expert used on questions resolved YES or NO, and the side it was about:
    how many claims, what the default scale says, how often that side came true (with its Wilson 95 %
    interval) and the probability the phrase implies for this expert.

    Only the claim that counts per question is read; claims without a hedge phrase are left out.
    Phrases are ordered by scale probability (phrases not on the scale last), then phrase and side.
    """

    @extend_schema(responses=ExpertHedgesSerializer)
    def get(self, request, slug):
        expert = get_object_or_404(Expert.objects.only("pk", "slug"), slug=slug)
        table = selectors_hedges.hedge_table(expert)
        return Response(ExpertHedgesSerializer({
            "expert": expert.slug,
            "scale": table.scale.scale.slug if table.scale.scale else None,
            "shrink_k": table.shrink_k,
            "phrases": [phrase.as_dict() for phrase in table.phrases],
        }).data)
