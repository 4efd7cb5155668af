"""The REST API's URL map (/api/) and its token endpoint."""

from django.urls import path, re_path

import forecasts.urls  # noqa: F401  (registers the "id" path converter)
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from forecasts.api import ClaimViewSet, ExpertScoresView, LeaderboardView, QuestionViewSet
from forecasts.api_panel import VersusView
from forecasts.api_record import ExpertRecordView
from forecasts.api_hedges import ExpertHedgesView
from forecasts.api_review import AcceptSuggestionView, RejectSuggestionView, SourceSuggestionsView
from forecasts.api_scales import ScaleListView, SensitivityView
from forecasts.exceptions import api_not_found
from forecasts.parsers import JSONParser
from forecasts.throttling import ScopedThrottle
from forecasts.tokens import issue_token
from sources.api import ExpertViewSet, SourceViewSet


class TokenView(ObtainAuthToken):
    """POST username and password for a token; DELETE (authenticated) revokes it.

    A token lasts TOKEN_TTL days from when it was issued; a password change revokes it.
    """

    # ObtainAuthToken turns throttling off; token requests are throttled per client.
    throttle_classes = [ScopedThrottle]
    throttle_scope = "token"
    parser_classes = [FormParser, MultiPartParser, JSONParser]  # ObtainAuthToken's, with the API's JSON parser

    def get_serializer_context(self):
        # Authenticate with Django's own request: django-axes marks a locked-out attempt on it,
        # and its middleware turns that mark into the 429 lockout answer.
        return {**super().get_serializer_context(), "request": self.request._request}

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Wrong credentials: `{non_field_errors: [reason]}`."),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"token": issue_token(serializer.validated_data["user"]).key})

    @extend_schema(request=None, responses={204: None, 401: OpenApiResponse(description="Not authenticated.")})
    def delete(self, request, *args, **kwargs):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


router = DefaultRouter()
router.register("experts", ExpertViewSet, basename="expert")
router.register("sources", SourceViewSet, basename="source")
router.register("questions", QuestionViewSet, basename="question")
router.register("claims", ClaimViewSet, basename="claim")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("experts/<slug:slug>/scores/", ExpertScoresView.as_view(), name="expert-scores"),
    path("experts/<slug:slug>/record/", ExpertRecordView.as_view(), name="expert-record"),
    path("experts/<slug:a>/versus/<slug:b>/", VersusView.as_view(), name="expert-versus"),
    path("experts/<slug:slug>/hedges/", ExpertHedgesView.as_view(), name="expert-hedges"),
    path("leaderboard/", LeaderboardView.as_view(), name="leaderboard"),
    path("scales/", ScaleListView.as_view(), name="scales"),
    path("sensitivity/", SensitivityView.as_view(), name="sensitivity"),
    path("sources/<id:pk>/suggestions/", SourceSuggestionsView.as_view(), name="source-suggestions"),
    path("suggestions/<id:pk>/accept/", AcceptSuggestionView.as_view(), name="suggestion-accept"),
    path("suggestions/<id:pk>/reject/", RejectSuggestionView.as_view(), name="suggestion-reject"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the CSP needs no inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
    re_path(r"^[\s\S]*$", api_not_found),  # [\s\S]: a path with a newline is a JSON 404 too
]
