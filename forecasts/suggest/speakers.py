"""Who says what: roundup "Name:" paragraphs, bylines, "X said" and third parties.

An institution (the Kremlin, Pyongyang, a news agency) is never an expert speaker; a named
person who is not the paragraph's speaker is a third party, whose words are not the
paragraph speaker's claim.
"""

import re
import unicodedata

from forecasts.suggest.types import Speaker

_REPORTING = (
    r"(?:said|says|say|told|tells|wrote|writes|argued|argues|noted|notes|added|adds|predicted|predicts|"
    r"warned|warns|believes|believed|explained|explains|stated|states|claimed|claims|insisted|insists|"
    r"speculated|speculates|reported|reports|announced|announces|confirmed|confirms|suggested|suggests|"
    r"estimated|estimates)"
)
_NAME = r"(?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'-]+"
_WHO = rf"(?:(?:the|The)\s+)?{_NAME}"
_ACCORDING = re.compile(rf"\b[Aa]ccording\s+to\s+(?P<who>{_WHO})")
_SUBJECT_SAID = re.compile(rf"(?P<who>{_WHO})(?:,[^,]{{1,80}},)?\s+(?:has\s+|had\s+)?{_REPORTING}\b")
_SAID_SUBJECT = re.compile(rf"\b{_REPORTING},?\s+(?P<who>{_WHO})\s*[.,]")
_PRONOUN_SAID = re.compile(rf"\b(?:he|she|He|She)\s+(?:has\s+|had\s+)?{_REPORTING}\b")
# Words that make a name an institution, a place or a publication rather than a person.
_INSTITUTION_WORDS = {
    "kremlin", "pyongyang", "moscow", "beijing", "washington", "seoul", "tokyo", "russia", "china",
    "korea", "america", "states", "house", "ministry", "government", "office", "department", "council",
    "agency", "news", "times", "post", "press", "media", "tass", "kcna", "yonhap", "reuters", "voice",
    "shimbun", "journal", "report", "reports", "committee", "party", "army", "officials", "official",
    "spokesman", "spokeswoman", "council", "nations", "un", "union", "institute", "center", "centre",
    "university", "foundation", "bank", "embassy", "administration", "state", "assembly", "forces",
}
_NOT_NAMES = {"photo", "image", "update", "note", "source", "editor", "caption", "credit", "read", "related", "q", "a"}
_ROUNDUP = re.compile(r"^(?P<who>[^:\n]{2,60}?):\s+")
_BYLINE = re.compile(r"^(?:by|written by)\s+(?P<who>.{3,80})$", re.IGNORECASE)
# Sentence-opening words that are capitalised but are not part of a name.
_OPENERS = {
    "but", "and", "so", "yet", "however", "also", "then", "as", "if", "when", "while", "in", "on", "at", "for",
    "that", "this", "it", "needless", "what", "who", "which",
}


def _fold(text):
    """Lower case without accents, single spaces, no periods: the form names are compared in."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.replace(".", " ").replace("’s", "").replace("'s", "").split()).lower()


class Roster:
    """The known experts, findable by full name, name without middle initials, alias, or unique surname."""

    def __init__(self, experts):
        self._by_slug = {expert.slug: expert for expert in experts}
        self._by_name, surnames = {}, {}
        for expert in experts:
            names = [expert.name, *expert.aliases]
            for name in names:
                folded = _fold(name)
                self._by_name[folded] = expert
                words = folded.split()
                if len(words) > 2:
                    self._by_name[f"{words[0]} {words[-1]}"] = expert
                if len(words) >= 2:
                    surnames.setdefault(words[-1], set()).add(expert.slug)
        self._surnames = {
            surname: next(expert for expert in experts if expert.slug == next(iter(slugs)))
            for surname, slugs in surnames.items()
            if len(slugs) == 1
        }

    def by_slug(self, slug):
        """The known expert with this slug, or None."""
        return self._by_slug.get(slug)

    def find(self, name, surname_ok=False):
        """The known expert called `name`, or None."""
        folded = _fold(name)
        if folded.startswith("the "):
            folded = folded[4:]
        expert = self._by_name.get(folded)
        if expert is None and surname_ok and len(folded.split()) == 1:
            expert = self._surnames.get(folded)
        return expert

    def mentioned_in(self, line):
        """The known expert whose full name the line is (a byline, perhaps with one trailing word), or None."""
        words = _fold(line).split()
        if words[:1] == ["by"]:
            words = words[1:]
        for candidate in (words, words[:-1]):
            expert = self._by_name.get(" ".join(candidate)) if len(candidate) >= 2 else None
            if expert:
                return expert
        return None


def is_institution(who):
    """True for "the Kremlin", "Pyongyang", "Voice of America": not a person."""
    words = _fold(who).split()
    if not words:
        return True
    return words[0] == "the" or any(word in _INSTITUTION_WORDS for word in words)


def _person(who, roster):
    """A Speaker for a named person, or None for an institution or a non-name."""
    words = who.split()
    while words and words[0].lower() in _OPENERS:
        words = words[1:]
    who = " ".join(words)
    expert = roster.find(who, surname_ok=True)
    if expert:
        return Speaker(expert.name, expert.slug)
    if len(words) < 2 or is_institution(who) or _fold(who).split()[0] in _NOT_NAMES:
        return None
    return Speaker(who)


def roundup_speaker(paragraph, roster):
    """(Speaker, length of the "Name: " prefix) when the paragraph opens a roundup answer, else None."""
    match = _ROUNDUP.match(paragraph)
    if not match:
        return None
    who = match.group("who").strip()
    expert = roster.find(who)
    if expert:
        return Speaker(expert.name, expert.slug), match.end()
    words = who.split()
    if 2 <= len(words) <= 4 and all(word[:1].isupper() for word in words) and _fold(words[0]) not in _NOT_NAMES:
        if not is_institution(who):
            return Speaker(who), match.end()
    return None


def byline_speaker(line, roster):
    """The author named by a byline line ("By Jane Doe", or a known expert's name alone), or None."""
    if len(line) > 80:
        return None
    expert = roster.mentioned_in(line)
    if expert:
        return Speaker(expert.name, expert.slug)
    match = _BYLINE.match(line)
    if match:
        return _person(match.group("who").split(",")[0].split(" and ")[0].strip(), roster)
    return None


def attribution(sentence, roster):
    """Who a sentence is attributed to by "X said", "said X", "according to X".

    Returns (kind, Speaker or None, who as written): kind is "expert", "person", "institution",
    "pronoun", or None when the sentence names no source.
    """
    for pattern in (_ACCORDING, _SAID_SUBJECT, _SUBJECT_SAID):
        match = pattern.search(sentence)
        if match:
            who = match.group("who").strip()
            if not [word for word in who.split() if word.lower() not in _OPENERS]:
                continue  # "That said", "As noted": no one is named
            speaker = _person(who, roster)
            if speaker is None:
                return ("institution" if is_institution(who) else "third party"), None, who
            return ("expert" if speaker.slug else "person"), speaker, who
    if _PRONOUN_SAID.search(sentence):
        return "pronoun", None, "he/she"
    return None, None, None
