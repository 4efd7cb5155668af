"""The read model: score reads served from the shared cache per score version, never stale.

Brier scores worked by hand (DESIGN.md): a claim of p on a question resolved YES scores (1 - p)².
"""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from forecasts import score_version, services
from forecasts.constants import Outcome
from forecasts.models import ExpertScore, HedgePhrase, QuestionScore
from tests.test_forecasts.factories import QuestionFactory, TopicFactory, default_scale
from tests.test_forecasts.queries import queries_of
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    """Alice: p = 0.8 on a question resolved YES, so Brier (1 - 0.8)² = 0.04."""
    default_scale(likely=0.675)
    expert = ExpertFactory(slug="alice", name="Alice A")
    _scored_claim(expert, 0.8)
    return expert


def _scored_claim(expert, probability, *, resolve=True):
    question = QuestionFactory()
    services.record_claim(question=question, expert=expert, source=SourceFactory(), quote="q", probability=probability)
    if resolve:
        services.resolve_question(question=question, outcome=Outcome.YES)
    return question


def _leaderboard_brier(client, slug="alice", url="/api/leaderboard/"):
    rows = client.get(url).json()["results"]
    return next(row["scores"]["brier"] for row in rows if row["expert"] == slug)


def test_after_a_resolve_the_next_read_shows_the_new_scores(client, alice):
    assert _leaderboard_brier(client) == pytest.approx(0.04)
    assert client.get("/api/experts/alice/scores/").json()["brier"] == pytest.approx(0.04)
    assert "0.040" in client.get("/").content.decode()
    _scored_claim(alice, 0.3)  # (1 - 0.3)² = 0.49: mean (0.04 + 0.49) / 2 = 0.265
    assert _leaderboard_brier(client) == pytest.approx(0.265)
    assert client.get("/api/experts/alice/scores/").json()["brier"] == pytest.approx(0.265)
    assert "0.265" in client.get("/").content.decode()


def test_a_read_with_unchanged_scores_is_served_from_the_cache(client, alice):
    first = client.get("/api/leaderboard/?order=brier")
    queries = queries_of(client, "/api/leaderboard/?order=brier")
    assert len(queries) == 1 and "hindsight_throttle" in queries[0]  # the throttle's count only
    assert client.get("/api/leaderboard/?order=brier").content == first.content


def test_a_rolled_back_write_does_not_bump_the_version(client, alice):
    before = client.get("/api/leaderboard/").content
    version = score_version.current()
    with transaction.atomic():
        _scored_claim(alice, 0.3)
        transaction.set_rollback(True)
    assert score_version.current() == version
    assert client.get("/api/leaderboard/").content == before
    assert ExpertScore.objects.get(expert=alice).brier == pytest.approx(0.04)  # the write really was undone


def test_nothing_is_stale_after_recompute_scores(client, alice):
    assert _leaderboard_brier(client) == pytest.approx(0.04)
    # The score tables lose their rows behind the services' back, then recompute_scores rebuilds them.
    QuestionScore.objects.all().delete()
    ExpertScore.objects.filter(expert=alice).update(brier=0.5)
    call_command("recompute_scores", verbosity=0)
    assert _leaderboard_brier(client) == pytest.approx(0.04)
    assert client.get("/api/experts/alice/scores/").json()["brier"] == pytest.approx(0.04)


def test_a_rename_shows_at_once_on_the_leaderboard(client, alice):
    assert client.get("/api/leaderboard/").json()["results"][0]["name"] == "Alice A"
    alice.name = "Alice Renamed"
    alice.save()
    assert client.get("/api/leaderboard/").json()["results"][0]["name"] == "Alice Renamed"
    assert "Alice Renamed" in client.get("/").content.decode()


def test_an_edited_hedge_phrase_shows_at_once_on_the_hedge_dictionary(client, alice):
    assert client.get("/hedges/").context["table"].scale.probabilities["likely"] == pytest.approx(0.675)
    likely = HedgePhrase.objects.get(phrase="likely")
    services.set_hedge_phrase(scale=likely.scale, phrase="likely", probability=0.71, hedge_phrase=likely)
    assert client.get("/hedges/").context["table"].scale.probabilities["likely"] == pytest.approx(0.71)


def test_a_topic_change_bumps_the_version(client, alice):
    client.get("/api/leaderboard/")
    version = score_version.current()
    alice.claims.get().question.topics.add(TopicFactory())
    client.get("/api/leaderboard/")  # the test's stand-in for the commit runs before this read
    assert score_version.current() != version


def test_a_filtered_leaderboard_is_computed_once_per_version_and_follows_every_change(client, alice):
    """Alice's claims: 0.8 on a "summit" question (Brier 0.04), then 0.3 on another, resolved YES (0.49)."""
    summit = TopicFactory(slug="summit")
    alice.claims.get().question.topics.add(summit)
    url = "/api/leaderboard/?topic=summit"
    first = client.get(url)
    assert _leaderboard_brier(client, url=url) == pytest.approx(0.04)
    queries = queries_of(client, url)
    assert len(queries) == 1 and "hindsight_throttle" in queries[0]  # stored: the throttle's count only
    assert client.get(url).content == first.content
    second = _scored_claim(alice, 0.3)
    assert _leaderboard_brier(client, url=url) == pytest.approx(0.04)  # not on the topic: unchanged, recomputed
    second.topics.add(summit)  # now on it: (0.04 + 0.49) / 2 = 0.265
    assert _leaderboard_brier(client, url=url) == pytest.approx(0.265)
    made_on = alice.claims.order_by("pk").first().made_on
    dated = f"/api/leaderboard/?made_before={made_on.isoformat()}"
    assert _leaderboard_brier(client, url=dated) == pytest.approx(0.265)  # both claims made that day
    services.update_claim(second.claims.get(), made_on=made_on + datetime.timedelta(days=1))
    assert _leaderboard_brier(client, url=dated) == pytest.approx(0.04)  # the second now falls after the range


def test_the_leaderboard_page_filtered_by_topic_is_stored_per_topic(client, alice):
    bob = ExpertFactory(slug="bob", name="Bob B")
    summit, sanctions = TopicFactory(slug="summit"), TopicFactory(slug="sanctions")
    alice.claims.get().question.topics.add(summit)
    _scored_claim(bob, 0.1).topics.add(sanctions)  # (1 - 0.1)² = 0.81
    on_summit = client.get("/?topic=summit").content.decode()
    on_sanctions = client.get("/?topic=sanctions").content.decode()
    assert "Alice A" in on_summit and "Bob B" not in on_summit
    assert "Bob B" in on_sanctions and "Alice A" not in on_sanctions and "0.810" in on_sanctions
    assert len(queries_of(client, "/?topic=summit")) < 3  # the topics of the filter form; the page itself stored
    assert client.get("/?topic=summit").content.decode() == on_summit


def test_anonymous_readers_and_analysts_get_the_same_bodies(client, alice, analyst_api):
    """The leaderboard and scores show no usernames (README, "Security"): one stored body serves both."""
    anonymous = client.get("/api/leaderboard/").content
    assert analyst_api.get("/api/leaderboard/").content == anonymous
    assert b"ana" not in anonymous.replace(b"Alice", b"")
    assert analyst_api.get("/api/experts/alice/scores/").content == client.get("/api/experts/alice/scores/").content


def test_pagination_links_and_formats_are_kept_apart(client, alice):
    for index in range(3):
        _scored_claim(ExpertFactory(slug=f"e{index}"), 0.5 + index / 10)
    first = client.get("/api/leaderboard/?page_size=2").json()
    second = client.get("/api/leaderboard/?page_size=2&page=2").json()
    assert first["count"] == second["count"] == 4  # no panel row: no question has two experts
    assert first["next"].endswith("page=2&page_size=2") and second["previous"]
    assert {row["expert"] for row in first["results"]}.isdisjoint(row["expert"] for row in second["results"])
    browsable = client.get("/api/leaderboard/?page_size=2", HTTP_ACCEPT="text/html")
    assert browsable["Content-Type"].startswith("text/html")
    assert client.get("/api/leaderboard/?page_size=2")["Content-Type"] == "application/json"


def test_a_bad_parameter_is_still_a_400_naming_it(client, alice):
    response = client.get("/api/leaderboard/?order=nonsense")
    assert response.status_code == 400 and "order" in response.json()
    assert client.get("/api/leaderboard/?page=99").status_code == 400


def test_a_lost_version_starts_a_new_one_and_the_answers_are_recomputed(client, alice):
    client.get("/api/leaderboard/")
    version = score_version.current()
    cache.delete(score_version.VERSION_KEY)  # evicted, or Redis restarted
    ExpertScore.objects.filter(expert=alice).update(brier=0.3)  # only a recompute would see this
    assert score_version.current() != version
    assert _leaderboard_brier(client) == pytest.approx(0.3)


@pytest.mark.django_db(transaction=True)
def test_the_version_changes_only_when_the_transaction_commits(alice):
    """With real commits (no test transaction): the bump waits for the commit, and a rollback drops it."""
    version = score_version.current()
    with transaction.atomic():
        _scored_claim(alice, 0.3)
        assert score_version.current() == version  # not yet committed: readers still see the old version
    committed = score_version.current()
    assert committed != version
    with transaction.atomic():
        _scored_claim(alice, 0.2)
        transaction.set_rollback(True)
    assert score_version.current() == committed
