"""Any text at all: the engine never fails and every offset is exact."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from forecasts.suggest import KnownExpert, suggest_claims

from .articles import HEDGES

WORDS = st.sampled_from([
    "Kim", "Putin", "will", "not", "may", "likely", "doubt", "I", "if", "by", "2020", "next", "week", "May",
    "the", "end", "of", "year", "said", "according", "to", "Jane", "Roe:", "Pyongyang", "“", "”", ".", ",",
    "?", "\n", "\n\n", "  ", "•", "Thursday", "within", "two", "months", "n't", "won’t", "—", "|", "Photo:",
])


@settings(max_examples=60, deadline=None)
@given(words=st.lists(WORDS, max_size=60), extra=st.text(max_size=40))
def test_any_text_gives_exact_offsets(words, extra):
    text = " ".join(words) + extra
    for suggestion in suggest_claims(
        text, published=datetime.date(2019, 4, 19), hedges=HEDGES, experts=[KnownExpert("Jane Roe", "jane-roe")]
    ):
        assert text[suggestion.start:suggestion.end] == suggestion.quote
        assert suggestion.predicts in {"yes", "no"}
        assert 0 <= suggestion.probability <= 1
