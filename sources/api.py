"""REST endpoints for experts and sources (/api/experts/, /api/sources/)."""

from django_filters import rest_framework as filters
from rest_framework import mixins, viewsets

from sources import search, services
from sources.filters import SearchFilter
from sources.models import Expert, Source
from sources.serializers import ExpertSerializer, SourceSerializer


class ReadCreatePatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and PATCH; no PUT and no DELETE."""

    http_method_names = ["get", "post", "patch", "head", "options"]


class ExpertViewSet(ReadCreatePatchViewSet):
    """Experts, by slug. `?search=` finds words in the name, affiliation and bio."""

    serializer_class = ExpertSerializer
    lookup_field = "slug"
    filter_backends = [SearchFilter]
    search_fields = search.EXPERT_SEARCH

    def get_queryset(self):
        return Expert.objects.order_by("name", "pk")

    def perform_create(self, serializer):
        serializer.instance = services.create_expert(**serializer.validated_data, user=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.update_expert(
            serializer.instance, **serializer.validated_data, user=self.request.user
        )


class SourceFilter(filters.FilterSet):
    author = filters.CharFilter(field_name="authors__slug", distinct=True, help_text="Expert slug.")
    published_after = filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = filters.DateFilter(field_name="published_on", lookup_expr="lte")

    class Meta:
        model = Source
        fields = ["publisher"]


class SourceViewSet(ReadCreatePatchViewSet):
    """Sources (articles, posts, interviews). `?search=` finds words in the title, publisher and excerpt."""

    serializer_class = SourceSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends = [filters.DjangoFilterBackend, SearchFilter]
    filterset_class = SourceFilter
    search_fields = search.SOURCE_SEARCH

    def get_queryset(self):
        return Source.objects.with_authors().order_by("-published_on", "pk")

    def perform_create(self, serializer):
        serializer.instance = services.create_source(**serializer.validated_data, user=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.update_source(
            serializer.instance, **serializer.validated_data, user=self.request.user
        )
