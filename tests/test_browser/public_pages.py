"""Every public page the quality checks visit (axe, html-validate, 390 px, screenshots), on the seed corpus.

Adding a page is one line in PUBLIC_PAGES. `{question}`, `{source}` and `{claim}` in a path are filled with the
ids the seed corpus gave a known question and source (ids differ between databases). A page whose
template belongs to another piece of work and fails a check is listed in KNOWN_FAILURES with the
finding, so that the check shows as xfail (and as XPASS once it is fixed).
"""

from dataclasses import dataclass, field

import pytest


@dataclass(frozen=True)
class PublicPage:
    name: str  # also the screenshot's file name: docs/screenshots/<name>-desktop.png and -phone.png
    path: str
    login: bool = False  # seen by a logged-in analyst (the admin)
    known_failures: dict = field(default_factory=dict)  # check name -> the finding, for xfail


PUBLIC_PAGES = [
    PublicPage("leaderboard", "/"),
    PublicPage("expert", "/experts/fyodor-tertitskiy/"),
    PublicPage("question", "/questions/{question}/"),
    PublicPage("source", "/sources/{source}/"),
    PublicPage("claim", "/claims/{claim}/"),
    PublicPage("questions", "/questions/"),
    PublicPage("sources", "/sources/"),
    PublicPage("experts", "/experts/"),
    PublicPage("search", "/search/?q=Putin"),
    PublicPage("versus", "/experts/fyodor-tertitskiy/versus/tereza-novotna/"),
    PublicPage("hedges", "/hedges/"),
    PublicPage("how-scores-work", "/how-scores-work/"),
    PublicPage("admin", "/admin/", login=True),
]

# The question every expert of the NK News roundup answered, and that roundup: the corpus's busiest pages.
SEED_QUESTION = "putin-mediates-us-nk-by-2019-end"
SEED_SOURCE = "2019-04-19-nknews-kim-heads-to-russia"


def page_path(page):
    """The page's path with the seed ids filled in (two queries when the path needs them)."""
    from forecasts.models import Claim, Question
    from sources.models import Source

    ids = {}
    if "{question}" in page.path:
        ids["question"] = Question.objects.get(slug=SEED_QUESTION).pk
    if "{source}" in page.path:
        ids["source"] = Source.objects.get(slug=SEED_SOURCE).pk
    if "{claim}" in page.path:
        ids["claim"] = Claim.objects.filter(question__slug=SEED_QUESTION).order_by("pk").values_list("pk", flat=True)[0]
    return page.path.format(**ids)


def cases(check):
    """pytest.param of each page for one check (axe, html, phone), xfail where a known failure is listed."""
    return [
        pytest.param(page, id=page.name, marks=[pytest.mark.xfail(reason=page.known_failures[check], strict=False)])
        if check in page.known_failures else pytest.param(page, id=page.name)
        for page in PUBLIC_PAGES
    ]
