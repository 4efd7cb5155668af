"""A claim's own page, the links to it from every table of claims, and the NO-side mark."""

import datetime
import math
import re

import pytest

from forecasts import services
from forecasts.constants import Outcome, ProbabilityOrigin, Side
from forecasts.models import Claim
from forecasts.quotes import quote_context
from forecasts.templatetags.claims import no_side_explanation, p_yes
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_forecasts.test_views import PageChecker
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db

ARTICLE = (
    "Sanctions have been in place since 2017. Ann Archer was asked about them.\n"
    "“Maybe they will not ease sanctions this year,” she said. "
    "She added that trade with China matters more than anything Moscow does."
)
QUOTE = "Maybe they will not ease sanctions this year,"


def _minus(text):
    return text.replace("-", "\u2212")


@pytest.fixture
def sanctions():
    """Ann on "Will sanctions be eased in 2019?" (resolved NO): an early "likely" (YES side, superseded), the
    counting "maybe" about the NO side (0.6, so p(YES) = 0.4), and a claim after the deadline. Ben: "very likely"."""
    default_scale(maybe=0.6, likely=0.675, very_likely=0.875)
    ann = ExpertFactory(name="Ann Archer", slug="ann", affiliation="Institute A")
    ben = ExpertFactory(name="Ben Baker", slug="ben")
    article = SourceFactory(title="Experts weigh in", publisher="NK News", article_text=ARTICLE,
                            published_on=datetime.date(2019, 4, 19))
    other = SourceFactory(title="Earlier notes", publisher="The Gazette")
    question = QuestionFactory(title="Will sanctions be eased in 2019?", deadline=datetime.date(2019, 12, 31))

    def claim(expert, source, quote, made_on, **kwargs):
        return services.record_claim(
            question=question, expert=expert, source=source, quote=quote, made_on=made_on, **kwargs
        )

    claims = {
        "early": claim(ann, other, "Easing is likely.", datetime.date(2019, 3, 1), hedge="likely"),
        "counting": claim(ann, article, QUOTE, datetime.date(2019, 4, 19), hedge="maybe", predicts=Side.NO,
                          statement="Sanctions will not be eased in 2019."),
        "late": claim(ann, other, "I said so.", datetime.date(2020, 2, 1), probability=0.1),
        "ben_claim": claim(ben, other, "Easing is very likely.", datetime.date(2019, 4, 20), hedge="very likely"),
    }
    services.resolve_question(question=question, outcome=Outcome.NO, evidence_url="https://example.org/no-easing",
                              note="The sanctions stayed in place all year.")
    return {"ann": ann, "ben": ben, "article": article, "question": question, **claims}


def _html(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


# The page


def test_the_claim_page_shows_the_quote_in_its_context_and_who_said_it_where(client, sanctions):
    claim = sanctions["counting"]
    html = _html(client, f"/claims/{claim.pk}/")
    assert "<h1>Sanctions will not be eased in 2019.</h1>" in html
    context = html[html.index('id="quote-in-context"'):html.index("</blockquote>", html.index('id="quote-in-context"'))]
    assert f"<mark>{QUOTE}</mark>" in context.replace("&#x27;", "'")
    assert "Ann Archer was asked about them." in context and "trade with China matters" in context
    assert f'href="/experts/ann/"' in html and "Institute A" in html
    assert f'href="/sources/{sanctions["article"].pk}/"' in html and "NK News" in html and "19 April 2019" in html
    assert f'href="/sources/{sanctions["article"].pk}/#quote-{claim.pk}"' in html
    assert f'<a href="/questions/{sanctions["question"].pk}/" id="question-link">Will sanctions be eased in 2019?</a>' in html
    assert "31 December 2019" in html
    outcome = html[html.index('id="outcome-box"'):]
    assert 'badge-no">No</span>' in outcome and "The sanctions stayed in place all year." in outcome
    assert 'href="https://example.org/no-easing"' in outcome


def test_the_claim_page_is_sound_markup_and_may_be_cached_for_a_minute(client, sanctions):
    for key in ("early", "counting", "late", "ben_claim"):
        response = client.get(sanctions[key].get_absolute_url())
        assert response["Cache-Control"] == "public, max-age=60"
        PageChecker.check(response.content.decode())
    for url in ("/experts/ann/", "/experts/ann/versus/ben/", sanctions["article"].get_absolute_url()):
        PageChecker.check(_html(client, url))


def test_a_quote_from_a_source_without_text_is_shown_alone(client, sanctions):
    html = _html(client, f"/claims/{sanctions['early'].pk}/")
    assert '<blockquote id="quote-in-context">“Easing is likely.”</blockquote>' in html
    assert "in the full text" not in html


def test_a_no_side_hedge_is_worked_out_as_one_minus_the_scale(client, sanctions):
    html = _html(client, f"/claims/{sanctions['counting'].pk}/")
    # "maybe" is 0.6 on the scale, about the NO side: p(YES) = 1 − 0.6 = 0.4.
    sentence = html[html.index('id="no-side-sentence"'):html.index("</p>", html.index('id="no-side-sentence"'))]
    assert "About the NO side: p(YES) = 1 − 60\u00a0% = <strong>40\u00a0%</strong>." in sentence
    assert "The hedge scale gives “maybe” <strong>60\u00a0%</strong>" in html
    # A claim about the YES side has no such sentence.
    yes_side = _html(client, f"/claims/{sanctions['ben_claim'].pk}/")
    assert 'id="no-side-sentence"' not in yes_side
    assert (
        "The hedge scale gives “very likely” <strong>87.5\u00a0%</strong>, about the YES side: "
        "p(YES) = <strong>87.5\u00a0%</strong>."
    ) in yes_side


def test_an_analysts_no_side_reading_is_worked_out_too(client, sanctions):
    claim = services.record_claim(
        question=QuestionFactory(), expert=sanctions["ben"], source=SourceFactory(), quote="It might certainly fail.",
        hedge="might certainly", predicts=Side.NO, probability=0.4, probability_origin=ProbabilityOrigin.ANALYST,
        probability_note="Read as 'could well': 0.6 that the talks fail.",
    )
    html = re.sub(r"[ \n]+", " ", _html(client, f"/claims/{claim.pk}/"))  # not \s: keeps the no-break spaces
    assert "An analyst read “might certainly” as <strong>60\u00a0%</strong> for the NO side." in html
    assert "About the NO side: p(YES) = 1 − 60\u00a0% = <strong>40\u00a0%</strong>." in html
    assert "Read as &#x27;could well&#x27;: 0.6 that the talks fail." in html


def test_the_counting_claim_shows_its_scores_worked_by_hand(client, sanctions):
    html = _html(client, f"/claims/{sanctions['counting'].pk}/")
    assert 'data-standing="counts"' in html and 'badge-right">right</span>' in html
    # DESIGN.md, o = 0 (NO). Ann p = 0.4, Ben p = 0.875 (the two claims that count).
    p, other, outcome = 0.4, 0.875, 0
    p_o, other_p_o = 1 - p, 1 - other  # 0.6 and 0.125
    brier = (p - outcome) ** 2  # 0.16
    expected = {
        "brier": f"{brier:.3f}",  # 0.160
        "brier_skill": _minus(f"{1 - brier / 0.25:+.2f}"),  # +0.36
        "baseline_score": _minus(f"{100 * (math.log2(p_o) + 1):+.1f}"),  # +26.3
        "log_score": _minus(f"{math.log(p_o):+.3f}"),  # −0.511
        "peer_score": _minus(f"{100 * (math.log(p_o) - math.log(other_p_o)):+.1f}"),  # +156.9
        # the panel median of 0.4 and 0.875 is 0.6375: Brier 0.40640625
        "relative_brier": _minus(f"{brier - ((0.4 + 0.875) / 2) ** 2:+.3f}"),  # −0.246
    }
    assert expected == {
        "brier": "0.160", "brier_skill": "+0.36", "baseline_score": "+26.3", "log_score": "\u22120.511",
        "peer_score": "+156.9", "relative_brier": "\u22120.246",
    }
    shown = dict(re.findall(r'data-score="(\w+)"><span class="label">[^<]*</span><span class="value">([^<]*)</span>', html))
    assert shown == expected


def test_a_superseded_claim_names_the_claim_that_counts(client, sanctions):
    counting = sanctions["counting"]
    html = _html(client, f"/claims/{sanctions['early'].pk}/")
    standing = html[html.index('id="standing"'):html.index("</p>", html.index('id="standing"'))]
    assert 'data-standing="superseded"' in standing and "that one counts, this one is not scored" in standing
    assert f'href="/claims/{counting.pk}/"' in standing
    assert 'id="claim-scores"' not in html
    # All three of Ann's claims on the question, newest first, each with its standing.
    table = html[html.index('id="expert-claims-table"'):html.index("</table>")]
    assert re.findall(r'data-standing="(\w+)"', table) == ["late", "counts", "superseded"]
    assert f'href="/claims/{sanctions["late"].pk}/"' in table and f'href="/claims/{counting.pk}/"' in table
    assert 'aria-current="page">“Easing is likely.”' in table


def test_a_claim_after_the_deadline_is_kept_but_never_scored(client, sanctions):
    html = _html(client, f"/claims/{sanctions['late'].pk}/")
    assert 'data-standing="late"' in html
    assert "Made on 1 Feb 2020, after the deadline of 31 Dec 2019: kept, but never scored." in html
    assert 'id="claim-scores"' not in html


def test_a_claim_on_an_annulled_question_is_counted_but_not_scored(client, sanctions):
    question = QuestionFactory(title="Will the talks resume?")
    claim = services.record_claim(question=question, expert=sanctions["ann"], source=SourceFactory(), quote="q",
                                  probability=0.3)
    services.resolve_question(question=question, outcome=Outcome.ANNULLED)
    html = _html(client, claim.get_absolute_url())
    assert "The question resolved ANNULLED: counted, but annulled questions are never scored." in html
    assert 'id="claim-scores"' not in html


def test_a_claim_on_an_open_question_counts_so_far(client, sanctions):
    claim = services.record_claim(question=QuestionFactory(), expert=sanctions["ann"], source=SourceFactory(),
                                  quote="q", hedge="likely")
    html = _html(client, claim.get_absolute_url())
    assert "Not resolved yet: the deadline is 31 December 2019." in html
    assert "claim that counts on the question so far" in html and 'id="claim-scores"' not in html


def test_an_unknown_claim_is_a_404(client, sanctions):
    assert client.get(f"/claims/{Claim.objects.order_by('-pk').first().pk + 1}/").status_code == 404
    assert client.get("/claims/999999999999999999999999/").status_code == 404
    assert client.get("/claims/abc/").status_code == 404


# Links and marks on the other pages


def _rows(html):
    """{claim id: the markup of its row or card} of every element carrying data-claim."""
    return {int(pk): body for pk, body in re.findall(r'data-claim="(\d+)"(.*?)</(?:tr|li)>', html, re.S)}


def _pages(sanctions):
    return {
        "expert": "/experts/ann/",
        "question": sanctions["question"].get_absolute_url(),
        "source": sanctions["article"].get_absolute_url(),
    }


def test_every_table_of_claims_links_each_row_to_its_claim_page(client, sanctions):
    ann_claims = {sanctions[key].pk for key in ("early", "counting", "late")}
    expected = {
        "expert": ann_claims,
        "question": ann_claims | {sanctions["ben_claim"].pk},
        "source": {sanctions["counting"].pk},
    }
    for name, url in _pages(sanctions).items():
        rows = _rows(_html(client, url))
        assert set(rows) == expected[name], name
        for pk, row in rows.items():
            assert f'href="/claims/{pk}/" class="claim-link"' in row, (name, pk)
    # The source's article text links each highlighted quote to its claim.
    source = _html(client, sanctions["article"].get_absolute_url())
    assert f'<mark id="quote-{sanctions["counting"].pk}"' in source
    assert f'title="Ann Archer on: Will sanctions be eased in 2019?"><a href="/claims/{sanctions["counting"].pk}/">' in source
    # Head to head: each p(YES) links to the claim that counts.
    versus = _html(client, "/experts/ann/versus/ben/")
    table = versus[versus.index('id="versus-table"'):versus.index("</table>")]
    assert f'href="/claims/{sanctions["counting"].pk}/" class="claim-link"' in table
    assert f'href="/claims/{sanctions["ben_claim"].pk}/" class="claim-link"' in table


def test_a_no_side_probability_is_marked_where_and_only_where_the_side_is_no(client, sanctions):
    no_side = {sanctions["counting"].pk}
    mark = (
        '40\u00a0%\u00a0<abbr class="side-mark" title="from “maybe” about the NO side: 1 − 60\u00a0%" '
        'aria-hidden="true">↓NO</abbr><span class="visually-hidden"> (from “maybe” about the NO side: 1 − 60\u00a0%)</span>'
    )
    for name, url in _pages(sanctions).items():
        html = _html(client, url)
        for pk, row in _rows(html).items():
            assert (mark in row) == (pk in no_side), (name, pk)
            assert ('data-side="no"' in row) == (pk in no_side), (name, pk)
    versus = _html(client, "/experts/ann/versus/ben/")
    assert versus.count('data-side="no"') == 1 and mark in versus


def test_the_mark_explains_an_analysts_reading_and_leaves_the_yes_side_alone():
    analyst = Claim(probability=0.4, predicts=Side.NO, hedge="might certainly", probability_origin=ProbabilityOrigin.ANALYST)
    assert no_side_explanation(0.4, "might certainly", ProbabilityOrigin.ANALYST) == (
        "“might certainly” is about the NO side, read by an analyst as 60\u00a0%: 1 − 60\u00a0%"
    )
    assert "↓NO" in p_yes(analyst)
    assert p_yes(Claim(probability=0.675, predicts=Side.YES, hedge="likely", probability_origin="hedge")) == "67.5\u00a0%"


# Source pages: claims grouped by expert


def test_a_source_with_several_experts_collapses_each_group_with_its_counts(client, sanctions):
    services.record_claim(question=QuestionFactory(), expert=sanctions["ben"], source=sanctions["article"],
                          quote="Sanctions have been in place since 2017.", probability=0.2)
    html = _html(client, sanctions["article"].get_absolute_url())
    groups = re.findall(r'<details class="expert-claims" id="claims-(\w+)" data-expert="\w+"( open)?>', html)
    assert groups == [("ann", ""), ("ben", "")]  # by name, both collapsed
    summaries = re.findall(r'<span class="group-counts">([^<]*)</span>', html)
    assert summaries == ["1 claim · 1 right", "1 claim · 1 open"]
    assert '<details class="article" id="article-text">' in html


def test_a_short_source_with_one_expert_shows_its_claims_open(client, sanctions):
    html = _html(client, sanctions["article"].get_absolute_url())
    assert '<details class="expert-claims" id="claims-ann" data-expert="ann" open>' in html
    assert '<details class="article" id="article-text" open>' in html


# The quote's context (pure)


@pytest.mark.parametrize(
    "around, expected",
    [
        (100, ("alpha beta gamma ", "QUOTE", " delta epsilon zeta")),  # it all fits: no ellipsis
        (8, ("…gamma ", "QUOTE", " delta…")),  # "beta" and "epsilon" would be cut: left out whole
        (3, ("…", "QUOTE", "…")),
    ],
)
def test_the_context_of_a_quote_is_cut_between_words(around, expected):
    text = "alpha beta gamma QUOTE delta epsilon zeta"
    assert quote_context(text, 17, 22, around=around) == expected
