"""The panel of a question: the pure summary and head-to-head math, then the question page and API."""

import datetime
import math

import pytest

from forecasts import scoring, selectors_panel, services
from forecasts.constants import Outcome
from forecasts.scoring import Panel
from tests.test_forecasts.factories import QuestionFactory
from tests.test_forecasts.queries import queries_of
from tests.test_sources.factories import ExpertFactory, SourceFactory

# Pure math (no database)


@pytest.mark.parametrize(
    "probabilities, expected",
    [
        # odd n: the middle value; mean (0.25 + 0.675 + 0.875) / 3 = 1.8 / 3
        ([0.675, 0.25, 0.875], Panel(n=3, median=0.675, mean=1.8 / 3)),
        # even n: sorted 0.25, 0.5, 0.675, 0.875 → (0.5 + 0.675) / 2; mean 2.3 / 4
        ([0.875, 0.5, 0.25, 0.675], Panel(n=4, median=(0.5 + 0.675) / 2, mean=2.3 / 4)),
        # a panel of one is that one claim
        ([0.4], Panel(n=1, median=0.4, mean=0.4)),
        ([], Panel(n=0, median=None, mean=None)),
    ],
)
def test_the_panel_summary_is_the_median_and_mean_of_the_probabilities(probabilities, expected):
    panel = scoring.panel_summary(probabilities)
    assert panel.n == expected.n
    if expected.n:
        assert panel.median == pytest.approx(expected.median)
        assert panel.mean == pytest.approx(expected.mean)
    else:
        assert panel.median is None and panel.mean is None


@pytest.mark.parametrize(
    "brier_a, brier_b, expected",
    [
        (0.015625, 0.105625, "a"),
        (0.5625, 0.105625, "b"),
        # 67.5 % on a YES and 32.5 % on a NO are equally close, though the floats differ in the last bits
        ((0.675 - 1) ** 2, (0.325 - 0) ** 2, "tie"),
        (0.25, 0.25, "tie"),
    ],
)
def test_closer_names_the_lower_brier_or_a_tie(brier_a, brier_b, expected):
    assert scoring.closer(brier_a, brier_b) == expected


def test_head_to_head_on_three_questions_gives_the_mean_difference_and_its_t_interval():
    # a: 0.875 on YES, 0.25 on NO, 0.675 on YES; b: 0.675 on YES, 0.125 on NO, 0.25 on YES.
    pairs = [
        ((0.875 - 1) ** 2, (0.675 - 1) ** 2),  # 0.015625 vs 0.105625: a closer
        ((0.25 - 0) ** 2, (0.125 - 0) ** 2),  # 0.0625 vs 0.015625: b closer
        ((0.675 - 1) ** 2, (0.25 - 1) ** 2),  # 0.105625 vs 0.5625: a closer
    ]
    differences = [-0.09, 0.046875, -0.456875]
    mean = sum(differences) / 3  # −0.5 / 3 ≈ −0.1667
    s = math.sqrt(sum((d - mean) ** 2 for d in differences) / 2)
    half_width = 4.303 * s / math.sqrt(3)  # t(2 degrees of freedom) = 4.303

    result = scoring.head_to_head(pairs)

    assert result.n == 3
    assert result.mean_difference == pytest.approx(-0.5 / 3)
    assert result.ci95 == pytest.approx((mean - half_width, mean + half_width))
    assert (result.a_closer, result.b_closer, result.ties) == (2, 1, 0)


def test_head_to_head_with_one_question_has_no_interval_and_with_none_no_mean():
    one = scoring.head_to_head([(0.25, (0.675 - 1) ** 2)])
    assert one.n == 1 and one.mean_difference == pytest.approx(0.25 - 0.105625) and one.ci95 is None
    assert (one.a_closer, one.b_closer, one.ties) == (0, 1, 0)
    none = scoring.head_to_head([])
    assert (none.n, none.mean_difference, none.ci95) == (0, None, None)
    assert (none.a_closer, none.b_closer, none.ties) == (0, 0, 0)


def test_head_to_head_counts_ties_and_keeps_them_in_the_mean():
    result = scoring.head_to_head([(0.25, 0.25), (0.0625, 0.5625)])
    # differences 0 and −0.5: mean −0.25, s = √((0.25² + 0.25²) / 1), t(1) = 12.706
    s = math.sqrt(0.25**2 + 0.25**2)
    assert result.mean_difference == pytest.approx(-0.25)
    assert result.ci95 == pytest.approx((-0.25 - 12.706 * s / math.sqrt(2), -0.25 + 12.706 * s / math.sqrt(2)))
    assert (result.a_closer, result.b_closer, result.ties) == (1, 0, 1)


# The panel of a question in the database


@pytest.fixture
def question_with_claims(db):
    """A question (deadline 31 Dec 2019) with claims by four experts, one superseded, one late.

    Counting: Ann 0.875, Ben 0.25 (his later 0.25 supersedes his 0.9), Cal 0.675. Dee's only
    claim comes after the deadline and Eve's claim is on another question: neither counts.
    """
    source = SourceFactory()
    question = QuestionFactory(title="Will the summit happen?")
    names = ("Ann", "Ben", "Cal", "Dee", "Eve")
    ann, ben, cal, dee, eve = (ExpertFactory(name=name, slug=name.lower()) for name in names)

    def claim(expert, probability, made_on, on=question):
        return services.record_claim(
            question=on, expert=expert, source=source, quote="q", probability=probability, made_on=made_on,
        )

    claim(ann, 0.875, datetime.date(2019, 5, 1))
    claim(ben, 0.9, datetime.date(2019, 3, 1))
    claim(ben, 0.25, datetime.date(2019, 6, 1))
    claim(cal, 0.675, datetime.date(2019, 12, 31))  # on the deadline: counts
    claim(dee, 0.1, datetime.date(2020, 1, 1))  # after the deadline: does not count
    claim(eve, 0.5, datetime.date(2019, 5, 1), on=QuestionFactory())
    return {"question": question, "source": source, "experts": (ann, ben, cal, dee, eve)}


# Counting claims 0.25, 0.675, 0.875: median 0.675, mean (0.875 + 0.25 + 0.675) / 3 = 1.8 / 3 = 0.6
PANEL_MEDIAN = 0.675
PANEL_MEAN = (0.875 + 0.25 + 0.675) / 3


@pytest.mark.django_db
def test_the_panel_counts_one_claim_per_expert_on_or_before_the_deadline(question_with_claims):
    panel = selectors_panel.question_panel(question_with_claims["question"])
    assert panel.n == 3
    assert panel.median == pytest.approx(PANEL_MEDIAN)
    assert panel.mean == pytest.approx(PANEL_MEAN)


@pytest.mark.django_db
def test_an_even_panel_takes_the_mean_of_the_two_middle_claims(question_with_claims):
    question = question_with_claims["question"]
    services.record_claim(
        question=question, expert=ExpertFactory(), source=question_with_claims["source"], quote="q",
        probability=0.5, made_on=datetime.date(2019, 7, 1),
    )
    panel = selectors_panel.question_panel(question)
    # 0.25, 0.5, 0.675, 0.875: median (0.5 + 0.675) / 2 = 0.5875, mean 2.3 / 4 = 0.575
    assert (panel.n, panel.median, panel.mean) == (4, pytest.approx((0.5 + 0.675) / 2), pytest.approx(2.3 / 4))


@pytest.mark.django_db
def test_ties_on_the_date_go_to_the_claim_recorded_last(question_with_claims):
    question, source = question_with_claims["question"], question_with_claims["source"]
    cal = question_with_claims["experts"][2]
    services.record_claim(question=question, expert=cal, source=source, quote="q", probability=0.1,
                          made_on=datetime.date(2019, 12, 31))
    panel = selectors_panel.question_panel(question)
    # Cal's 0.1 replaces his 0.675: 0.1, 0.25, 0.875
    assert (panel.n, panel.median, panel.mean) == (3, 0.25, pytest.approx((0.1 + 0.25 + 0.875) / 3))


@pytest.mark.django_db
def test_the_api_detail_gives_the_panel_and_the_list_does_not(client, question_with_claims):
    question = question_with_claims["question"]
    body = client.get(f"/api/questions/{question.pk}/").json()
    assert body["panel"] == {"median": pytest.approx(PANEL_MEDIAN), "mean": pytest.approx(PANEL_MEAN), "n": 3}
    assert body["title"] == "Will the summit happen?" and body["claim_count"] == 5
    assert all("panel" not in row for row in client.get("/api/questions/").json()["results"])


@pytest.mark.django_db
def test_a_question_without_claims_has_an_empty_panel(client):
    question = QuestionFactory()
    assert client.get(f"/api/questions/{question.pk}/").json()["panel"] == {"median": None, "mean": None, "n": 0}
    html = client.get(question.get_absolute_url()).content.decode()
    assert "No panel yet: no expert has a claim that counts" in html


@pytest.mark.django_db
def test_the_question_page_shows_the_panel_and_explains_it(client, question_with_claims):
    html = client.get(question_with_claims["question"].get_absolute_url()).content.decode()
    panel = html[html.index('id="panel"'):html.index('id="claims"')]
    assert "Panel median p(YES)</span><span class=\"value\">67.5\u00a0%" in panel
    assert "Panel mean p(YES)</span><span class=\"value\">60\u00a0%" in panel  # (0.875 + 0.25 + 0.675) / 3
    assert "Experts in the panel</span><span class=\"value\">3" in panel
    assert "one per expert (each one's latest made on or before the deadline)" in panel
    assert " so far," in panel  # still open


@pytest.mark.django_db
def test_a_resolved_question_keeps_its_panel(client, question_with_claims):
    question = question_with_claims["question"]
    services.resolve_question(question=question, outcome=Outcome.YES)
    html = client.get(question.get_absolute_url()).content.decode()
    assert "Panel median p(YES)</span><span class=\"value\">67.5\u00a0%" in html and " so far," not in html
    assert client.get(f"/api/questions/{question.pk}/").json()["panel"]["n"] == 3


@pytest.mark.django_db
def test_one_expert_is_not_a_panel_yet(client):
    question = QuestionFactory()
    services.record_claim(question=question, expert=ExpertFactory(), source=SourceFactory(), quote="q", probability=0.3)
    html = client.get(question.get_absolute_url()).content.decode()
    assert "No panel yet: only one expert has a claim that counts on this question" in html
    assert 'id="panel-cards"' not in html
    assert client.get(f"/api/questions/{question.pk}/").json()["panel"] == {"median": 0.3, "mean": 0.3, "n": 1}


def _add_claims(question, source, count):
    for _ in range(count):
        services.record_claim(question=question, expert=ExpertFactory(), source=source, quote="q", probability=0.3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, expected",
    [
        # the question (resolution joined, claims counted) + its topics + the claims of its panel + the throttle's count
        ("/api/questions/{pk}/", 4),
        # the question with its resolution + its topics + claims (the panel is computed from them)
        ("/questions/{pk}/", 3),
    ],
)
def test_the_panel_adds_no_query_per_claim(client, question_with_claims, url, expected):
    question = question_with_claims["question"]
    url = url.format(pk=question.pk)

    small = queries_of(client, url)
    _add_claims(question, question_with_claims["source"], 6)
    large = queries_of(client, url)
    assert len(small) == len(large) == expected, large
