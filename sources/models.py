"""Where claims come from: the experts who make them and the sources that print them."""

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from sources.links import validate_links


class ExpertQuerySet(models.QuerySet):
    def with_score(self):
        """Experts with their score row (a LEFT JOIN: experts with no claims have none)."""
        return self.select_related("score")


class Expert(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in URLs and imports.")
    affiliation = models.CharField(max_length=300, blank=True)
    bio = models.TextField("short bio", blank=True)
    links = models.JSONField(
        default=list, blank=True, validators=[validate_links], help_text='A list of http or https URLs: ["https://…"].'
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ExpertQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("expert-detail", kwargs={"slug": self.slug})


class SourceQuerySet(models.QuerySet):
    def with_authors(self):
        """Sources with their authors prefetched."""
        return self.prefetch_related("authors")


class Source(models.Model):
    slug = models.SlugField(max_length=120, unique=True, help_text="Used in URLs and imports.")
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    published_on = models.DateField(db_index=True)
    authors = models.ManyToManyField(Expert, blank=True, related_name="authored_sources")
    excerpt = models.TextField(blank=True)
    article_text = models.TextField(
        blank=True, help_text="The article's full text, pasted or extracted from an uploaded file; claims' quotes are found in it.",
    )
    notes = models.TextField(blank=True, help_text="Provenance notes: what was inferred and how.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[authors])

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~models.Q(url=""), name="source_url_unique_when_set"
            ),
        ]

    def __str__(self):
        published = f"{self.published_on:%d %b %Y}" if self.published_on else "undated"
        return f"{self.title} ({self.publisher or 'unknown publisher'}, {published})"

    def get_absolute_url(self):
        return reverse("source-detail", kwargs={"pk": self.pk})
