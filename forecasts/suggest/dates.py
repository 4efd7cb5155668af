"""Deadlines from date phrases, read against the publication date.

A few patterns pick the date phrases out of a sentence (dateparser's own `search_dates` is slow
and finds dates in words such as "may"); each phrase is then read by `dateparser.parse` with the
publication date as RELATIVE_BASE, or by a calendar rule for periods ("by the end of the year",
"by 2020"), which always end on the period's last day.
"""

import calendar
import dataclasses
import datetime
import re

import dateparser

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_YEAR = r"(?:19|20)\d\d"
_PERIOD = r"(?:week|month|year|decade|summer|autumn|fall|winter|spring)"
# Each alternative is one kind of phrase; order matters (longest first).
_PHRASE = re.compile(
    r"\b(?:"
    rf"(?P<end_of>(?:the\s+)?end\s+of\s+(?:the\s+|this\s+|next\s+)?(?:{_PERIOD}|{_YEAR}|{_MONTH}(?:\s+{_YEAR})?))"
    rf"|(?P<full>{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+{_YEAR})?)"
    rf"|(?P<month_year>{_MONTH}\s+{_YEAR})"
    rf"|(?P<relative>(?:this|next|coming)\s+{_PERIOD}|later\s+(?:this|in\s+the)\s+(?:week|month|year)|tomorrow|"
    rf"within\s+(?:a|one|two|three|four|five|six|\d+)\s+(?:days?|weeks?|months?|years?)|in\s+the\s+coming\s+(?:days|weeks|months))"
    rf"|(?P<coming_month>(?:this\s+coming|this|next)\s+{_MONTH})"
    rf"|(?P<weekday>(?:on\s+|next\s+|this\s+)?{_WEEKDAY})"
    rf"|(?P<by_month>(?:by|in|until|before)\s+{_MONTH}(?!\s+\d))"
    rf"|(?P<year>(?:by|in|until|before|of)\s+{_YEAR})"
    r")\b",
    re.IGNORECASE,
)
# "earlier this month", "last May": the phrase names the past.
_LOOKING_BACK = re.compile(r"\b(?:earlier|last|since|ago|past|previous)\s+$", re.IGNORECASE)
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
# English only: dateparser then skips language detection, the slow part of a parse.
_SETTINGS = {"PREFER_DATES_FROM": "future", "PREFER_DAY_OF_MONTH": "last", "RETURN_AS_TIMEZONE_AWARE": False}


@dataclasses.dataclass(frozen=True)
class Deadline:
    """A deadline read from a phrase of the sentence."""

    date: datetime.date
    phrase: str
    start: int
    end: int


def _month_end(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _parse(phrase, published):
    """dateparser on one phrase, relative to the publication date."""
    base = datetime.datetime.combine(published, datetime.time())
    parsed = dateparser.parse(phrase, languages=["en"], settings={**_SETTINGS, "RELATIVE_BASE": base})
    return parsed.date() if parsed else None


def _period_end(words, published):
    """Last day of "the year", "this month", "next week", "2020", "May 2019" and the like."""
    year_match = re.search(_YEAR, words)
    month_match = re.search(_MONTH, words, re.IGNORECASE)
    if month_match:
        parsed = _parse(month_match.group() + (f" {year_match.group()}" if year_match else ""), published)
        return _month_end(parsed.year, parsed.month) if parsed else None
    if year_match:
        return datetime.date(int(year_match.group()), 12, 31)
    shift = 1 if "next" in words else 0
    if "week" in words:
        return published + datetime.timedelta(days=6 - published.weekday() + 7 * shift)
    if "month" in words:
        month_index = published.month - 1 + shift
        return _month_end(published.year + month_index // 12, month_index % 12 + 1)
    if "decade" in words:
        return datetime.date(published.year // 10 * 10 + 9 + 10 * shift, 12, 31)
    if "year" in words:
        return datetime.date(published.year + shift, 12, 31)
    return None


def _read(kind, phrase, published):
    words = phrase.lower()
    coming = re.search(r"coming\s+(days|weeks|months)", words)
    if coming:
        return published + datetime.timedelta(days={"days": 7, "weeks": 31, "months": 92}[coming.group(1)])
    if kind in {"end_of", "month_year", "year"} or (kind == "relative" and re.search(r"(this|next|coming|later).*(week|month|year)", words)):
        return _period_end(words, published)
    if kind == "relative" and words.startswith("within"):
        count, unit = words.split()[1:3]
        amount = int(count) if count.isdigit() else _NUMBERS[count]
        days = {"day": 1, "week": 7, "month": 31, "year": 366}[unit.rstrip("s")]
        return published + datetime.timedelta(days=amount * days)
    if kind in {"coming_month", "by_month"}:
        month = re.search(_MONTH, phrase, re.IGNORECASE).group()
        if words.split()[0] in {"this", "in"} and "coming" not in words:
            # "this February", "in May": the month of the publication year, which may be past.
            parsed = _parse(f"{month} {published.year}", published)
        else:
            parsed = _parse(month, published)
        return _month_end(parsed.year, parsed.month) if parsed else None
    if kind == "weekday":
        return _parse(re.sub(r"^(on|this)\s+", "", words), published)
    return _parse(phrase, published)


def find_deadline(sentence, published):
    """The latest date on or after publication named in the sentence, or None.

    Dates before the publication date are history, not deadlines.
    """
    best = None
    for match in _PHRASE.finditer(sentence):
        kind = match.lastgroup
        if _LOOKING_BACK.search(sentence, 0, match.start()):
            continue
        try:
            date = _read(kind, match.group(), published)
        except (ValueError, KeyError, OverflowError):
            date = None
        if date is None or date < published:
            continue
        if best is None or date > best.date:
            best = Deadline(date, match.group(), match.start(), match.end())
    return best


def mentions_date(text):
    """True when the text holds any date phrase (a cheap pre-test, nothing is parsed)."""
    return _PHRASE.search(text) is not None
