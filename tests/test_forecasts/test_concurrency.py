"""Two analysts at the same moment, on real PostgreSQL connections: one record, exact scores."""

import threading

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forecasts import services
from forecasts.constants import Outcome
from forecasts.models import ExpertScore, QuestionScore, Resolution
from forecasts.score_table import recompute_all_scores
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite allows one writer at a time and has no row locks; run with DATABASE_URL=postgres://…",
    ),
]
SCORE_FIELDS = ["expert_id", "scored", "brier", "log_score", "peer_score", "calibration", "reliability"]


def _at_once(*requests):
    """Run the request functions in threads released together; return their responses."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            responses[index] = request()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


def _client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _scores():
    return sorted(ExpertScore.objects.values_list(*SCORE_FIELDS)), sorted(
        QuestionScore.objects.values_list("question_id", "expert_id", "brier", "peer_score")
    )


@pytest.fixture
def two_analysts(analyst, django_user_model):
    from forecasts.services import ensure_analysts_group

    second = django_user_model.objects.create_user("bea", password="analyst-pass-2", is_staff=True)
    second.groups.add(ensure_analysts_group())
    return _client(analyst), _client(second)


@pytest.fixture
def question_with_claims():
    default_scale(likely=0.675)
    question, source = QuestionFactory(), SourceFactory()
    claims = [
        services.record_claim(question=question, expert=ExpertFactory(), source=source, quote="q", probability=p)
        for p in (0.2, 0.6, 0.9)
    ]
    return question, claims


def test_two_analysts_resolving_one_question_at_once_store_one_resolution(two_analysts, question_with_claims):
    question, _ = question_with_claims
    url = f"/api/questions/{question.pk}/resolve/"
    first, second = two_analysts
    responses = _at_once(
        lambda: first.post(url, {"outcome": "yes"}, format="json"),
        lambda: second.post(url, {"outcome": "no"}, format="json"),
    )
    assert sorted(response.status_code for response in responses) == [201, 409]
    loser = next(response for response in responses if response.status_code == 409)
    assert "already resolved" in loser.json()["detail"]
    assert Resolution.objects.filter(question=question).count() == 1
    incremental = _scores()
    recompute_all_scores()
    assert _scores() == incremental


def test_two_concurrent_claim_edits_on_a_resolved_question_both_land_and_scores_stay_exact(two_analysts, question_with_claims):
    question, claims = question_with_claims
    services.resolve_question(question=question, outcome=Outcome.YES)
    first, second = two_analysts
    responses = _at_once(
        lambda: first.patch(f"/api/claims/{claims[0].pk}/", {"probability": 0.35}, format="json"),
        lambda: second.patch(f"/api/claims/{claims[1].pk}/", {"probability": 0.75}, format="json"),
    )
    assert [response.status_code for response in responses] == [200, 200]
    by_claim = dict(QuestionScore.objects.values_list("claim_id", "brier"))
    assert by_claim[claims[0].pk] == pytest.approx((0.35 - 1) ** 2)
    assert by_claim[claims[1].pk] == pytest.approx((0.75 - 1) ** 2)
    incremental = _scores()
    recompute_all_scores()
    assert _scores() == incremental


def test_six_concurrent_edits_across_questions_sharing_experts_never_deadlock(two_analysts):
    default_scale(likely=0.675)
    source, experts = SourceFactory(), [ExpertFactory() for _ in range(3)]
    claims = []
    for question in (QuestionFactory(), QuestionFactory()):
        for expert in experts:
            claims.append(services.record_claim(question=question, expert=expert, source=source, quote="q", probability=0.5))
        services.resolve_question(question=question, outcome=Outcome.NO)
    clients = two_analysts * 3
    new_probabilities = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7]
    responses = _at_once(*[
        (lambda client=client, claim=claim, p=p: client.patch(f"/api/claims/{claim.pk}/", {"probability": p}, format="json"))
        for client, claim, p in zip(clients, claims, new_probabilities)
    ])
    assert [response.status_code for response in responses] == [200] * 6
    by_claim = dict(QuestionScore.objects.values_list("claim_id", "brier"))
    assert [by_claim[claim.pk] for claim in claims] == pytest.approx([p**2 for p in new_probabilities])
    incremental = _scores()
    recompute_all_scores()
    assert _scores() == incremental
