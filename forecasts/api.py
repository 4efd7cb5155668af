"""REST endpoints for questions, claims, resolutions, scores and the leaderboard."""

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from forecasts import api_scales, history, search, selectors, services
from forecasts.api_cached import CachedJSONMixin
from forecasts.filters import ClaimFilter, QuestionFilter
from forecasts.models import Claim, Question
from forecasts.serializers import (
    ChangeResolutionInputSerializer,
    ClaimSerializer,
    ExpertScoresSerializer,
    HistoryEntrySerializer,
    LeaderboardEntrySerializer,
    LeaderboardQuerySerializer,
    QuestionSerializer,
    ReopenInputSerializer,
    ResolutionSerializer,
    ResolveInputSerializer,
)
from forecasts.serializers_panel import QuestionDetailSerializer
from sources.filters import SearchFilter
from sources.models import Expert

# The JSON error responses (400, 401, 403, 404, 409, 429) are added to every operation by
# forecasts.schema.HindsightAutoSchema; the declarations below give the success responses only.


class QuestionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Questions: resolvable propositions with criteria, a deadline and (once resolved) an outcome.

    `?search=` finds words in the title and the resolution criteria.
    """

    serializer_class = QuestionSerializer
    filterset_class = QuestionFilter
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends = [DjangoFilterBackend, SearchFilter]
    search_fields = search.QUESTION_SEARCH
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]  # DELETE: only …/resolve/
    # Resolving is adding a Resolution; changing or removing one (reopening), as in the admin, is changing it.
    write_permissions = {
        "resolve": {"POST": "forecasts.add_resolution", "PATCH": "forecasts.change_resolution"},
        "reopen": {"DELETE": "forecasts.change_resolution"},
    }

    def get_serializer_class(self):
        # Only the detail carries the panel: it takes a query of its own per question.
        return QuestionDetailSerializer if self.action == "retrieve" else QuestionSerializer

    def get_queryset(self):
        if self.action in ("resolve", "reopen", "history"):
            return Question.objects.all()  # the actions need the question only, not its list annotations
        return Question.objects.for_list().order_by("-deadline", "pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_question(**data, user=self.request.user)

    def perform_update(self, serializer):
        question = services.update_question(serializer.instance, **serializer.validated_data, user=self.request.user)
        serializer.instance = self.get_queryset().get(pk=question.pk)  # with its claim count

    @extend_schema(
        methods=["POST"], request=ResolveInputSerializer,
        responses={201: ResolutionSerializer},
        description="Resolve the question (analysts). 409 if it is already resolved.",
    )
    @extend_schema(
        methods=["PATCH"], request=ChangeResolutionInputSerializer,
        responses={200: ResolutionSerializer},
        description="Change the resolution (analysts); a changed outcome needs a `reason`. "
        "The previous version stays in the history. 409 if the question is not resolved.",
    )
    @action(detail=True, methods=["post", "patch"])
    def resolve(self, request, pk=None):
        question = self.get_object()
        if request.method == "POST":
            params = ResolveInputSerializer(data=request.data)
            params.is_valid(raise_exception=True)
            resolution = services.resolve_question(question=question, resolved_by=request.user, **params.validated_data)
            return Response(self._resolution_data(resolution), status=status.HTTP_201_CREATED)
        params = ChangeResolutionInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        resolution = services.change_resolution(question=question, changed_by=request.user, **params.validated_data)
        return Response(self._resolution_data(resolution))

    def _resolution_data(self, resolution):
        return ResolutionSerializer(resolution, context=self.get_serializer_context()).data

    @extend_schema(
        # OpenAPI 3.0 gives DELETE no request body, so the schema names the query parameter.
        parameters=[ReopenInputSerializer], request=None, responses={204: None},
        description="Reopen the question (analysts): remove its resolution, saying why in `reason` (in the "
        "query string, or as `{\"reason\": ...}` in a JSON body). The resolution and the reason stay in "
        "the history. 409 if the question is not resolved.",
    )
    @resolve.mapping.delete
    def reopen(self, request, pk=None):
        params = ReopenInputSerializer(data=request.data or request.query_params)
        params.is_valid(raise_exception=True)
        services.unresolve_question(question=self.get_object(), user=request.user, **params.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """The question's changes and its resolution's (outcome, evidence, note, who, when, reason), newest first."""
        return Response(HistoryEntrySerializer(
            history.question_history(self.get_object()), many=True, context=self.get_serializer_context()
        ).data)


class ClaimViewSet(viewsets.ModelViewSet):
    """Claims: an expert's stance on a question in a source, with its probability of YES.

    `?search=` finds words in the quote and the statement.
    """

    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    filter_backends = [DjangoFilterBackend, SearchFilter]
    search_fields = search.CLAIM_SEARCH
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Claim.objects.for_list().order_by("-made_on", "-pk")

    def perform_create(self, serializer):
        serializer.instance = services.record_claim(**serializer.validated_data, user=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.update_claim(
            serializer.instance, **serializer.validated_data, user=self.request.user
        )

    def perform_destroy(self, instance):
        services.delete_claim(instance, user=self.request.user)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """The claim's changes (who, when, what), newest first."""
        return Response(HistoryEntrySerializer(
            history.claim_history(self.get_object()), many=True, context=self.get_serializer_context()
        ).data)


@extend_schema(parameters=[api_scales.ScaleQuerySerializer])
class ExpertScoresView(CachedJSONMixin, generics.RetrieveAPIView):
    """An expert's scores: Brier with its 95 % interval, log, baseline and peer scores, calibration."""

    serializer_class = ExpertScoresSerializer
    cacheable_params = frozenset({"format"})  # ?scale= recomputes

    def retrieve(self, request, *args, **kwargs):
        return self.cached_json(lambda: super(ExpertScoresView, self).retrieve(request, *args, **kwargs))

    def get_queryset(self):
        return Expert.objects.with_score()

    def get_object(self):
        expert = get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])
        if "scale" in self.request.query_params:  # recomputed under another hedge scale
            return api_scales.expert_scores_under_scale(expert, self.request.query_params["scale"])
        return selectors.stored_score(expert)


@extend_schema(
    parameters=[LeaderboardQuerySerializer],
    responses=LeaderboardEntrySerializer(many=True),
)
class LeaderboardView(CachedJSONMixin, generics.ListAPIView):
    """Experts ranked by a score (Brier by default, best first); those with too short a record follow, unranked.

    With `topic` or a claim date range the scores are recomputed over that subset of questions. Every page,
    filtered or not, comes from the read model until a score changes (a filtered one is computed once per
    score version and filter).
    """

    serializer_class = LeaderboardEntrySerializer
    filter_backends = []
    cacheable_params = frozenset({"order", "min_scored", "page", "page_size", "format", "topic", "made_after", "made_before"})

    def list(self, request, *args, **kwargs):
        return self.cached_json(lambda: super(LeaderboardView, self).list(request, *args, **kwargs))

    def get_queryset(self):
        params = LeaderboardQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.leaderboard_entries(**params.validated_data)
