"""Two experts head to head, as the API and the page give it, and the expert page's links to it."""

import datetime
import math

import pytest

from forecasts import services
from forecasts.constants import Outcome
from tests.test_forecasts.factories import QuestionFactory
from tests.test_forecasts.queries import queries_of
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db
MADE_ON = datetime.date(2019, 1, 15)


@pytest.fixture
def record():
    """Ann and Ben on three shared scored questions, plus questions that must not count between them.

    Shared (by deadline): "First" YES: Ann 0.875, Ben 0.675. "Second" NO: Ann 0.25, Ben 0.125 (his
    earlier 0.9 is superseded). "Third" YES: Ann 0.675, Ben 0.25. Not shared: Ann alone on "Alone"
    (YES), both on an open and on an ambiguous question. Cal shares "First" with both; Dee has only
    a claim on the open question.
    """
    source = SourceFactory()
    ann = ExpertFactory(name="Ann Archer", slug="ann")
    ben = ExpertFactory(name="Ben Baker", slug="ben")
    cal = ExpertFactory(name="Cal Clark", slug="cal")
    dee = ExpertFactory(name="Dee Dunn", slug="dee")

    def question(title, deadline, outcome, claims):
        q = QuestionFactory(title=title, deadline=deadline)
        ids = {}
        for expert, probability, *made_on in claims:
            claim = services.record_claim(
                question=q, expert=expert, source=source, quote="q", probability=probability,
                made_on=made_on[0] if made_on else MADE_ON,
            )
            ids[expert.slug] = claim.pk
        if outcome:
            services.resolve_question(question=q, outcome=outcome)
        return q, ids

    first = question("First", datetime.date(2019, 3, 31), Outcome.YES, [(ann, 0.875), (ben, 0.675), (cal, 0.4)])
    second = question(
        "Second", datetime.date(2019, 6, 30), Outcome.NO,
        [(ben, 0.9, datetime.date(2019, 1, 1)), (ann, 0.25), (ben, 0.125)],
    )
    third = question("Third", datetime.date(2019, 12, 31), Outcome.YES, [(ann, 0.675), (ben, 0.25)])
    question("Alone", datetime.date(2019, 9, 30), Outcome.YES, [(ann, 0.5)])
    question("Still open", datetime.date(2030, 1, 1), None, [(ann, 0.5), (ben, 0.5), (dee, 0.5)])
    question("Ambiguous", datetime.date(2019, 8, 31), Outcome.AMBIGUOUS, [(ann, 0.5), (ben, 0.9)])
    return {"ann": ann, "ben": ben, "cal": cal, "dee": dee, "source": source,
            "first": first, "second": second, "third": third}


# Hand-worked from DESIGN.md, Brier = (p − o)²:
#   First  (YES): Ann (0.875 − 1)² = 0.015625, Ben (0.675 − 1)² = 0.105625 → Ann closer, a − b = −0.09
#   Second (NO):  Ann 0.25² = 0.0625,          Ben 0.125² = 0.015625      → Ben closer, a − b = +0.046875
#   Third  (YES): Ann (0.675 − 1)² = 0.105625, Ben (0.25 − 1)² = 0.5625   → Ann closer, a − b = −0.456875
BRIERS = {
    "First": ((0.875 - 1) ** 2, (0.675 - 1) ** 2),
    "Second": ((0.25 - 0) ** 2, (0.125 - 0) ** 2),
    "Third": ((0.675 - 1) ** 2, (0.25 - 1) ** 2),
}
DIFFERENCES = [-0.09, 0.046875, -0.456875]
MEAN_DIFFERENCE = sum(DIFFERENCES) / 3  # −0.5 / 3 ≈ −0.1667
SPREAD = math.sqrt(sum((d - MEAN_DIFFERENCE) ** 2 for d in DIFFERENCES) / (3 - 1))  # sample sd ≈ 0.2605
HALF_WIDTH = 4.303 * SPREAD / math.sqrt(3)  # t(2 degrees of freedom) = 4.303
CI95 = (MEAN_DIFFERENCE - HALF_WIDTH, MEAN_DIFFERENCE + HALF_WIDTH)  # ≈ (−0.814, +0.480)


def test_the_api_compares_two_experts_question_by_question(client, record):
    body = client.get("/api/experts/ann/versus/ben/").json()

    (first, first_ids), (second, second_ids), (third, third_ids) = record["first"], record["second"], record["third"]
    assert body["a"] == {"slug": "ann", "name": "Ann Archer"} and body["b"] == {"slug": "ben", "name": "Ben Baker"}
    assert body["n"] == 3
    assert body["mean_difference"] == pytest.approx(-0.5 / 3)
    assert body["ci95"] == pytest.approx(list(CI95))
    assert (body["a_closer"], body["b_closer"], body["ties"]) == (2, 1, 0)
    assert body["questions"] == [
        {"question": first.pk, "title": "First", "outcome": "yes",
         "a": {"claim": first_ids["ann"], "probability": 0.875, "brier": pytest.approx(0.015625)},
         "b": {"claim": first_ids["ben"], "probability": 0.675, "brier": pytest.approx(0.105625)}, "closer": "a"},
        {"question": second.pk, "title": "Second", "outcome": "no",
         "a": {"claim": second_ids["ann"], "probability": 0.25, "brier": pytest.approx(0.0625)},
         "b": {"claim": second_ids["ben"], "probability": 0.125, "brier": pytest.approx(0.015625)}, "closer": "b"},
        {"question": third.pk, "title": "Third", "outcome": "yes",
         "a": {"claim": third_ids["ann"], "probability": 0.675, "brier": pytest.approx(0.105625)},
         "b": {"claim": third_ids["ben"], "probability": 0.25, "brier": pytest.approx(0.5625)}, "closer": "a"},
    ]
    for row in body["questions"]:
        assert (row["a"]["brier"], row["b"]["brier"]) == pytest.approx(BRIERS[row["title"]])


def test_swapping_the_experts_flips_the_sign_and_the_counts(client, record):
    body = client.get("/api/experts/ben/versus/ann/").json()
    assert body["mean_difference"] == pytest.approx(0.5 / 3)
    assert body["ci95"] == pytest.approx([-CI95[1], -CI95[0]])
    assert (body["a_closer"], body["b_closer"]) == (1, 2)
    assert [row["closer"] for row in body["questions"]] == ["b", "a", "b"]


def test_one_shared_question_has_no_interval_and_none_has_no_mean(client, record):
    one = client.get("/api/experts/ann/versus/cal/").json()
    # First (YES): Ann 0.015625, Cal (0.4 − 1)² = 0.36
    assert one["n"] == 1 and one["ci95"] is None
    assert one["mean_difference"] == pytest.approx((0.875 - 1) ** 2 - (0.4 - 1) ** 2)
    none = client.get("/api/experts/ann/versus/dee/").json()
    assert (none["n"], none["mean_difference"], none["ci95"], none["questions"]) == (0, None, None, [])
    assert (none["a_closer"], none["b_closer"], none["ties"]) == (0, 0, 0)


def test_equal_briers_are_a_tie_and_count_in_the_mean(client, record):
    tied = QuestionFactory(title="Tied", deadline=datetime.date(2019, 10, 31))
    for expert in (record["ann"], record["ben"]):
        services.record_claim(question=tied, expert=expert, source=record["source"], quote="q", probability=0.675,
                              made_on=MADE_ON)
    services.resolve_question(question=tied, outcome=Outcome.YES)
    body = client.get("/api/experts/ann/versus/ben/").json()
    assert next(row for row in body["questions"] if row["title"] == "Tied")["closer"] == "tie"
    assert (body["n"], body["a_closer"], body["b_closer"], body["ties"]) == (4, 2, 1, 1)
    assert body["mean_difference"] == pytest.approx((sum(DIFFERENCES) + 0) / 4)


@pytest.mark.parametrize("url", ["/api/experts/ann/versus/nobody/", "/api/experts/nobody/versus/ann/"])
def test_an_unknown_expert_is_a_json_404(client, record, url):
    response = client.get(url)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No expert with the slug “nobody”."}


def test_an_expert_against_himself_is_a_400_naming_b(client, record):
    response = client.get("/api/experts/ann/versus/ann/")
    assert response.status_code == 400
    assert response.json() == {"b": ["Must be a different expert from a."]}


def test_the_page_sums_up_and_tabulates_the_shared_questions(client, record):
    response = client.get("/experts/ann/versus/ben/")
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('id="versus-summary"')
    summary = " ".join(html[start:html.index("</p>", start)].split())
    assert "Over 3 shared questions, Ann Archer's Brier was lower by 0.167 on average" in summary  # 0.5 / 3
    low, high = (f"{value:+.3f}".replace("-", "\u2212") for value in CI95)
    assert f"95 % interval of Ann Archer's Brier minus Ben Baker's: {low} to {high}" in summary
    assert "Ann Archer was closer on 2, Ben Baker on 1." in summary
    table = html[html.index('id="versus-table"'):html.index("</table>")]
    rows = table.split("<tr")[2:]
    assert [row[row.index(">", row.index("<a ")) + 1:row.index("</a>")] for row in rows] == ["First", "Second", "Third"]
    assert f'href="/questions/{record["first"][0].pk}/"' in rows[0]
    assert "87.5\u00a0%" in rows[0] and "67.5\u00a0%" in rows[0]
    assert f"<strong>{0.015625:.3f}</strong>" in rows[0] and f"{0.105625:.3f}" in rows[0]
    # who was closer is written out, not only shown by the bold Brier
    closer = '<td data-label="Closer">'
    assert [row.split(closer, 1)[1].split("</td>")[0] for row in rows] == ["Ann Archer", "Ben Baker", "Ann Archer"]
    assert '<th scope="col">Closer</th>' in table and '<th scope="row" data-label="Question">' in table


def test_the_page_says_when_there_is_nothing_shared_or_one_question(client, record):
    none = client.get("/experts/ann/versus/dee/").content.decode()
    assert "Ann Archer and Dee Dunn have no scored question in common yet." in none and 'id="versus-table"' not in none
    one = client.get("/experts/ann/versus/cal/").content.decode()
    assert "Over 1 shared question, Ann Archer's Brier was lower by" in " ".join(one.split())
    assert "one question: too few for an interval" in one


def test_the_page_answers_404_and_400_as_the_api_does(client, record):
    assert client.get("/experts/ann/versus/nobody/").status_code == 404
    response = client.get("/experts/ann/versus/ann/")
    assert response.status_code == 400
    assert "<code>b</code>: Must be a different expert from a." in response.content.decode()


def test_the_expert_page_links_to_the_experts_sharing_a_scored_question(client, record):
    html = client.get("/experts/ann/").content.decode()
    section = html[html.index('id="versus"'):html.index('id="track-record"')]
    assert 'href="/experts/ann/versus/ben/"' in section and "(3 shared questions)" in section
    assert 'href="/experts/ann/versus/cal/"' in section and "(1 shared question)" in section
    assert section.index("Ben Baker") < section.index("Cal Clark")
    assert "dee" not in section and "/versus/ann/" not in section
    assert 'id="versus"' not in client.get("/experts/dee/").content.decode()


def _grow(record, count):
    """count more questions scored for both Ann and Ben (and a new expert), all resolved YES."""
    for _ in range(count):
        question = QuestionFactory()
        for expert in (record["ann"], record["ben"], ExpertFactory()):
            services.record_claim(question=question, expert=expert, source=record["source"], quote="q", probability=0.6,
                                  made_on=MADE_ON)
        services.resolve_question(question=question, outcome=Outcome.YES)


@pytest.mark.parametrize(
    "url, expected",
    [
        # both experts + their score rows on the questions both were scored on (titles joined) (+ the throttle's count)
        ("/api/experts/ann/versus/ben/", 2 + 1),
        ("/experts/ann/versus/ben/", 2),
        # expert with score row + status counts + experts sharing a question + claims with their scores
        # + the record's four queries (falsifiability, scores by topic, open questions by topic, dated scores)
        # + the hedge table (no hedge scale in this fixture: the scale lookup and the phrase counts)
        ("/experts/ann/", 10),
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_shared_questions(client, record, url, expected):
    small = queries_of(client, url)
    _grow(record, 6)
    large = queries_of(client, url)
    assert len(small) == len(large) == expected, large
