from rest_framework import serializers

from sources.links import validate_link, validate_links
from sources.models import Expert, Source


class ExpertSerializer(serializers.ModelSerializer):
    links = serializers.ListField(
        child=serializers.CharField(validators=[validate_link]), required=False, validators=[validate_links],
        help_text="A list of http or https URLs.",
    )

    class Meta:
        model = Expert
        fields = ["slug", "name", "affiliation", "bio", "links"]
        extra_kwargs = {"slug": {"required": False}}


class SourceSerializer(serializers.ModelSerializer):
    authors = serializers.SlugRelatedField(
        slug_field="slug", queryset=Expert.objects.all(), many=True, required=False,
        help_text="Slugs of the experts who wrote it.",
    )

    class Meta:
        model = Source
        fields = ["id", "slug", "title", "url", "publisher", "published_on", "authors", "excerpt", "notes", "article_text"]
        extra_kwargs = {
            "slug": {"required": False},
            "article_text": {"required": False, "help_text": "The article's full text; claims' quotes must be in it. "
                             "Left out of list answers (only on a single source)."},
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        view = self.context.get("view")
        if getattr(view, "action", None) == "list":
            data.pop("article_text", None)
        return data
