"""Verbal calibration: what each hedge phrase meant, per expert (API, expert page) and across the corpus (/hedges/)."""

import datetime
import math
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from forecasts import scoring, services
from forecasts.constants import Outcome
from forecasts.models import HedgePhrase
from forecasts.selectors_hedges import hedge_table
from tests.test_forecasts.factories import HedgeScaleFactory, QuestionFactory, default_scale
from tests.test_forecasts.queries import queries_of
from tests.test_forecasts.test_scores_doc import EXPECTED
from tests.test_forecasts.test_scores_doc import K as DOC_K
from tests.test_forecasts.test_scores_doc_api import SLUGS as DOC_SLUGS
from tests.test_forecasts.test_scores_doc_api import example  # noqa: F401  (the fixture: docs/scores.md built)
from tests.test_forecasts.test_views import PageChecker
from tests.test_sources.factories import ExpertFactory, SourceFactory


def _from_claims(rows, k):
    """scoring.verbal_calibration over single claims: rows of (phrase, side, scale_probability, side_came_true)."""
    return scoring.verbal_calibration(
        ((phrase, side, scale_probability, 1, int(came_true)) for phrase, side, scale_probability, came_true in rows), k
    )

Z = 1.959963984540054  # the 97.5th percentile of the standard normal


def wilson_by_hand(successes, n):
    """The Wilson score interval written out, clipped to [0, 1]:
    (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)."""
    phat = successes / n
    centre = (phat + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(phat * (1 - phat) / n + Z**2 / (4 * n**2))
    return [max(0.0, centre - half), min(1.0, centre + half)]


# Pure math


def test_a_phrase_is_scored_against_the_side_it_was_about_and_shrunk_toward_the_scale():
    rows = [
        ("will", "no", 0.9, 1),
        ("gut feeling", "yes", None, 0),
        ("likely", "no", 0.675, 0),
        ("likely", "yes", 0.675, 1),
        ("likely", "yes", 0.675, 0),
        ("likely", "yes", 0.675, 1),
    ]
    likely_yes, likely_no, will, gut = _from_claims(rows, k=5)

    # "likely" about YES: 2 of 3 came true.
    assert (likely_yes.phrase, likely_yes.side, likely_yes.n, likely_yes.successes) == ("likely", "yes", 3, 2)
    assert likely_yes.observed == pytest.approx(2 / 3)
    # p̂ = 2/3, n = 3: centre (2/3 + z²/6) / (1 + z²/3) = 0.6126..., half-width 0.3344...
    assert list(likely_yes.ci95) == pytest.approx(wilson_by_hand(2, 3))
    assert list(likely_yes.ci95) == pytest.approx([0.2076, 0.9385], abs=1e-4)
    assert likely_yes.implied_probability == pytest.approx((2 + 5 * 0.675) / (3 + 5))  # 5.375 / 8 = 0.671875

    # "likely" about NO, listed after the same phrase about YES: 0 of 1.
    assert (likely_no.side, likely_no.n, likely_no.observed) == ("no", 1, 0.0)
    assert list(likely_no.ci95) == pytest.approx([0.0, Z**2 / (1 + Z**2)])
    assert likely_no.implied_probability == pytest.approx((0 + 5 * 0.675) / (1 + 5))  # 0.5625

    # "will" about NO: the NO side came true once in one claim.
    assert (will.phrase, will.side, will.observed) == ("will", "no", 1.0)
    assert will.implied_probability == pytest.approx((1 + 5 * 0.9) / 6)  # 0.91666...

    # Not on the scale: nothing to shrink toward, so implied = observed; listed last.
    assert (gut.phrase, gut.scale_probability, gut.implied_probability) == ("gut feeling", None, 0.0)


def test_with_k_zero_the_implied_probability_is_the_observed_share():
    (only,) = _from_claims([("doubt", "yes", 0.25, 1), ("doubt", "yes", 0.25, 0)], k=0)
    assert only.implied_probability == only.observed == 0.5


def test_counted_groups_of_one_phrase_written_two_ways_add_up():
    (doubt,) = scoring.verbal_calibration([("doubt", "yes", 0.25, 3, 1), ("doubt", "yes", 0.25, 2, 0)], k=5)
    assert (doubt.n, doubt.successes) == (5, 1)
    assert doubt.implied_probability == pytest.approx((1 + 5 * 0.25) / (5 + 5))  # 0.225
    assert doubt.as_dict() == {
        "phrase": "doubt", "side": "yes", "n": 5, "scale_probability": 0.25, "observed": 1 / 5,
        "ci95": pytest.approx(wilson_by_hand(1, 5)), "implied_probability": pytest.approx(0.225),
    }


@pytest.mark.parametrize(
    "groups",
    [
        [("likely", "yes", 0.675, 1, 1), ("likely", "yes", 0.6, 1, 1)],  # two scale probabilities for one phrase
        [("likely", "maybe", 0.675, 1, 1)],  # not a side
        [("likely", "yes", 0.675, 1, 2)],  # more successes than claims
    ],
)
def test_inconsistent_groups_are_refused(groups):
    with pytest.raises(ValueError):
        scoring.verbal_calibration(groups, k=5)


# The built example


@pytest.fixture
def record(settings):
    """Ann and Ben; a default scale (likely 0.675, doubt 0.25, will 0.9) and another scale; k = 3.

    Counting claims (the question's outcome, the claim's phrase and side, whether its side came true):
      q_yes  YES: Ann "likely" YES (true), Ben "I doubt" YES (true)
      q_no   NO:  Ann "Likely." NO (true), Ben "will" NO (true)
      q_flip NO:  Ann "likely" YES (false) — her earlier "will" YES on it is superseded
      q_own  YES: Ann stated 0.8 "odds-on" YES (true) — a phrase not on the scale
    Not counted: an AMBIGUOUS question (Ann "will" NO), an open one (Ann "doubt" YES), a claim made after
    the deadline (Ben "likely" NO on q_flip), and a claim with no hedge (Ann, stated 0.3 on q_blank, NO).
    """
    settings.HINDSIGHT_SHRINK_K = 3
    default_scale(likely=0.675, doubt=0.25, will=0.9)
    kent = HedgeScaleFactory(slug="kent", name="Kent (1964)", citation="Studies in Intelligence 8:4.", is_default=False)
    HedgePhrase.objects.create(scale=kent, phrase="probable", probability=0.75)
    ann = ExpertFactory(name="Ann Archer", slug="ann")
    ben = ExpertFactory(name="Ben Baker", slug="ben")
    source = SourceFactory()
    source.authors.add(ann, ben)
    april, june, next_year = datetime.date(2019, 4, 19), datetime.date(2019, 6, 1), datetime.date(2020, 3, 1)

    def claim(question, expert, hedge, predicts="yes", made_on=april, **kwargs):
        return services.record_claim(
            question=question, expert=expert, source=source, quote="q", hedge=hedge, predicts=predicts,
            made_on=made_on, **kwargs,
        )

    q_yes, q_no, q_flip, q_own, q_blank, q_ambiguous, q_open = (QuestionFactory() for _ in range(7))
    claim(q_yes, ann, "likely")
    claim(q_yes, ben, "I doubt")
    claim(q_no, ann, "Likely.", predicts="no")
    claim(q_no, ben, "will", predicts="no")
    claim(q_flip, ann, "will")  # superseded by the June claim
    claim(q_flip, ann, "likely", made_on=june)
    claim(q_flip, ben, "likely", predicts="no", made_on=next_year)  # after the 2019-12-31 deadline
    claim(q_own, ann, "odds-on", probability=0.8, probability_origin="stated")
    claim(q_blank, ann, "", probability=0.3, probability_origin="stated")
    claim(q_ambiguous, ann, "will", predicts="no")
    claim(q_open, ann, "doubt")
    for question, outcome in [
        (q_yes, Outcome.YES), (q_no, Outcome.NO), (q_flip, Outcome.NO), (q_own, Outcome.YES),
        (q_blank, Outcome.NO), (q_ambiguous, Outcome.AMBIGUOUS),
    ]:
        services.resolve_question(question=question, outcome=outcome)
    return {"ann": ann, "ben": ben}


K = 3
ANN_PHRASES = [
    {  # q_yes true, q_flip false
        "phrase": "likely", "side": "yes", "n": 2, "scale_probability": 0.675, "observed": 1 / 2,
        "ci95": wilson_by_hand(1, 2), "implied_probability": (1 + K * 0.675) / (2 + K),  # 3.025 / 5 = 0.605
    },
    {  # q_no: "Likely." normalised to "likely"
        "phrase": "likely", "side": "no", "n": 1, "scale_probability": 0.675, "observed": 1.0,
        "ci95": wilson_by_hand(1, 1), "implied_probability": (1 + K * 0.675) / (1 + K),  # 3.025 / 4 = 0.75625
    },
    {  # not on the scale: implied = observed
        "phrase": "odds-on", "side": "yes", "n": 1, "scale_probability": None, "observed": 1.0,
        "ci95": wilson_by_hand(1, 1), "implied_probability": 1.0,
    },
]


@pytest.mark.django_db
def test_the_api_gives_each_phrase_and_side_of_the_expert_with_its_record(client, record):
    response = client.get("/api/experts/ann/hedges/")
    assert response.status_code == 200
    assert response.json() == {
        "expert": "ann", "scale": "test-default", "shrink_k": K,
        "phrases": [
            {**p, "ci95": pytest.approx(p["ci95"]), "implied_probability": pytest.approx(p["implied_probability"])}
            for p in ANN_PHRASES
        ],
    }


@pytest.mark.django_db
def test_a_phrase_about_the_no_side_is_right_when_the_question_resolved_no(client, record):
    phrases = client.get("/api/experts/ben/hedges/").json()["phrases"]
    assert [(p["phrase"], p["side"], p["n"], p["observed"]) for p in phrases] == [
        ("doubt", "yes", 1, 1.0),  # "I doubt" (YES side), resolved YES: the doubted side came true
        ("will", "no", 1, 1.0),  # resolved NO; Ben's late "likely" does not count
    ]
    assert phrases[1]["implied_probability"] == pytest.approx((1 + K * 0.9) / (1 + K))  # 0.925


@pytest.mark.django_db
def test_the_corpus_table_adds_every_experts_counting_claims(record):
    table = hedge_table()
    assert table.scale.scale.slug == "test-default" and table.shrink_k == K
    assert [(p.phrase, p.side, p.n, p.successes) for p in table.phrases] == [
        ("doubt", "yes", 1, 1), ("likely", "yes", 2, 1), ("likely", "no", 1, 1), ("will", "no", 1, 1),
        ("odds-on", "yes", 1, 1),
    ]


@pytest.mark.django_db
def test_an_unknown_expert_is_a_json_404(client, record):
    response = client.get("/api/experts/nobody/hedges/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.django_db
def test_without_a_default_scale_no_phrase_has_a_scale_probability(client, record):
    HedgePhrase.objects.filter(scale__is_default=True).delete()
    body = client.get("/api/experts/ann/hedges/").json()
    assert [(p["phrase"], p["side"], p["scale_probability"]) for p in body["phrases"]] == [
        ("likely", "yes", None), ("likely", "no", None), ("odds-on", "yes", None),
    ]
    assert [p["implied_probability"] for p in body["phrases"]] == [1 / 2, 1 / 1, 1 / 1]  # the observed shares


def _table_rows(html, table_id):
    """The text of each body row of one table, cells joined by |."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S) for row in rows]
    return ["|".join(" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in row) for row in cells]


@pytest.mark.django_db
def test_the_expert_page_shows_what_their_words_meant(client, record):
    response = client.get("/experts/ann/")
    assert response.status_code == 200
    html = response.content.decode()
    PageChecker.check(html)
    assert "What their words meant" in html
    assert "is counted as right when the question resolved NO" in html
    # 1 of 2 is 50 %, Wilson(1, 2) is 9.5 %–90.5 %, implied 0.605 is 60.5 %; 1 of 1: 20.7 %–100 %, 3.025 / 4 = 75.6 %.
    assert _table_rows(html, "hedges-table") == [
        "likely|YES|2|67.5 %|50 % (1 of 2)|9.5 %–90.5 %|60.5 %",
        "likely|NO|1|67.5 %|100 % (1 of 1)|20.7 %–100 %|75.6 %",
        "odds-on|YES|1|not on the scale|100 % (1 of 1)|20.7 %–100 %|100 %",
    ]
    assert wilson_by_hand(1, 2) == pytest.approx([0.0945, 0.9055], abs=1e-4)
    assert wilson_by_hand(1, 1)[0] == pytest.approx(0.2065, abs=1e-4)


@pytest.mark.django_db
def test_the_hedge_dictionary_shows_the_scale_the_other_scales_and_the_corpus(client, record):
    response = client.get("/hedges/")
    assert response.status_code == 200
    assert "max-age=60" in response["Cache-Control"]
    html = response.content.decode()
    PageChecker.check(html)
    assert _table_rows(html, "scale-table") == ["doubt|25 %|—", "likely|67.5 %|—", "will|90 %|—"]
    assert "Kent (1964)" in html and "Studies in Intelligence 8:4." in html
    assert _table_rows(html, "corpus-hedges") == [
        "doubt|YES|1|25 %|100 % (1 of 1)|20.7 %–100 %|43.8 %",  # (1 + 3 · 0.25) / (1 + 3) = 0.4375
        "likely|YES|2|67.5 %|50 % (1 of 2)|9.5 %–90.5 %|60.5 %",  # (1 + 3 · 0.675) / (2 + 3) = 0.605
        "likely|NO|1|67.5 %|100 % (1 of 1)|20.7 %–100 %|75.6 %",  # (1 + 3 · 0.675) / (1 + 3) = 0.75625
        "will|NO|1|90 %|100 % (1 of 1)|20.7 %–100 %|92.5 %",  # (1 + 3 · 0.9) / (1 + 3) = 0.925
        "odds-on|YES|1|not on the scale|100 % (1 of 1)|20.7 %–100 %|100 %",
    ]
    # The NO-side example: "will" about NO gives p(YES) = 1 − 0.9.
    assert f"p(YES) = 1 − 0.900 = <strong>{1 - 0.9:.3f}</strong>" in html
    # The "hardly" example is left out: this scale does not list it.
    assert "hardly" not in html


@pytest.mark.django_db
def test_the_dictionary_is_linked_from_the_navigation_and_how_scores_work(client, record):
    html = client.get("/how-scores-work/").content.decode()
    assert html.count('href="/hedges/"') == 2  # the navigation and the sentence


# Query counts


def _add_rows(count, expert):
    """count questions, each with a hedged claim from `expert` and one from a new expert; all resolved."""
    default_scale(likely=0.675, doubt=0.25, will=0.9)
    source = SourceFactory()
    hedges = [("likely", "yes"), ("I doubt", "yes"), ("will", "no"), ("maybe so", "no")]
    for index in range(count):
        question = QuestionFactory()
        for author in (expert, ExpertFactory()):
            hedge, predicts = hedges[index % len(hedges)]
            services.record_claim(
                question=question, expert=author, source=source, quote="q", hedge=hedge, predicts=predicts,
                **({"probability": 0.3} if hedge == "maybe so" else {}),
            )
        services.resolve_question(question=question, outcome=Outcome.YES if index % 2 else Outcome.NO)




@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, expected",
    [
        # the expert + the default scale + its phrases + the phrase counts (one GROUP BY) + the throttle's count
        ("/api/experts/{slug}/hedges/", 5),
        # the default scale + its phrases + the phrase counts + the other scales
        ("/hedges/", 4),
        # the page's 3 (expert with score row, status counts, claims) + the hedge table's 3
        ("/experts/{slug}/", 11),
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_rows(client, url, expected):
    expert = ExpertFactory(slug="steady")
    url = url.format(slug=expert.slug)
    _add_rows(2, expert)
    small = queries_of(client, url)
    _add_rows(6, expert)
    large = queries_of(client, url)
    assert len(small) == len(large) == expected, large


@pytest.fixture
def connection_kept_between_requests():
    """As in tests/test_project/test_api_fuzz.py: keep the test's connection across in-process WSGI calls."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
def test_the_body_with_phrases_on_and_off_the_scale_matches_the_openapi_schema(
    record, connection_kept_between_requests
):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    case = schema["/api/experts/{slug}/hedges/"]["GET"].Case(path_parameters={"slug": "ann"})
    response = case.call()
    assert [phrase["scale_probability"] for phrase in response.json()["phrases"]] == [0.675, 0.675, None]
    checks = [status_code_conformance, content_type_conformance, response_schema_conformance]
    case.validate_response(response, checks=checks)


@pytest.mark.django_db
def test_the_api_reproduces_expert_a_verbal_calibration_of_docs_scores_md(example, client, settings):
    settings.HINDSIGHT_SHRINK_K = DOC_K
    body = client.get(f"/api/experts/{DOC_SLUGS['A']}/hedges/").json()
    assert body["shrink_k"] == DOC_K
    assert body["phrases"] == [
        {
            "phrase": row["phrase"], "side": row["side"], "n": row["n"], "scale_probability": row["scale_probability"],
            "observed": pytest.approx(row["observed"]), "ci95": pytest.approx(list(row["ci95"])),
            "implied_probability": pytest.approx(row["implied_probability"]),
        }
        # The document lists A's phrases in its own order; the API orders them by scale probability.
        for row in sorted(EXPECTED["hedges"]["A"], key=lambda row: (row["scale_probability"], row["side"] == "no"))
    ]
