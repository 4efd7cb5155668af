"""Serializers of expert scores, built from the registry of scores (forecasts.scoring.registry).

Scores of the first API version are flat fields (`brier`, `brier_ci95`, `peer_score`,
`peer_scored`); later ones are objects {"value", "n", "ci95"} (e.g. `relative_brier`).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forecasts.scoring import registry

INTERVAL_SCHEMA = serializers.ListField(
    child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True,
    help_text="95 % interval [low, high]; null when it cannot be computed.",
)


class NestedScoreSchema(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField(help_text="Questions the score is computed on.")
    ci95 = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True)


def _interval(row, score):
    low, high = (getattr(row, name) for name in score.interval_names)
    return None if low is None else [low, high]


@extend_schema_field(INTERVAL_SCHEMA)
class IntervalField(serializers.Field):
    """A registry score's 95 % interval read from its two columns, as [low, high] or null."""

    def __init__(self, score, **kwargs):
        self.score = score
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, row):
        return _interval(row, self.score)


@extend_schema_field(NestedScoreSchema(allow_null=False))
class NestedScoreField(serializers.Field):
    """A registry score as {"value", "n", "ci95"}."""

    def __init__(self, score, **kwargs):
        self.score = score
        super().__init__(source="*", read_only=True, help_text=score.description, **kwargs)

    def to_representation(self, row):
        score = self.score
        n = getattr(row, score.count_name) if score.count_name else row.scored
        return {
            "value": getattr(row, score.name),
            "n": n or 0,
            "ci95": _interval(row, score) if score.interval else None,
        }


def registry_fields():
    """{field name: serializer field} for every registry score, in registry order."""
    fields = {}
    for score in registry.SCORES:
        if score.nested:
            fields[score.name] = NestedScoreField(score)
            continue
        fields[score.name] = serializers.FloatField(allow_null=True, read_only=True, help_text=score.description)
        if score.interval:
            fields[f"{score.name}_ci95"] = IntervalField(score)
        if score.count_name:
            fields[score.count_name] = serializers.IntegerField(read_only=True, help_text=f"Questions with a {score.label}.")
    return fields


class _Counts(serializers.Serializer):
    scored = serializers.IntegerField(read_only=True, help_text="Questions resolved YES or NO.")
    open = serializers.IntegerField(read_only=True, help_text="Unresolved questions.")
    unscorable = serializers.IntegerField(read_only=True, help_text="Questions resolved AMBIGUOUS or ANNULLED.")
    late = serializers.IntegerField(read_only=True, help_text="Resolved questions claimed only after the deadline.")


# An ExpertScore row's scores; every score is null where nothing is scored.
ScoreFieldsSerializer = type("ScoreFieldsSerializer", (_Counts,), {
    "__doc__": "The scores of an ExpertScore row; every score is null where nothing is scored.",
    **registry_fields(),
})
