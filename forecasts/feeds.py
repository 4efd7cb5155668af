"""Atom feeds (django.contrib.syndication): new resolutions, an expert's claims and outcomes, a topic.

The entries come from forecasts.selectors_feeds; this module maps them onto Atom. Entry ids are tag
URIs built from the site's host and the object (`tag:<host>,2019:claim/12`), so they stay the same
when the entry is updated or the page it links to moves.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.views.decorators.cache import cache_control

from forecasts import selectors_feeds
from forecasts.models import Topic
from sources.models import Expert

# The year of the oldest claims in the corpus: the date part of every tag URI (RFC 4151), fixed for stability.
TAG_YEAR = 2019


class EntriesFeed(Feed):
    """A feed of FeedEntry values; subclasses give get_object, title, link and entries()."""

    feed_type = Atom1Feed
    author_name = "Hindsight"

    @classmethod
    def as_view(cls):
        """A view making one feed object per request (the host read from the request is kept on it)."""

        def view(request, *args, **kwargs):
            return cls()(request, *args, **kwargs)

        # Feed readers poll: five minutes of caching, as the entries change only when an analyst writes.
        return cache_control(public=True, max_age=300)(view)

    def __call__(self, request, *args, **kwargs):
        self.host = request.get_host().split(":")[0]
        self.origin = request.build_absolute_uri("/").rstrip("/")
        return super().__call__(request, *args, **kwargs)

    def feed_guid(self, obj):
        return f"tag:{self.host},{TAG_YEAR}:feed{self.link(obj)}"

    def items(self, obj):
        return self.entries(obj)

    def item_title(self, entry):
        return entry.title

    def item_description(self, entry):
        # Atom1Feed marks the summary type="html": plain text is escaped so that a quote is never markup.
        return escape(entry.summary)

    def item_link(self, entry):
        return entry.link

    def item_guid(self, entry):
        return f"tag:{self.host},{TAG_YEAR}:{entry.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return entry.published

    def item_updateddate(self, entry):
        return entry.updated

    def item_author_name(self, entry):
        return entry.author_name or None

    def item_author_link(self, entry):
        return f"{self.origin}{entry.author_link}" if entry.author_link else None

    def item_categories(self, entry):
        return entry.categories


class ResolutionsFeed(EntriesFeed):
    """/feeds/resolutions.atom: the latest resolved questions."""

    title = "Hindsight: new resolutions"
    subtitle = "Questions resolved YES, NO, ambiguous or annulled, newest first."

    def link(self, obj=None):
        return reverse("leaderboard")

    def feed_guid(self, obj):
        return f"tag:{self.host},{TAG_YEAR}:feed/resolutions"

    def entries(self, obj):
        return selectors_feeds.resolution_entries()


class ExpertFeed(EntriesFeed):
    """/experts/<slug>/feed.atom: an expert's new claims and scored outcomes."""

    def get_object(self, request, slug):
        return get_object_or_404(Expert.objects.only("pk", "name", "slug"), slug=slug)

    def title(self, expert):
        return f"Hindsight: {expert.name}'s claims and outcomes"

    def subtitle(self, expert):
        return f"{expert.name}'s new claims and the scores of their resolved questions, newest first."

    def link(self, expert):
        return expert.get_absolute_url()

    def feed_guid(self, expert):
        return f"tag:{self.host},{TAG_YEAR}:feed/expert/{expert.pk}"

    def entries(self, expert):
        return selectors_feeds.expert_entries(expert)


class TopicFeed(EntriesFeed):
    """/topics/<slug>/feed.atom: new claims on a topic's questions and their resolutions."""

    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic):
        return f"Hindsight: {topic.name}"

    def subtitle(self, topic):
        return f"New claims on questions about {topic.name} and their resolutions, newest first."

    def link(self, topic):
        return f"{reverse('leaderboard')}?topic={topic.slug}"

    def feed_guid(self, topic):
        return f"tag:{self.host},{TAG_YEAR}:feed/topic/{topic.pk}"

    def entries(self, topic):
        return selectors_feeds.topic_entries(topic)
