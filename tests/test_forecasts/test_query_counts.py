"""Every list endpoint, the scores endpoint and every page do the same queries at any size."""

import pytest

from forecasts import services
from forecasts.constants import Outcome
from tests.test_forecasts.factories import QuestionFactory, TopicFactory, default_scale
from tests.test_forecasts.queries import queries_of
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _add_rows(count, expert):
    """count questions, each with a claim from `expert` and one from a new expert; half resolved."""
    default_scale(likely=0.675)
    source = SourceFactory()
    source.authors.add(expert, ExpertFactory())
    for index in range(count):
        question = QuestionFactory()
        question.topics.add(TopicFactory())
        for author in (expert, ExpertFactory()):
            services.record_claim(question=question, expert=author, source=source, quote="q", hedge="likely")
        if index % 2:
            services.resolve_question(question=question, outcome=Outcome.YES)




# Every API request also counts itself against its throttle: one INSERT ... ON CONFLICT (forecasts.throttling).
THROTTLE = 1


@pytest.mark.parametrize(
    "url, expected",
    [
        # count + page of experts
        ("/api/experts/", 2 + THROTTLE),
        # count + page of sources + their authors
        ("/api/sources/", 3 + THROTTLE),
        # count + page of questions (resolution joined, claims counted) + their topics
        ("/api/questions/", 3 + THROTTLE),
        # count + page of claims (expert, source, question, resolution joined)
        ("/api/claims/", 2 + THROTTLE),
        # the expert filter's lookup + count + page
        ("/api/claims/?expert={slug}", 3 + THROTTLE),
        # cold (the scores just changed): the panel's aggregate + its place among the ranked + count + page of
        # experts with score rows and ranks; the body is then stored in the read model
        ("/api/leaderboard/", 4 + THROTTLE),
        # cold: the expert with its score row
        ("/api/experts/{slug}/scores/", 1 + THROTTLE),
        # page, cold: topics for the filter + the panel's aggregate and place + COUNT of experts + the page of
        # experts + the marker "rank depends on the hedge scale" (hedge phrases, grouped counting claims)
        ("/", 7),
        # page: expert with score row + status counts + experts sharing a scored question
        # + claims with their per-claim scores (subqueries)
        # + the record: falsifiability counts, scores by topic, open questions by topic, scores with claim dates
        # + the hedge table (default scale, its phrases, the phrase counts)
        ("/experts/{slug}/", 11),
        # the expert + the same four record queries
        ("/api/experts/{slug}/record/", 5 + THROTTLE),
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_rows(client, url, expected):
    expert = ExpertFactory(slug="steady")
    _add_rows(3, expert)
    url = url.format(slug=expert.slug)
    small = queries_of(client, url)
    _add_rows(12, expert)
    large = queries_of(client, url)
    assert len(small) == len(large) == expected, large


def test_a_claim_page_does_three_queries_however_many_claims_its_expert_made_on_the_question(client):
    expert = ExpertFactory(slug="steady")
    _add_rows(2, expert)
    question = QuestionFactory()
    source = SourceFactory()

    def add_claims(count):
        for day in range(count):
            services.record_claim(question=question, expert=expert, source=source, quote="q", probability=0.3,
                                  made_on=source.published_on.replace(day=day + 1))
        services.record_claim(question=question, expert=ExpertFactory(), source=source, quote="q", probability=0.6)

    add_claims(1)
    services.resolve_question(question=question, outcome=Outcome.NO)
    claim = question.claims.filter(expert=expert).order_by("made_on").first()
    # the claim (expert, source, question, resolution joined) + the expert's claims on the question + its score row
    small = queries_of(client, claim.get_absolute_url())
    add_claims(6)
    _add_rows(6, expert)
    large = queries_of(client, claim.get_absolute_url())
    assert len(small) == len(large) == 3, large


@pytest.mark.parametrize(
    "url, expected",
    [
        # the body from the read model (the cache, no query): only the throttle
        ("/api/leaderboard/", THROTTLE),
        ("/api/leaderboard/?order=log_score&page=2&page_size=5", THROTTLE),
        ("/api/experts/{slug}/scores/", THROTTLE),
        # the page's entries and the marker from the read model: only the topics for the filter
        ("/", 1),
        ("/?order=brier&page=2", 1),
    ],
)
def test_a_warm_read_runs_a_fixed_handful_of_queries(client, url, expected):
    expert = ExpertFactory(slug="steady")
    _add_rows(15, expert)
    url = url.format(slug=expert.slug)
    cold = queries_of(client, url)
    warm = queries_of(client, url)
    assert len(warm) == expected < len(cold), warm
