"""The neutral yes/no statement a suggested claim is about, and its match among known questions.

The statement is the sentence without its hedge words, its leading "If ...," clause and its
negation, so "I doubt that Putin will yield" and "Putin will not yield" both propose
"Putin will yield."; the claim's side says which way the speaker leans.
"""

import re

from rapidfuzz import fuzz, process, utils

_LEADING_CONDITION = re.compile(r"^(?:even\s+)?(?:if|unless|should|provided(?:\s+that)?|once|when)\b[^,]{3,}?,\s*", re.IGNORECASE)
_DISCOURSE = re.compile(
    r"^(?:(?:however|still|of course|in fact|indeed|nevertheless|nonetheless|furthermore|moreover|also|"
    r"first|second|third|firstly|secondly|thirdly|finally|then|as noted|for the most part|obviously|personally|"
    r"at this moment|at the same time|in short|overall|instead|rather|first and foremost|after all),"
    r"|(?:so|but|and|or|yet)\b,?)\s*",
    re.IGNORECASE,
)
_REWRITES = [
    (r"\b(?:i|we)\s+(?:still\s+)?(?:do\s+not|don't|don’t)\s+know\s+(?:if|whether|that)\s+", ""),
    (r"\b(?:i|we)\s+(?:strongly\s+)?(?:doubt|think|expect|suspect|believe|anticipate)(?:\s+(?:that|whether|if))?,?\s+", ""),
    (r",?\s*(?:i|we)\s+(?:suspect|think|believe|expect),?\s*", " "),
    (r"\b(?:it\s+is|it's|it’s)\s+(?:very\s+|highly\s+|quite\s+)?(?:un)?likely\s+(?:that\s+)?", ""),
    (r"\b(?:is|are|was|were)\s+(?:very\s+|highly\s+|quite\s+)?(?:un)?likely\s+to\b", "will"),
    (r"\b(?:is|are)\s+(?:widely\s+)?(?:expected|bound|set|going)\s+to\b", "will"),
    (r"\bcan\s+be\s+expected\b", "will happen"),
    (r"\b(?:may|might|could|would)(?:\s+well)?\b", "will"),
    (r"\b(?:will|can)\s+hardly\b", "will"),
    (r"\b(?:won't|won’t|will\s+not)\b", "will"),
    (r"\b(?:cannot|can't|can’t|can\s+not)\b", "can"),
    (r"\b(?:do|does|did)\s+not\b|\b(?:don't|doesn't|didn't|don’t|doesn’t|didn’t)\b", ""),
    (r"\b(?:(?:very|highly|most|quite)\s+)?(?:probably|perhaps|maybe|possibly|surely|certainly|definitely|likely|undoubtedly|inevitably)\b,?", ""),
    (r"\bnot\s+", ""),
    (r"\bno\s+(?=\w)", ""),
    (r"\bnever\b", "ever"),
]
_REWRITES = [(re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in _REWRITES]


_TAIL = re.compile(r"\s*(?:[:;(]|\s[–—-]\s)")


def neutral_statement(sentence, hedge_end=None):
    """The positive, unhedged statement of a sentence, as a title ("Putin will yield.").

    With `hedge_end` (offset just after the hedge), what follows the first colon, semicolon,
    parenthesis or dash after the hedge is an aside and is dropped.
    """
    text = sentence
    if hedge_end is not None:
        tail = _TAIL.search(text, hedge_end)
        if tail:
            text = text[:tail.start()]
    text = text.strip().strip("“”\"'").strip()
    text = re.sub(r"^[•\-*–]\s*", "", text)
    previous = None
    while previous != text:
        previous = text
        text = _DISCOURSE.sub("", text)
        text = _LEADING_CONDITION.sub("", text)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    text = re.sub(r"\bwill\s+will\b", "will", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip(" ,;:.!?")
    if not text:
        return ""
    return text[0].upper() + text[1:] + "."


def _comparable(title):
    """A question title as a statement for comparison: no leading "Will", no question mark."""
    return utils.default_process(re.sub(r"^\s*will\s+", "", title, flags=re.IGNORECASE))


def match_question(statement, questions, cutoff):
    """(slug, score) of the known question closest to the statement, or None below the cutoff."""
    if not questions or not statement:
        return None
    choices = {question.slug: _comparable(question.title) for question in questions}
    best = process.extractOne(
        utils.default_process(statement), choices, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=cutoff
    )
    if best is None:
        return None
    _, score, slug = best
    return slug, round(score, 1)
