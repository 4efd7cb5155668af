"""Finding a quote in an article's text: pure Python, no Django.

Quotes are matched after normalising white space (any run is one space) and quote marks (curly
and straight quotes and apostrophes are the same), so a quote copied from a web page still
matches the stored text. Offsets are always those of the original text.
"""

import re

_QUOTE_MARKS = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
})
_WHITESPACE = re.compile(r"\s+")


def normalise_quote(text):
    """The form quotes are compared in: straight quote marks, single spaces, no outer white space."""
    return _WHITESPACE.sub(" ", (text or "").translate(_QUOTE_MARKS)).strip()


def _normalised_with_positions(text):
    """The normalised text and, for each of its characters, the index it came from in `text`."""
    chars, positions = [], []
    in_space = False
    for index, char in enumerate(text.translate(_QUOTE_MARKS)):
        if char.isspace():
            if not in_space and chars:
                chars.append(" ")
                positions.append(index)
            in_space = True
            continue
        in_space = False
        chars.append(char)
        positions.append(index)
    return "".join(chars), positions


def locate_quote(text, quote):
    """(start, end) of the first occurrence of `quote` in `text` under normalisation, or None.

    text[start:end] normalises to the normalised quote; an empty quote is never found.
    """
    wanted = normalise_quote(quote)
    if not wanted or not text:
        return None
    haystack, positions = _normalised_with_positions(text)
    found = haystack.find(wanted)
    if found < 0:
        return None
    return positions[found], positions[found + len(wanted) - 1] + 1


def highlight_spans(text, spans):
    """Cut `text` into pieces for display: a list of (piece, span or None), spans in text order.

    `spans` are (start, end, payload); overlapping spans are cut at the earlier one's end, so each
    character is shown once.
    """
    pieces, cursor = [], 0
    for start, end, payload in sorted(spans, key=lambda span: (span[0], span[1])):
        start = max(start, cursor)
        if end <= start:
            continue
        if start > cursor:
            pieces.append((text[cursor:start], None))
        pieces.append((text[start:end], payload))
        cursor = end
    if cursor < len(text):
        pieces.append((text[cursor:], None))
    return pieces


def quote_context(text, start, end, *, around=400):
    """(before, quote, after): the quote at text[start:end] with up to `around` characters either side.

    The sides are cut at white space, so no word is split, and marked with "…" where the text goes on.
    """
    before_start = max(0, start - around)
    if before_start > 0:
        space = text.find(" ", before_start, start)
        before_start = space + 1 if space >= 0 else start
    after_end = min(len(text), end + around)
    if after_end < len(text):
        space = text.rfind(" ", end, after_end)
        after_end = space if space >= 0 else end
    before = text[before_start:start]
    after = text[end:after_end]
    return (
        ("…" if before_start > 0 else "") + before.lstrip(),
        text[start:end],
        after.rstrip() + ("…" if after_end < len(text) else ""),
    )
