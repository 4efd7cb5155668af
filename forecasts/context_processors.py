"""Template context shared by the public pages."""

import re

from django.urls import reverse

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


def feed_links(request):
    """`feed_links`: [(title, url)] of the Atom feeds that fit the page (base.html links them in <head>).

    Read from the URL alone (no query): the resolutions feed everywhere, an expert's feed on their
    page, a topic's feed on the leaderboard filtered by that topic.
    """
    links = [("Hindsight: new resolutions", reverse("feed-resolutions"))]
    match = request.resolver_match
    name = match.url_name if match else None
    if name == "expert-detail":
        links.append(("This expert's claims and outcomes", reverse("feed-expert", kwargs={"slug": match.kwargs["slug"]})))
    topic = request.GET.get("topic", "")
    if name == "leaderboard" and _SLUG.match(topic):
        links.append(("This topic's claims and resolutions", reverse("feed-topic", kwargs={"slug": topic})))
    return {"feed_links": links}
