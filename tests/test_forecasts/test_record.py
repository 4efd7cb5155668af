"""An expert's record over time, by topic and in what could not be scored: selector, page and API."""

import datetime

import pytest

from forecasts import charts, services
from forecasts.constants import Outcome
from forecasts.score_table import deferred_rescoring
from forecasts.selectors_record import expert_record
from tests.test_forecasts.factories import QuestionFactory, TopicFactory, default_scale
from tests.test_forecasts.queries import queries_of
from tests.test_forecasts.test_views import PageChecker
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db
APRIL_1, APRIL_11, MAY_1 = datetime.date(2019, 4, 1), datetime.date(2019, 4, 11), datetime.date(2019, 5, 1)

# Ann's three scored questions, each counted by a claim on its own date (worked from DESIGN.md: Brier (p − o)²).
FIRST = (0.875 - 1) ** 2  # 0.015625: 0.875 on a question that resolved YES, made 1 April
SECOND = (0.4 - 1) ** 2  # 0.36: 0.4 on a YES question, made 11 April
THIRD = (0.9 - 0) ** 2  # 0.81: 0.9 on a NO question, made 1 May


@pytest.fixture
def record():
    """Ann: three scored questions, an ambiguous one, an annulled one, a claim after the deadline, open questions.

    Summit topic: Q1 (scored), Q2 (scored), the ambiguous question, an open question (two claims).
    Sanctions topic: Q2, Q3 (scored). Labour topic: an open question only.
    Q1 also has Ann's earlier claim (superseded) and one made after its deadline.
    """
    default_scale()
    summit = TopicFactory(slug="summit", name="Summit")
    sanctions = TopicFactory(slug="sanctions", name="Sanctions")
    labour = TopicFactory(slug="labour", name="Labour")
    ann, ben = ExpertFactory(name="Ann Archer", slug="ann"), ExpertFactory(slug="ben")
    source = SourceFactory()

    def question(*topics, deadline=datetime.date(2019, 12, 31)):
        created = QuestionFactory(deadline=deadline)
        created.topics.add(*topics)
        return created

    def claim(on, expert, probability, made_on):
        services.record_claim(question=on, expert=expert, source=source, quote="q", probability=probability,
                              made_on=made_on)

    q1, q2, q3 = question(summit), question(summit, sanctions), question(sanctions)
    ambiguous, annulled = question(summit), question()
    late = question(deadline=datetime.date(2019, 6, 30))
    open_summit, open_labour = question(summit), question(labour)
    claim(q1, ann, 0.5, datetime.date(2019, 3, 1))  # superseded by the next
    claim(q1, ann, 0.875, APRIL_1)
    claim(q1, ann, 0.99, datetime.date(2020, 1, 5))  # after the deadline: cannot be scored
    claim(q2, ann, 0.4, APRIL_11)
    claim(q3, ann, 0.9, MAY_1)
    claim(ambiguous, ann, 0.7, APRIL_1)
    claim(annulled, ann, 0.3, APRIL_1)
    claim(late, ann, 0.8, datetime.date(2019, 7, 15))
    claim(open_summit, ann, 0.6, APRIL_1)
    claim(open_summit, ann, 0.65, MAY_1)
    claim(open_labour, ann, 0.2, MAY_1)
    claim(q1, ben, 0.1, APRIL_1)  # another expert's claims change nothing of Ann's
    claim(ambiguous, ben, 0.5, APRIL_1)
    for resolved, outcome in [(q1, Outcome.YES), (q2, Outcome.YES), (q3, Outcome.NO), (ambiguous, Outcome.AMBIGUOUS),
                              (annulled, Outcome.ANNULLED), (late, Outcome.YES)]:
        services.resolve_question(question=resolved, outcome=outcome)
    return {"ann": ann, "ben": ben, "source": source}


def test_the_cumulative_brier_is_the_mean_of_the_scored_claims_made_up_to_each_date(record):
    over_time = expert_record(record["ann"]).over_time
    assert [(point.date, point.n) for point in over_time] == [(APRIL_1, 1), (APRIL_11, 2), (MAY_1, 3)]
    assert [point.value for point in over_time] == pytest.approx([
        FIRST,  # 0.015625
        (FIRST + SECOND) / 2,  # 0.1878125
        (FIRST + SECOND + THIRD) / 3,  # 0.3952083
    ])


def test_the_topic_table_counts_scored_and_open_questions_per_topic(record):
    topics = expert_record(record["ann"]).topics
    assert [(row.topic, row.name, row.scored, row.open) for row in topics] == [
        ("labour", "Labour", 0, 1),
        ("sanctions", "Sanctions", 2, 0),  # Q2 and Q3
        ("summit", "Summit", 2, 1),  # Q1 and Q2; the open question counts once for its two claims
    ]
    assert topics[0].brier is None
    assert topics[1].brier == pytest.approx((SECOND + THIRD) / 2)  # 0.585
    assert topics[2].brier == pytest.approx((FIRST + SECOND) / 2)  # 0.1878125


def test_falsifiability_counts_ambiguous_annulled_and_late_claims_over_claims_on_resolved_questions(record):
    falsifiability = expert_record(record["ann"]).falsifiability
    # Claims on resolved questions: Q1 three (superseded, counting, late), Q2, Q3, ambiguous, annulled, late = 8.
    # Could not be scored: Q1's late claim, the ambiguous, the annulled, the late question's = 4. The superseded
    # claim was scorable (an update, not vagueness); the three claims on open questions are in neither count.
    assert (falsifiability.unscorable, falsifiability.resolved_claims) == (4, 8)
    assert falsifiability.share == pytest.approx(4 / 8)


def test_an_expert_without_claims_has_an_empty_record():
    newcomer = ExpertFactory()
    record = expert_record(newcomer)
    assert (record.falsifiability.unscorable, record.falsifiability.resolved_claims) == (0, 0)
    assert record.falsifiability.share is None
    assert record.topics == [] and record.over_time == []


def test_the_api_returns_the_record(client, record):
    response = client.get("/api/experts/ann/record/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "expert": "ann",
        "falsifiability": {"unscorable": 4, "resolved_claims": 8, "share": pytest.approx(4 / 8)},
        "topics": [
            {"topic": "labour", "name": "Labour", "scored": 0, "brier": None, "open": 1},
            {"topic": "sanctions", "name": "Sanctions", "scored": 2, "brier": pytest.approx((SECOND + THIRD) / 2),
             "open": 0},
            {"topic": "summit", "name": "Summit", "scored": 2, "brier": pytest.approx((FIRST + SECOND) / 2), "open": 1},
        ],
        "over_time": [
            {"date": "2019-04-01", "n": 1, "cumulative_brier": pytest.approx(FIRST)},
            {"date": "2019-04-11", "n": 2, "cumulative_brier": pytest.approx((FIRST + SECOND) / 2)},
            {"date": "2019-05-01", "n": 3, "cumulative_brier": pytest.approx((FIRST + SECOND + THIRD) / 3)},
        ],
        # Only Q1 has a panel (Ann 0.875 and Ben 0.1): median 0.4875, Brier 0.5125² = 0.26265625.
        "relative_over_time": [
            {"date": "2019-04-01", "n": 1, "cumulative_relative_brier": pytest.approx(FIRST - (0.4875 - 1) ** 2)},
        ],
    }


def test_the_api_gives_null_share_without_resolved_claims(client):
    ExpertFactory(slug="quiet")
    body = client.get("/api/experts/quiet/record/").json()
    assert body == {
        "expert": "quiet", "falsifiability": {"unscorable": 0, "resolved_claims": 0, "share": None},
        "topics": [], "over_time": [], "relative_over_time": [],
    }


def test_an_unknown_expert_gets_a_json_404(client):
    response = client.get("/api/experts/nobody/record/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_the_expert_page_shows_the_record_beside_the_scores(client, record):
    html = client.get("/experts/ann/").content.decode()
    assert '<p id="falsifiability" class="small"><strong>4 of 8</strong> claims on resolved questions' in html
    assert "(50\u00a0%)" in html
    # The record sits right after the summary cards, before the calibration section.
    positions = [html.index(mark) for mark in ('id="scores"', 'id="falsifiability"', 'id="calibration"')]
    assert positions == sorted(positions)
    # Three points on the cumulative Brier line and one on the relative Brier's (only Q1 has a panel), a dashed
    # chance line at 0.25, and the points as a table.
    assert '<g class="series" data-name="brier">' in html and html.count('data-date="') == 3 + 1
    assert '<g class="series" data-name="relative_brier">' in html
    assert f"{FIRST - (0.4875 - 1) ** 2:.3f}".replace("-", "\u2212") in html or f"{FIRST - (0.4875 - 1) ** 2:.3f}" in html
    assert '<line class="reference" data-name="chance"' in html
    assert 'aria-labelledby="over-time-title over-time-desc"' in html
    assert f'<td class="num">{(FIRST + SECOND + THIRD) / 3:.3f}</td><td class="num">3</td>' in html  # 0.395
    assert '<tr data-topic="sanctions">' in html
    assert f'<td class="num">2</td><td class="num">{(SECOND + THIRD) / 2:.3f}</td><td class="num">0</td>' in html
    PageChecker.check(html)


def test_how_scores_work_defines_what_could_not_be_scored(client):
    html = client.get("/how-scores-work/").content.decode()
    assert '<h2 id="could-not-be-scored">' in html and '<h2 id="over-time">' in html
    assert "changing one's mind is an update, not\nvagueness" in html


def _add_scored(expert, source, count):
    """count questions, each with an in-time 0.8 claim by the expert (and by another), resolved YES, with a topic."""
    topic = TopicFactory()
    other = ExpertFactory()
    with deferred_rescoring():
        for index in range(count):
            question = QuestionFactory()
            question.topics.add(topic)
            for author in (expert, other):
                services.record_claim(question=question, expert=author, source=source, quote="q", probability=0.8,
                                      made_on=APRIL_1 + datetime.timedelta(days=index))
            services.resolve_question(question=question, outcome=Outcome.YES)




@pytest.mark.parametrize(
    "url, expected",
    [
        # the expert + falsifiability counts + scores by topic + open questions by topic + scores with claim dates
        # + the throttle's count
        ("/api/experts/ann/record/", 6),
        # expert with score row + status counts + claims + the same four record queries
        ("/experts/ann/", 11),
    ],
)
def test_the_record_takes_the_same_queries_at_two_sizes(client, record, url, expected):
    _add_scored(record["ann"], record["source"], 2)
    small = len(queries_of(client, url))
    _add_scored(record["ann"], record["source"], 6)
    assert small == len(queries_of(client, url)) == expected


def test_the_page_gives_readings_in_words_only_from_the_minimum_number_of_questions(client):
    default_scale()
    expert, source = ExpertFactory(slug="long"), SourceFactory()
    # 92 claims at 0.8 that came true: reliability (0.8 − 1)² = 0.04, one short of the minimum (93).
    _add_scored(expert, source, charts.READING_MIN_SCORED - 1)
    html = client.get("/experts/long/").content.decode()
    assert '<span class="verdict">Too few questions to say.</span>' in html
    assert "Only 92 scored questions; a reading needs at least 93" in html
    assert "Underconfident" not in html
    _add_scored(expert, source, 1)
    html = client.get("/experts/long/").content.decode()
    assert "Too few questions to say" not in html
    # 93 questions: 80 % sure of the side leaned to, that side happened every time: underconfident.
    assert '<span class="verdict">Underconfident.</span>' in html
    assert "80\u00a0% sure of the side they leaned to, and that side happened 100\u00a0%" in html
    # Every question resolved YES: nothing to tell apart.
    assert '<span class="verdict">Not judged.</span>' in html
