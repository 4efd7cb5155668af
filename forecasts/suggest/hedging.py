"""Hedge phrases: normalisation, finding them in a sentence, negation and the p(YES) rule.

`normalise_hedge` is the engine's one phrase normaliser (the project-wide one can replace it).
"""

import dataclasses
import re

_WHITESPACE = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})

# The unhedged future: used when a sentence has a future modal but no other scale phrase.
FLAT_ASSERTION = "will"
# At or below this value a phrase doubts the proposition it governs ("I doubt", "unlikely").
DOUBT_CEILING = 0.35
# Verbs whose inflected forms carry the same hedge ("expected", "doubts").
_INFLECTED = {"expect", "doubt", "think", "suspect", "believe", "anticipate"}
_NEGATION = re.compile(
    r"\b(?:not|never|no|neither|nor|cannot)\b|n't\b",
    re.IGNORECASE,
)
# Negations that do not deny the statement ("not only", "no longer the central player", "no doubt").
_FALSE_NEGATION = re.compile(
    r"\b(?:not only|not just|not least|no doubt|no surprise|not surprising(?:ly)?|no longer|"
    r"not (?:particularly |entirely |too )?surprising)\b",
    re.IGNORECASE,
)
_STATED = re.compile(
    r"\b(\d{1,3}(?:\.\d+)?)\s?(?:%|percent|per cent)\s+(?:chance|probability|likelihood|likely)\b",
    re.IGNORECASE,
)


def normalise_hedge(phrase):
    """A hedge phrase as stored and matched: lower case, straight apostrophes, single spaces."""
    return _WHITESPACE.sub(" ", (phrase or "").translate(_APOSTROPHES)).strip().lower()


@dataclasses.dataclass(frozen=True)
class HedgeHit:
    """A scale phrase found in a sentence: the phrase's scale key, its words as written, where."""

    phrase: str
    written: str
    start: int
    end: int
    probability: float


class HedgeScale:
    """A phrase -> probability mapping that finds its phrases in sentences."""

    def __init__(self, phrases):
        self.phrases = {normalise_hedge(key): float(value) for key, value in phrases.items() if normalise_hedge(key)}
        alternatives = []
        for phrase in sorted(self.phrases, key=len, reverse=True):
            words = [re.escape(word) for word in phrase.split(" ")]
            if len(words) == 1 and phrase in _INFLECTED:
                words[0] += r"(?:s|ed|ing|ation|ations)?"
            alternatives.append(r"\s+".join(words))
        self._pattern = re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE) if alternatives else None

    def value(self, phrase):
        """The probability of a phrase, or None when the scale does not hold it."""
        return self.phrases.get(normalise_hedge(phrase))

    def find(self, sentence):
        """Every scale phrase in the sentence, longest match first at each position."""
        if self._pattern is None:
            return []
        hits = []
        for match in self._pattern.finditer(sentence.translate(_APOSTROPHES)):
            written = match.group()
            if written == "May" and (match.start() > 0 or re.match(r"\s+\d", sentence[match.end():])):
                continue  # the month, not the modal
            key = normalise_hedge(written)
            if key not in self.phrases:
                key = next(stem for stem in _INFLECTED if key.startswith(stem))
            hits.append(HedgeHit(key, sentence[match.start():match.end()], match.start(), match.end(), self.phrases[key]))
        return hits


# Belief verbs ("I think") yield to a graded hedge on the statement itself ("it may").
_BELIEF = {"think", "believe", "suspect", "expect"}


def choose_hedge(hits):
    """The hedge that sets the claim's probability: a scale phrase beats the flat "will",
    and a hedge on the statement beats a belief verb around it."""
    graded = [hit for hit in hits if hit.phrase != FLAT_ASSERTION]
    if any(hit.phrase not in _BELIEF for hit in graded):
        graded = [hit for hit in graded if hit.phrase not in _BELIEF]
    if graded:
        return max(graded, key=lambda hit: (len(hit.phrase.split()), -hit.start))
    return hits[0] if hits else None


def negations(sentence):
    """Spans of the negation words that deny something in the sentence."""
    cleaned = _FALSE_NEGATION.sub(lambda match: " " * len(match.group()), sentence.translate(_APOSTROPHES))
    return [(match.start(), match.end()) for match in _NEGATION.finditer(cleaned)]


def stated_probability(sentence):
    """A number the speaker gave ("a 70 percent chance") as a probability, or None."""
    match = _STATED.search(sentence)
    if match:
        value = float(match.group(1)) / 100
        if 0 <= value <= 1:
            return value, match.group()
    return None


def yes_probability(value, negated):
    """p(YES) of the positive statement and its side.

    The hedge's value is the probability of the proposition it governs; a negated proposition
    is the NO side (p = 1 - value), and a doubting hedge ("I doubt", "unlikely") also leans to
    NO, so the side is "no" there too while p stays the hedge's value.
    """
    doubting = value <= DOUBT_CEILING
    probability = 1 - value if negated else value
    predicts = "no" if negated != doubting else "yes"
    return round(probability, 4), predicts
