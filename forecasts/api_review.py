"""REST endpoints of the review queue: run the engine on a source, list, accept and reject.

Analysts only (reading too: suggestions are work in progress, not published records).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from forecasts import review
from forecasts.constants import Side
from forecasts.models import Question, Suggestion
from sources.fields import BoundedPrimaryKeyRelatedField, StrictFloatField
from sources.models import Expert, Source


class ReviewPermission(BasePermission):
    """Reading needs forecasts.view_suggestion; running the engine add_, reviewing change_."""

    message = "Only analysts can see and review suggestions."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        action = "view" if request.method in ("GET", "HEAD", "OPTIONS") else getattr(view, "write_action", "change")
        return user.has_perm(f"forecasts.{action}_suggestion")


class SuggestionSerializer(serializers.ModelSerializer):
    expert = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True,
                                          help_text="The matched expert's slug; null: accepting adds the speaker.")
    question = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                                  help_text="The matched question's id; null: accepting creates the proposed one.")
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Suggestion
        fields = [
            "id", "source", "quote", "quote_start", "quote_end", "speaker_name", "expert", "statement", "hedge",
            "probability", "predicts", "deadline", "deadline_phrase", "conditional", "question", "question_score",
            "proposed_title", "reasons", "status", "reject_reason", "reviewed_by", "reviewed_at", "claim", "created_at",
        ]
        read_only_fields = fields


class AcceptInputSerializer(serializers.Serializer):
    """Optional changes made while accepting; any field left out keeps the suggestion's value."""

    quote = serializers.CharField(required=False, help_text="Must be in the source's article text.")
    speaker_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    expert = serializers.SlugRelatedField(slug_field="slug", queryset=Expert.objects.all(), required=False, allow_null=True)
    statement = serializers.CharField(required=False, allow_blank=True)
    hedge = serializers.CharField(required=False, allow_blank=True, max_length=100)
    probability = StrictFloatField(required=False, min_value=0, max_value=1,
                                   help_text="p(YES) set by the analyst; otherwise derived from the hedge.")
    predicts = serializers.ChoiceField(choices=Side.choices, required=False)
    deadline = serializers.DateField(required=False, allow_null=True)
    conditional = serializers.BooleanField(required=False)
    question = BoundedPrimaryKeyRelatedField(queryset=Question.objects.all(), required=False, allow_null=True)
    proposed_title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    resolution_criteria = serializers.CharField(required=False, allow_blank=True,
                                                help_text="For a new question; written from the statement when left out.")


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="Why the suggestion is rejected (e.g. not a forecast).")


class SourceSuggestionsView(APIView):
    """The suggestions for a source (GET, all of them in text order), or run the engine on its
    stored article text (POST)."""

    permission_classes = [ReviewPermission]
    write_action = "add"

    def get_source(self):
        return get_object_or_404(Source.objects.all(), pk=self.kwargs["pk"])

    def _listed(self, queryset):
        return SuggestionSerializer(queryset.for_queue().order_by("quote_start", "pk"), many=True).data

    @extend_schema(responses={200: SuggestionSerializer(many=True)},
                   description="Every suggestion for the source (pending and reviewed), in text order (analysts).")
    def get(self, request, pk):
        return Response(self._listed(Suggestion.objects.filter(source=self.get_source())))

    @extend_schema(
        request=None, responses={201: SuggestionSerializer(many=True)},
        description="Run the suggestion engine on the source's stored article text (analysts). Pending "
        "suggestions are replaced; reviewed ones are kept and not suggested again. 400 on `article_text` "
        "when the source has no text.",
    )
    def post(self, request, pk):
        created = review.suggest_for_source(source=self.get_source(), user=request.user)
        data = self._listed(Suggestion.objects.filter(pk__in=[suggestion.pk for suggestion in created]))
        return Response(data, status=status.HTTP_201_CREATED)


class SuggestionReviewView(APIView):
    permission_classes = [ReviewPermission]

    def get_suggestion(self, pk):
        return get_object_or_404(Suggestion.objects.all(), pk=pk)

    def answer(self, suggestion):
        return Response(SuggestionSerializer(Suggestion.objects.for_queue().get(pk=suggestion.pk)).data)


class AcceptSuggestionView(SuggestionReviewView):
    @extend_schema(
        request=AcceptInputSerializer, responses={200: SuggestionSerializer},
        description="Accept the suggestion, with optional changes to any field: records its claim (p(YES) "
        "derived from the hedge unless `probability` is given), adding the expert and the question when "
        "none is matched (a new question needs `proposed_title` and `deadline`). 409 if already reviewed.",
    )
    def post(self, request, pk):
        suggestion = self.get_suggestion(pk)
        params = AcceptInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        accepted = review.accept_suggestion(suggestion=suggestion, user=request.user, **params.validated_data)
        return self.answer(accepted)


class RejectSuggestionView(SuggestionReviewView):
    @extend_schema(
        request=RejectInputSerializer, responses={200: SuggestionSerializer},
        description="Reject the suggestion with a reason (kept for the engine's statistics). 409 if already reviewed.",
    )
    def post(self, request, pk):
        suggestion = self.get_suggestion(pk)
        params = RejectInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        rejected = review.reject_suggestion(suggestion=suggestion, user=request.user, **params.validated_data)
        return self.answer(rejected)
