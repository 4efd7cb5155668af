"""The REST API as its users drive it: an analyst with a token writes, anyone reads."""

import math

import pytest
from django.core.management import call_command

from forecasts import services
from forecasts.constants import Outcome
from forecasts.models import Claim, Resolution
from tests.test_forecasts.factories import QuestionFactory, ResolutionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def scale():
    return default_scale(likely=0.675, doubt=0.25)


def _post(client, url, data, status):
    response = client.post(url, data, format="json")
    assert response.status_code == status, response.content
    return response.json()


def test_an_analyst_builds_a_record_over_http_and_gets_the_design_scores(client, analyst):
    token = _post(client, "/api/auth/token/", {"username": "ana", "password": "analyst-pass-1"}, 200)["token"]
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    _post(api, "/api/experts/", {"slug": "alice", "name": "Alice A", "affiliation": "Uni"}, 201)
    _post(api, "/api/experts/", {"slug": "bob", "name": "Bob B"}, 201)
    source = _post(api, "/api/sources/", {
        "title": "Panel", "url": "https://example.org/panel", "publisher": "NK News",
        "published_on": "2019-04-19", "authors": ["alice"],
    }, 201)
    assert source["authors"] == ["alice"]
    questions = [
        _post(api, "/api/questions/", {"title": f"Q{i}?", "resolution_criteria": "YES if so.", "deadline": "2019-12-31"}, 201)
        for i in (1, 2, 3)
    ]
    q1, q2, q3 = (question["id"] for question in questions)
    claim = {"source": source["id"], "quote": "Quoted words."}
    _post(api, "/api/claims/", {**claim, "question": q1, "expert": "alice", "probability": 0.8}, 201)
    _post(api, "/api/claims/", {**claim, "question": q1, "expert": "bob", "probability": 0.4}, 201)
    derived = _post(api, "/api/claims/", {**claim, "question": q2, "expert": "alice", "hedge": "likely", "predicts": "no"}, 201)
    assert (derived["probability"], derived["probability_origin"]) == (pytest.approx(0.325), "hedge")
    assert derived["made_on"] == "2019-04-19"
    _post(api, "/api/claims/", {**claim, "question": q2, "expert": "bob", "probability": 0.9}, 201)
    _post(api, "/api/claims/", {**claim, "question": q3, "expert": "alice", "probability": 0.7}, 201)
    resolution = _post(api, f"/api/questions/{q1}/resolve/", {"outcome": "yes", "evidence_url": "https://example.org/e"}, 201)
    assert resolution["resolved_by"] == "ana"
    _post(api, f"/api/questions/{q2}/resolve/", {"outcome": "no"}, 201)
    _post(api, f"/api/questions/{q3}/resolve/", {"outcome": "annulled", "note": "Condition never met."}, 201)

    scores = api.get("/api/experts/alice/scores/").json()

    brier_1, brier_2 = (0.8 - 1) ** 2, (0.325 - 0) ** 2  # 0.04, 0.105625
    brier = (brier_1 + brier_2) / 2  # 0.0728125
    # s = |a − b| / √2 = 0.0464 is below the floor 0.1: t(1) · 0.1 / √2 = 0.8985
    half_width = 12.706 * 0.1 / 2**0.5
    assert scores["expert"] == "alice"
    assert (scores["scored"], scores["open"], scores["unscorable"]) == (2, 0, 1)
    assert scores["brier"] == pytest.approx(brier)
    assert scores["brier_ci95"] == pytest.approx([0.0, brier + half_width])
    assert scores["brier_skill"] == pytest.approx(1 - brier / 0.25)
    assert scores["log_score"] == pytest.approx((math.log(0.8) + math.log(1 - 0.325)) / 2)
    assert scores["baseline_score"] == pytest.approx(
        (100 * (math.log2(0.8) + 1) + 100 * (math.log2(0.675) + 1)) / 2
    )
    peer_1 = 100 * (math.log(0.8) - math.log(0.4))
    peer_2 = 100 * (math.log(0.675) - math.log(1 - 0.9))
    assert scores["peer_score"] == pytest.approx((peer_1 + peer_2) / 2)
    assert [(b["bin_low"], b["bin_high"], b["n"], b["observed"]) for b in scores["calibration"]] == [
        (0.3, 0.4, 1, 0.0), (0.8, 0.9, 1, 1.0),
    ]
    assert scores["calibration"][0]["mean_forecast"] == pytest.approx(0.325)
    assert scores["decomposition"] == pytest.approx(
        {"reliability": brier, "resolution": 0.25, "uncertainty": 0.25}
    )
    bob = api.get("/api/experts/bob/scores/").json()
    assert bob["peer_score"] == pytest.approx((-peer_1 - peer_2) / 2)


def test_scores_of_an_expert_with_nothing_scored_are_null(anonymous_api):
    ExpertFactory(slug="newbie")
    body = anonymous_api.get("/api/experts/newbie/scores/").json()
    assert body["scored"] == 0
    assert body["brier"] is None and body["brier_ci95"] is None and body["decomposition"] is None
    assert body["calibration"] == []


def test_leaderboard_ranks_by_brier_and_lists_short_records_after(anonymous_api):
    source = SourceFactory()
    good, bad, newcomer = ExpertFactory(name="Good"), ExpertFactory(name="Bad"), ExpertFactory(name="New")
    for index in range(2):
        question = QuestionFactory()
        services.record_claim(question=question, expert=good, source=source, quote="q", probability=0.9)
        services.record_claim(question=question, expert=bad, source=source, quote="q", probability=0.2)
        if index == 0:
            services.record_claim(question=question, expert=newcomer, source=source, quote="q", probability=0.99)
        services.resolve_question(question=question, outcome=Outcome.YES)

    body = anonymous_api.get("/api/leaderboard/?min_scored=2").json()
    rows = [(row["expert"], row["ranked"], row["rank"]) for row in body["results"]]
    # The panel median: 0.9 on the first question (of 0.9, 0.2, 0.99), (0.9 + 0.2) / 2 = 0.55 on the second;
    # Brier (0.01 + 0.2025) / 2, shrunk (0.2125 + 1.25) / 7 = 0.209: between Good (0.181) and Bad (0.361).
    assert rows == [(good.slug, True, 1), ("panel", False, None), (bad.slug, True, 2), (newcomer.slug, False, None)]
    assert [row["pseudo"] for row in body["results"]] == [False, True, False, False]
    assert body["results"][1]["scores"]["brier"] == pytest.approx((0.01 + 0.45**2) / 2)
    assert body["results"][0]["scores"]["brier"] == pytest.approx(0.01)  # (0.9 − 1)²
    by_peer = anonymous_api.get("/api/leaderboard/?order=peer_score").json()["results"]
    ln = math.log
    good_peer = (100 * (ln(0.9) - (ln(0.99) + ln(0.2)) / 2) + 100 * (ln(0.9) - ln(0.2))) / 2  # 110.4
    newcomer_peer = 100 * (ln(0.99) - (ln(0.9) + ln(0.2)) / 2)  # 84.7, one question
    # The panel has no peer score (it is not compared with the experts), so no reference row by peer score.
    assert [row["expert"] for row in by_peer] == [good.slug, newcomer.slug, bad.slug]
    assert by_peer[0]["scores"]["peer_score"] == pytest.approx(good_peer)
    assert by_peer[1]["scores"]["peer_score"] == pytest.approx(newcomer_peer)


def test_one_lucky_call_does_not_outrank_a_long_good_record_by_default(anonymous_api):
    source = SourceFactory()
    good, bad, newcomer = ExpertFactory(name="Good"), ExpertFactory(name="Bad"), ExpertFactory(name="New")
    for index in range(7):
        question = QuestionFactory()
        services.record_claim(question=question, expert=good, source=source, quote="q", probability=0.9)
        services.record_claim(question=question, expert=bad, source=source, quote="q", probability=0.4)
        if index == 0:
            services.record_claim(question=question, expert=newcomer, source=source, quote="q", probability=0.99)
        services.resolve_question(question=question, outcome=Outcome.YES)
    # Briers: good 0.01 × 7, bad 0.36 × 7, newcomer 0.0001 × 1. Shrunk toward chance (0.25) with k = 5, i.e.
    # k · 0.25 = 1.25 added: good (0.07 + 1.25) / 12 = 0.11, newcomer (0.0001 + 1.25) / 6 = 0.2083500,
    # bad (2.52 + 1.25) / 12 = 0.3141667. (Toward the pool mean 2.5901 / 15 they would be 0.0778, 0.1439, 0.2819.)
    # The panel median: 0.9 on the first question, (0.9 + 0.4) / 2 = 0.65 on the six others:
    # Brier (0.01 + 6 · 0.1225) / 7 = 0.745 / 7, shrunk (0.745 + 1.25) / 12 = 0.16625.
    body = anonymous_api.get("/api/leaderboard/").json()["results"]
    assert [(row["expert"], row["rank"]) for row in body] == [
        (good.slug, 1), ("panel", None), (newcomer.slug, 2), (bad.slug, 3),
    ]
    shrunk = [row["scores"]["shrunk_brier"] for row in body]
    assert shrunk == pytest.approx([0.11, 0.16625, 0.20835, 0.3141667], abs=1e-7)
    assert body[1]["scores"]["brier"] == pytest.approx(0.745 / 7)
    assert body[2]["scores"]["brier"] == pytest.approx(0.0001)  # the raw Brier is still given
    by_raw = anonymous_api.get("/api/leaderboard/?order=brier").json()["results"]
    assert [row["expert"] for row in by_raw] == [newcomer.slug, good.slug, "panel", bad.slug]


@pytest.mark.parametrize("query, field", [("order=luck", "order"), ("min_scored=many", "min_scored")])
def test_leaderboard_rejects_bad_parameters_by_name(anonymous_api, query, field):
    response = anonymous_api.get(f"/api/leaderboard/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_resolving_twice_gets_409_with_a_message(analyst_api):
    question = QuestionFactory()
    _post(analyst_api, f"/api/questions/{question.pk}/resolve/", {"outcome": "yes"}, 201)
    body = _post(analyst_api, f"/api/questions/{question.pk}/resolve/", {"outcome": "no"}, 409)
    assert "already resolved" in body["detail"]
    assert Resolution.objects.get(question=question).outcome == "yes"


def test_patching_a_resolution_needs_a_reason_and_keeps_history(analyst_api):
    question = QuestionFactory()
    _post(analyst_api, f"/api/questions/{question.pk}/resolve/", {"outcome": "yes"}, 201)
    url = f"/api/questions/{question.pk}/resolve/"
    refused = analyst_api.patch(url, {"outcome": "no"}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    changed = analyst_api.patch(url, {"outcome": "no", "reason": "New evidence."}, format="json")
    assert changed.status_code == 200 and changed.json()["outcome"] == "no"
    history = Resolution.objects.get(question=question).history.all()
    assert {(h.outcome, h.history_user.username) for h in history} == {("yes", "ana"), ("no", "ana")}


def test_patching_an_unresolved_question_resolution_is_a_conflict(analyst_api):
    question = QuestionFactory()
    response = analyst_api.patch(f"/api/questions/{question.pk}/resolve/", {"note": "x"}, format="json")
    assert response.status_code == 409


def test_an_analyst_reopens_a_question_with_a_reason_kept_in_the_history(analyst_api):
    question = QuestionFactory()
    _post(analyst_api, f"/api/questions/{question.pk}/resolve/", {"outcome": "yes"}, 201)

    response = analyst_api.delete(f"/api/questions/{question.pk}/resolve/", {"reason": "Wrong article."}, format="json")

    assert response.status_code == 204, response.content
    assert not Resolution.objects.filter(question=question).exists()
    assert analyst_api.get(f"/api/questions/{question.pk}/").json()["resolution"] is None
    removal = Resolution.history.filter(question_id=question.pk).latest("history_id")
    assert (removal.history_type, removal.history_change_reason, removal.history_user.username) == (
        "-", "Wrong article.", "ana",
    )
    _post(analyst_api, f"/api/questions/{question.pk}/resolve/", {"outcome": "no"}, 201)  # and resolved again


def test_the_reopening_reason_may_come_in_the_query_string(analyst_api):
    question = ResolutionFactory().question

    response = analyst_api.delete(f"/api/questions/{question.pk}/resolve/?reason=Resolved+too+early.")

    assert response.status_code == 204, response.content
    assert Resolution.history.latest("history_id").history_change_reason == "Resolved too early."


@pytest.mark.parametrize("body", [None, {}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}])
def test_reopening_without_a_reason_is_a_400_naming_it_and_keeps_the_resolution(analyst_api, body):
    question = ResolutionFactory().question

    response = analyst_api.delete(f"/api/questions/{question.pk}/resolve/", body, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()) == ["reason"]
    assert Resolution.objects.filter(question=question).exists()


def test_reopening_an_open_question_is_a_conflict(analyst_api):
    question = QuestionFactory()

    response = analyst_api.delete(f"/api/questions/{question.pk}/resolve/", {"reason": "Oops."}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": f"Question {question.pk} is not resolved."}


def test_only_analysts_may_reopen(anonymous_api, reader_api):
    question = ResolutionFactory().question
    url = f"/api/questions/{question.pk}/resolve/"

    assert anonymous_api.delete(url, {"reason": "Oops."}, format="json").status_code == 401
    assert reader_api.delete(url, {"reason": "Oops."}, format="json").status_code == 403
    assert Resolution.objects.filter(question=question).exists()


def test_reopening_is_documented_in_the_schema(anonymous_api):
    schema = anonymous_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/questions/{id}/resolve/"]["delete"]

    assert set(operation["responses"]) == {"204", "400", "401", "403", "404", "409", "415", "429"}
    query = [parameter for parameter in operation["parameters"] if parameter["in"] == "query"]
    assert [(parameter["name"], parameter["required"]) for parameter in query] == [("reason", True)]
    assert "JSON body" in operation["description"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"expert": "nobody"}, "expert"),
        ({"probability": 1.5}, "probability"),
        ({"made_on": "19 April 2019"}, "made_on"),
        ({"probability": None, "hedge": "perchance"}, "hedge"),
        ({"probability": None, "hedge": ""}, "probability"),
        ({"question": 10**30}, "question"),
        ({"question": -1}, "question"),
        ({"source": "abc"}, "source"),
        ({"predicts": "maybe"}, "predicts"),
    ],
)
def test_bad_claims_get_400_naming_the_field_and_write_nothing(analyst_api, change, field):
    payload = {
        "question": QuestionFactory().pk, "expert": ExpertFactory(slug="known").slug,
        "source": SourceFactory().pk, "quote": "Words.", "probability": 0.5, **change,
    }
    payload = {key: value for key, value in payload.items() if value is not None}
    response = analyst_api.post("/api/claims/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Claim.objects.count() == 0


def test_an_outcome_outside_the_list_gets_400(analyst_api):
    question = QuestionFactory()
    response = analyst_api.post(f"/api/questions/{question.pk}/resolve/", {"outcome": "probably"}, format="json")
    assert response.status_code == 400
    assert "outcome" in response.json()
    assert not Resolution.objects.exists()


def test_malformed_json_gets_400(analyst_api):
    response = analyst_api.post("/api/claims/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_anonymous_writes_get_401_and_readers_403(anonymous_api, reader_api):
    question = QuestionFactory()
    assert anonymous_api.post("/api/experts/", {"name": "X"}, format="json").status_code == 401
    assert anonymous_api.post(f"/api/questions/{question.pk}/resolve/", {"outcome": "yes"}, format="json").status_code == 401
    assert reader_api.post("/api/experts/", {"name": "X"}, format="json").status_code == 403
    assert reader_api.post(f"/api/questions/{question.pk}/resolve/", {"outcome": "yes"}, format="json").status_code == 403
    assert not Resolution.objects.exists()


def test_anyone_can_read_lists(anonymous_api):
    ExpertFactory(name="Reader Visible")
    body = anonymous_api.get("/api/experts/").json()
    assert body["count"] == 1 and body["results"][0]["name"] == "Reader Visible"
    assert set(body) == {"count", "next", "previous", "results"}


def test_claims_filter_by_expert_question_and_status(anonymous_api):
    source, alice, bob = SourceFactory(), ExpertFactory(slug="alice"), ExpertFactory(slug="bob")
    open_question, closed_question = QuestionFactory(), QuestionFactory()
    for question in (open_question, closed_question):
        for expert in (alice, bob):
            services.record_claim(question=question, expert=expert, source=source, quote="q", probability=0.5)
    services.resolve_question(question=closed_question, outcome=Outcome.NO)

    def ids(query):
        return sorted((c["expert"], c["question"]) for c in anonymous_api.get(f"/api/claims/?{query}").json()["results"])

    assert ids("expert=alice") == sorted([("alice", open_question.pk), ("alice", closed_question.pk)])
    assert ids(f"question={open_question.pk}") == [("alice", open_question.pk), ("bob", open_question.pk)]
    assert ids("status=resolved&expert=bob") == [("bob", closed_question.pk)]
    resolved = anonymous_api.get("/api/claims/?status=resolved").json()["results"]
    assert {claim["outcome"] for claim in resolved} == {"no"}
    assert anonymous_api.get("/api/claims/?expert=nobody").status_code == 400


def test_analyst_deletes_a_claim_and_the_scores_follow(analyst_api):
    question, expert = QuestionFactory(), ExpertFactory(slug="alice")
    claim = services.record_claim(question=question, expert=expert, source=SourceFactory(), quote="q", probability=0.8)
    services.resolve_question(question=question, outcome=Outcome.YES)
    assert analyst_api.delete(f"/api/claims/{claim.pk}/").status_code == 204
    assert analyst_api.get("/api/experts/alice/scores/").json()["scored"] == 0


def test_unknown_api_paths_get_a_json_404(anonymous_api):
    response = anonymous_api.get("/api/nothing/here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "No API endpoint" in response.json()["detail"]


def test_a_token_can_be_revoked(client, analyst):
    from rest_framework.test import APIClient

    token = _post(client, "/api/auth/token/", {"username": "ana", "password": "analyst-pass-1"}, 200)["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.delete("/api/auth/token/").status_code == 204
    assert api.post("/api/experts/", {"name": "X"}, format="json").status_code == 401


def test_wrong_credentials_get_400_without_a_token(client, analyst):
    body = _post(client, "/api/auth/token/", {"username": "ana", "password": "wrong"}, 400)
    assert "token" not in body and body["non_field_errors"]


def test_the_openapi_schema_validates(capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_the_interactive_docs_are_served_without_a_cdn(anonymous_api):
    html = anonymous_api.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html and "/static/drf_spectacular_sidecar/" in html
