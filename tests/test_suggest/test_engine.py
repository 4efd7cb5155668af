"""The engine on small articles whose answers are known."""

import datetime

import pytest

from forecasts.suggest import Speaker, suggest_claims
from forecasts.suggest.seed_reader import default_hedge_scale, known_experts, seed_sources

from .articles import BYLINE, EXPERTS, HEDGES, PUBLISHED, QUESTIONS, ROUNDUP


def run(text, **options):
    return suggest_claims(text, published=PUBLISHED, hedges=HEDGES, experts=EXPERTS, questions=QUESTIONS, **options)


def by_quote(suggestions, start):
    """The one suggestion whose quote starts with `start`."""
    found = [suggestion for suggestion in suggestions if suggestion.quote.startswith(start)]
    assert len(found) == 1, [suggestion.quote for suggestion in suggestions]
    return found[0]


@pytest.fixture(scope="module")
def roundup():
    return run(ROUNDUP)


@pytest.fixture(scope="module")
def byline():
    return run(BYLINE)


def test_roundup_answers_are_the_named_experts_claims(roundup):
    assert [suggestion.speaker for suggestion in roundup] == [
        Speaker("Jane Roe", "jane-roe"),
        Speaker("Jane Roe", "jane-roe"),
        Speaker("Jane Roe", "jane-roe"),  # carried to her next paragraph
        Speaker("John Q. Smith", "john-smith"),  # "John Smith" is "John Q. Smith" without the initial
        None,  # the Kremlin said it: an institution is not a speaker
        Speaker("Mary Major"),  # an unknown person answering in the roundup
    ]


def test_headings_and_questions_are_not_suggested(roundup):
    assert not [suggestion for suggestion in roundup if "?" in suggestion.quote or "weigh in" in suggestion.quote]


def test_roundup_name_prefix_is_not_part_of_the_quote(roundup):
    first = roundup[0]
    assert first.quote == "I doubt that Putin will let the North Korean workers stay past the deadline."
    assert ROUNDUP[first.start:first.end] == first.quote


def test_i_doubt_puts_the_statement_on_the_no_side_and_matches_the_question(roundup):
    doubt = roundup[0]
    assert (doubt.hedge, doubt.probability, doubt.predicts) == ("doubt", 0.25, "no")
    assert doubt.statement == "Putin will let the North Korean workers stay past the deadline."
    assert doubt.question.slug == "putin-lets-workers-stay"
    assert doubt.question.score >= 90
    assert doubt.proposed_title is None


def test_negation_keeps_the_title_positive_and_predicts_no(roundup):
    negated = by_quote(roundup, "Russia will not sign")
    assert (negated.hedge, negated.probability, negated.predicts) == ("will", 0.1, "no")
    assert negated.proposed_title == "Russia will sign any agreement."
    assert any("negated" in reason for reason in negated.reasons)


def test_graded_hedge_beats_will_and_next_week_is_read_against_publication(roundup):
    summit = by_quote(roundup, "The summit will probably")
    assert (summit.hedge, summit.probability, summit.predicts) == ("probably", 0.675, "yes")
    assert summit.deadline == datetime.date(2019, 4, 28)  # the Sunday ending the week after Friday 19 April
    assert summit.deadline_phrase == "next week"


def test_conditional_claim_is_marked_and_its_title_drops_the_condition(roundup):
    trade = by_quote(roundup, "If sanctions are eased")
    assert trade.conditional is True
    assert trade.proposed_title == "Trade will grow by the end of the year."
    assert trade.deadline == datetime.date(2019, 12, 31)
    assert (trade.hedge, trade.probability) == ("likely", 0.675)


def test_institution_is_not_a_speaker_and_the_reason_says_so(roundup):
    kremlin = by_quote(roundup, "The Kremlin said")
    assert kremlin.speaker is None
    assert any("institution" in reason and "Kremlin" in reason for reason in kremlin.reasons)


def test_by_year_ends_with_that_year(roundup):
    assert by_quote(roundup, "Pyongyang could").deadline == datetime.date(2020, 12, 31)


def test_byline_speaks_for_the_article(byline):
    visit = by_quote(byline, "Kim is expected")
    assert visit.speaker == Speaker("Ann Lee", "ann-lee")
    assert visit.deadline == datetime.date(2019, 4, 30)
    assert any("byline" in reason for reason in visit.reasons)
    assert by_quote(byline, "Kim could also").speaker == Speaker("Ann Lee", "ann-lee")


def test_third_party_quotes_are_not_the_authors_claims(byline):
    assert by_quote(byline, "Putin will not let").speaker == Speaker("Boris Green")
    assert by_quote(byline, '"The deal will collapse').speaker == Speaker("Carl Black")


def test_past_statements_are_not_forecasts(byline):
    assert not [suggestion for suggestion in byline if "2014" in suggestion.quote]


def test_given_authors_are_the_byline_when_the_text_has_none():
    suggestions = run("Russia will ease sanctions.", authors=["jane-roe"])
    assert suggestions[0].speaker == Speaker("Jane Roe", "jane-roe")


def test_article_without_byline_or_names_has_no_speaker():
    suggestions = run("Russia will ease sanctions.")
    assert suggestions[0].speaker is None
    assert "no deadline" in " ".join(suggestions[0].reasons)
    assert suggestions[0].deadline is None


def test_unmatched_statement_gets_a_proposed_title_and_no_question():
    suggestion = run("Russia is unlikely to rock the boat.")[0]
    assert suggestion.question is None
    assert suggestion.proposed_title == "Russia will rock the boat."
    assert (suggestion.probability, suggestion.predicts) == (0.325, "no")


def test_negated_modal_only_near_the_hedge_counts():
    suggestion = run("Perhaps the Russians will agree to push for waivers or just decide not to enforce some measures.")[0]
    assert suggestion.predicts == "yes"
    assert suggestion.probability == 0.9


def test_offsets_are_exact_with_repeated_sentences_and_odd_white_space():
    text = "Russia will ease sanctions.\r\n\r\n  Russia will ease sanctions.  \n\tTokyo – “Kim may visit.”\n"
    suggestions = run(text)
    assert len(suggestions) == 3
    assert len({suggestion.start for suggestion in suggestions}) == 3
    for suggestion in suggestions:
        assert text[suggestion.start:suggestion.end] == suggestion.quote


def test_offsets_are_exact_on_every_seed_article():
    seeds = "seeds"
    scale, experts = default_hedge_scale(seeds), known_experts(seeds)
    for source in seed_sources(seeds):
        suggestions = suggest_claims(source.text, published=source.published, hedges=scale, experts=experts)
        assert suggestions, source.slug
        for suggestion in suggestions:
            assert source.text[suggestion.start:suggestion.end] == suggestion.quote


def test_to_dict_is_json_ready(roundup):
    data = roundup[1].to_dict()
    assert data["deadline"] == "2019-04-28"
    assert data["speaker"] == {"name": "Jane Roe", "slug": "jane-roe"}
    assert data["question"] is None
    assert data["reasons"] and all(isinstance(reason, str) for reason in data["reasons"])


def test_matched_question_lends_its_deadline_when_the_sentence_has_none():
    suggestion = run("I doubt that Putin will let the North Korean workers stay past the deadline.")[0]
    assert suggestion.question.slug == "putin-lets-workers-stay"
    assert suggestion.deadline == datetime.date(2019, 12, 22)
    assert suggestion.deadline_phrase is None
    assert any("matched question" in reason for reason in suggestion.reasons)


def test_only_forecasts_are_suggested():
    suggestions = run("Russia and North Korea met in 2011. Kim likes trains. Kim will travel by train.")
    assert [suggestion.quote for suggestion in suggestions] == ["Kim will travel by train."]
    assert suggestions[0].is_forecast is True


def test_reasons_say_when_a_roundup_speaker_is_carried(roundup):
    assert "speaker: roundup paragraph 'Jane Roe:'" in roundup[0].reasons
    assert "speaker: roundup paragraph 'Jane Roe:' (carried from an earlier paragraph)" in roundup[2].reasons


@pytest.mark.parametrize("prefix", ["Pyongyang", "The Kremlin", "Photo", "Image"])
def test_institutions_and_captions_do_not_open_a_roundup_answer(prefix):
    suggestions = run(f"Jane Roe: Kim will go to Moscow.\n\n{prefix}: Russia will send food aid.\n")
    assert [suggestion.speaker for suggestion in suggestions] == [Speaker("Jane Roe", "jane-roe")] * 2
    assert suggestions[1].quote == f"{prefix}: Russia will send food aid."


def test_known_expert_named_by_surname_in_said_is_the_speaker():
    suggestions = run("By Ann Lee\n\nRussia will not yield, Roe said.\n")
    assert suggestions[0].speaker == Speaker("Jane Roe", "jane-roe")


@pytest.mark.parametrize(
    "sentence",
    [
        "Sooner or later the trip was inevitable.",  # the hedge qualifies the past
        "Russia, as expected, joined China.",
        "It will be interesting to see whether the two will meet.",  # wait and see: no side taken
        "We shall see if the reports echo each other.",
        "North Korea may be turning to Russia as tensions with the U.S. resurface after the failed Hanoi summit | Photo: KCNA",
        "It needs as much support as possible.",
    ],
)
def test_retrospective_wait_and_see_and_caption_sentences_are_not_forecasts(sentence):
    assert run(f"By Ann Lee\n\n{sentence}\n") == []


def test_what_we_will_see_is_still_a_forecast():
    assert len(run("What we will see is pomp and circumstance.")) == 1
