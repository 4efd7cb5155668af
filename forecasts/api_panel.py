"""REST endpoint for two experts head to head (/api/experts/{a}/versus/{b}/)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from forecasts import selectors_panel
from forecasts.serializers_panel import VersusSerializer


class VersusView(APIView):
    """Two experts head to head on every question both were scored on: each one's claim, probability and
    Brier, who was closer, and the mean Brier difference (a − b; negative: a was closer) with its 95 %
    Student-t interval. 400 naming `b` when a and b are the same expert."""

    @extend_schema(
        parameters=[
            OpenApiParameter("a", str, OpenApiParameter.PATH, description="Slug of the first expert."),
            OpenApiParameter("b", str, OpenApiParameter.PATH, description="Slug of the second expert (not a)."),
        ],
        responses=VersusSerializer,
    )
    def get(self, request, a, b):
        # The API's exception handler turns the selector's ValidationError into a 400 and Http404 into a 404.
        return Response(VersusSerializer(selectors_panel.versus_for_slugs(a, b)).data)
