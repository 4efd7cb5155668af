"""REST endpoints for the hedge scales and the sensitivity of the ranking to them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from forecasts import selectors_scales
from forecasts.api_cached import CachedJSONMixin
from sources.echo import echoed


class ScalePhraseSerializer(serializers.Serializer):
    phrase = serializers.CharField()
    probability = serializers.FloatField(help_text="Probability that the hedged proposition is true.")
    note = serializers.CharField(allow_blank=True)


class ScaleAliasSerializer(serializers.Serializer):
    phrase = serializers.CharField(help_text="A phrase of the default scale that the scale's source does not list.")
    same_as = serializers.CharField(help_text="The scale's own phrase nearest in meaning, whose probability it takes.")
    probability = serializers.FloatField()
    note = serializers.CharField(allow_blank=True, help_text="Why this phrase is read so.")


class ScaleSerializer(serializers.Serializer):
    """A hedge scale with its provenance; `aliases` give a value to the default scale's phrases the source lacks."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    citation = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)
    is_default = serializers.BooleanField(help_text="Claims derive their probability from the default scale.")
    phrases = ScalePhraseSerializer(many=True)
    aliases = ScaleAliasSerializer(many=True)


class ScaleScoreSerializer(serializers.Serializer):
    scored = serializers.IntegerField()
    brier = serializers.FloatField()
    shrunk_brier = serializers.FloatField()
    rank = serializers.IntegerField(allow_null=True, help_text="Null when the record is too short to be ranked.")


class SensitivityExpertSerializer(serializers.Serializer):
    expert = serializers.SlugField()
    name = serializers.CharField()
    by_scale = serializers.DictField(child=ScaleScoreSerializer(), help_text="Scale slug → scores and rank.")
    rank_spread = serializers.IntegerField(allow_null=True, help_text="Highest minus lowest rank across the scales.")
    moves = serializers.BooleanField(help_text="The rank moves by more than two places across the scales.")


class SensitivitySerializer(serializers.Serializer):
    scales = serializers.ListField(child=serializers.SlugField())
    experts = SensitivityExpertSerializer(many=True)
    remapped_claims = serializers.DictField(
        child=serializers.IntegerField(), help_text="Scale slug → counting hedge claims given that scale's value."
    )
    unmapped_claims = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Scale slug → counting hedge claims whose phrase the scale lacks (they keep their probability).",
    )


class ScaleQuerySerializer(serializers.Serializer):
    scale = serializers.SlugField(
        required=False,
        help_text="Recompute the hedge-derived probabilities with this hedge scale (a slug of /api/scales/).",
    )


class ScaleListView(APIView):
    """The hedge scales, the default one first, each with its citation, phrases and aliases."""

    @extend_schema(responses=ScaleSerializer(many=True))
    def get(self, request):
        return Response(ScaleSerializer(selectors_scales.scales_for_api(), many=True).data)


class SensitivityView(CachedJSONMixin, APIView):
    """Each scored expert's Brier, shrunk Brier and rank under every hedge scale, and how far the rank moves.

    Only hedge-derived probabilities change with the scale; stated and analyst-set ones keep theirs.
    """

    cacheable_params = frozenset({"format"})

    @extend_schema(responses=SensitivitySerializer)
    def get(self, request):
        """From the read model: the table rescored every counting claim under every scale (seconds at 1M claims)."""
        return self.cached_json(self._compute)

    def _compute(self):
        table = selectors_scales.sensitivity_table()
        experts = [
            {
                "expert": expert.slug, "name": expert.name,
                "by_scale": {
                    slug: vars(table.by_scale[slug][expert.pk]) for slug in table.scales
                    if expert.pk in table.by_scale[slug]
                },
                "rank_spread": table.spreads.get(expert.pk), "moves": table.moves(expert.pk),
            }
            for expert in table.experts
        ]
        return Response(SensitivitySerializer({
            "scales": table.scales, "experts": experts,
            "remapped_claims": table.remapped, "unmapped_claims": table.unmapped,
        }).data)


def expert_scores_under_scale(expert, slug):
    """The expert's scores recomputed under the scale `slug` (for ExpertScoresView); 400 naming `scale`."""
    try:
        return selectors_scales.expert_score_under_scale(expert, slug)
    except selectors_scales.UnknownScale:
        raise ValidationError({"scale": [f"No hedge scale {echoed(slug)}; see /api/scales/."]}) from None
