"""Hedge finding, dates and statements, one table each."""

import datetime

import pytest

from forecasts.suggest import normalise_hedge
from forecasts.suggest.dates import find_deadline
from forecasts.suggest.hedging import HedgeScale, choose_hedge, yes_probability
from forecasts.suggest.statements import neutral_statement

from .articles import HEDGES, PUBLISHED


@pytest.mark.parametrize(
    "phrase, expected",
    [("  I   Doubt ", "i doubt"), ("Don’t think", "don't think"), ("LIKELY", "likely"), (None, "")],
)
def test_normalise_hedge(phrase, expected):
    assert normalise_hedge(phrase) == expected


@pytest.mark.parametrize(
    "sentence, phrase",
    [
        ("Russia will probably agree.", "probably"),
        ("I do not expect a deal.", "do not expect"),
        ("The summit is expected next week.", "expect"),
        ("Kim may visit.", "may"),
        ("It will rain.", "will"),
        ("He met Lavrov in May 2018.", None),  # the month, not the modal
    ],
)
def test_the_hedge_that_sets_the_probability(sentence, phrase):
    chosen = choose_hedge(HedgeScale(HEDGES).find(sentence))
    assert (chosen.phrase if chosen else None) == phrase


@pytest.mark.parametrize(
    "value, negated, expected",
    [(0.9, False, (0.9, "yes")), (0.9, True, (0.1, "no")), (0.25, False, (0.25, "no")), (0.4, True, (0.6, "no")), (0.25, True, (0.75, "yes"))],
)
def test_yes_probability_and_side(value, negated, expected):
    assert yes_probability(value, negated) == expected


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("They will leave by the end of the year.", datetime.date(2019, 12, 31)),
        ("They will leave by the end of this year.", datetime.date(2019, 12, 31)),
        ("Kim will come next week.", datetime.date(2019, 4, 28)),
        ("Kim will come this week.", datetime.date(2019, 4, 21)),
        ("Sanctions will ease by 2020.", datetime.date(2020, 12, 31)),
        ("By December 22, 2019, they are to be sent home.", datetime.date(2019, 12, 22)),
        ("The visit this coming May.", datetime.date(2019, 5, 31)),
        ("The summit on Thursday.", datetime.date(2019, 4, 25)),
        ("Later this month, maybe.", datetime.date(2019, 4, 30)),
        ("Within two years.", datetime.date(2021, 4, 20)),
        ("Talks will resume in the coming weeks.", datetime.date(2019, 5, 20)),
        ("Relations improved in 2014.", None),  # before publication: history
        ("He spoke earlier this month.", None),  # looking back
        ("It failed this February.", None),  # February 2019, before 19 April
        ("No date at all.", None),
    ],
)
def test_deadline_against_publication_date(sentence, expected):
    found = find_deadline(sentence, PUBLISHED)
    assert (found.date if found else None) == expected


@pytest.mark.parametrize(
    "sentence, statement",
    [
        ("I doubt that Putin will yield.", "Putin will yield."),
        ("However, Putin will not yield.", "Putin will yield."),
        ("Russia won’t sign anything.", "Russia will sign anything."),
        ("If sanctions are eased, trade will likely grow.", "Trade will grow."),
        ("Moscow is unlikely to rock the boat.", "Moscow will rock the boat."),
        ("Kim may ask for food aid.", "Kim will ask for food aid."),
        ("China will very likely host Kim.", "China will host Kim."),
    ],
)
def test_neutral_statement_is_positive_and_unhedged(sentence, statement):
    assert neutral_statement(sentence) == statement


def test_statement_drops_the_aside_after_the_hedge():
    sentence = "What we will see is pomp: Kim alighting from his train."
    assert neutral_statement(sentence, hedge_end=sentence.index("will") + 4) == "What we will see is pomp."
