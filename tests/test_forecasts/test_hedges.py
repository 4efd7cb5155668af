"""Hedge phrases are normalised once: case, spaces, a leading first-person "I ", trailing punctuation."""

import pytest

from forecasts.hedges import normalise_hedge


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("I doubt", "doubt"),
        (" Doubt. ", "doubt"),
        ("I DOUBT!", "doubt"),
        ("i\tdoubt ?!", "doubt"),
        ("Very   Likely", "very likely"),
        ("don't think…", "don't think"),
        ("improbable", "improbable"),  # a word starting with "i" keeps it
        ("I", "i"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_hedge(text, phrase):
    assert normalise_hedge(text) == phrase
