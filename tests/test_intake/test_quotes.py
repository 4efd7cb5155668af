"""Finding a quote in a text: white space and quote marks normalised, offsets of the original."""

import pytest

from forecasts.quotes import highlight_spans, locate_quote, normalise_quote

TEXT = "Lee said:\n\n  “I doubt\nthat  Putin’s men will yield.” Then he left."


@pytest.mark.parametrize("quote", [
    '"I doubt that Putin\'s men will yield."',
    "“I doubt that Putin’s men will yield.”",
    "  I doubt that\tPutin's men will yield. ",
])
def test_a_quote_is_found_whatever_its_spacing_and_quote_marks(quote):
    start, end = locate_quote(TEXT, quote)
    assert normalise_quote(TEXT[start:end]) == normalise_quote(quote)
    assert TEXT[start:end].startswith(("“I doubt", "I doubt"))


def test_offsets_are_those_of_the_original_text():
    assert locate_quote(TEXT, "he left") == (TEXT.index("he left"), TEXT.index("he left") + len("he left"))


@pytest.mark.parametrize("quote", ["", "   ", "I doubt Putin will yield", "i doubt that"])
def test_a_quote_not_in_the_text_is_not_found(quote):
    assert locate_quote(TEXT, quote) is None


def test_highlight_spans_cut_the_text_once_in_order():
    assert highlight_spans("abcdefgh", [(6, 8, "z"), (1, 3, "x"), (2, 5, "y")]) == [
        ("a", None), ("bc", "x"), ("de", "y"), ("f", None), ("gh", "z"),
    ]
