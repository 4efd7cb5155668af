"""The pipeline: article text in, suggested claims out, each decision explained in `reasons`."""

import dataclasses
import re

from forecasts.suggest import dates, hedging, speakers, statements
from forecasts.suggest.sentences import Span, paragraphs, sentences
from forecasts.suggest.types import QuestionMatch, Speaker, Suggestion

DEFAULT_MATCH_CUTOFF = 75.0
NEGATION_REACH_WORDS = 4
_FUTURE = re.compile(
    r"\b(?:will|won't|won’t|shall|going\s+to|set\s+to|plans?\s+to|about\s+to|stands?\s+to|poised\s+to|due\s+to\s+(?!the\b|a\b|its?\b|their\b))\b"
    r"|\w'll\b|\w’ll\b",
    re.IGNORECASE,
)
# Hedges that ask rather than assert when the sentence is a question ("What could be expected?").
_INTERROGATIVE_HEDGES = {"will", "may", "might", "could", "expect", "think", "believe", "suspect", "doubt"}
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
# A date alone makes a forecast only when the phrase looks ahead ("by 2020", "next week").
_FORWARD_DATE = re.compile(r"^(?:by|until|before|within|next|coming|this\s+coming|later|tomorrow|(?:the\s+)?end\s+of)\b", re.IGNORECASE)
_WOULD = re.compile(r"\bwould\b", re.IGNORECASE)
# "may have suspected": a modal with a perfect infinitive looks back, not ahead.
_PERFECT = re.compile(r"\s+(?:not\s+)?have\s+(?:been|had|done|made|\w+ed|\w+en|\w+wn)\b", re.IGNORECASE)
_PAST_CAPABLE = {"may", "might", "could", "would", "must"}
# "was inevitable", "had been expected", "as expected": the hedge qualifies the past.
_PAST_BEFORE = re.compile(r"\b(?:was|were|had\s+been|has\s+been|have\s+been|as)\s+(?:\w+\s+)?$", re.IGNORECASE)
# "as long as possible", "as much support as possible": not a hedge at all.
_AS_POSSIBLE = re.compile(r"\bas\s+$", re.IGNORECASE)
# Wait-and-see remarks name an open question without taking a side.
_WAIT_AND_SEE = re.compile(
    r"\b(?:interesting\s+to\s+(?:see|note|watch)|remains\s+to\s+be\s+seen|we\s+(?:shall|will|'ll|’ll)\s+see\s+(?:if|whether|how)|"
    r"watching\s+to\s+see|anyone[’']s\s+guess|too\s+early\s+to\s+(?:say|tell))\b",
    re.IGNORECASE,
)
# A photo caption run into the text ("... resurface | Photo: KCNA").
_CAPTION = re.compile(r"\|\s*(?:Photo|Image|Credit|Source)\b[^|]*$")
_CONDITION = re.compile(r"(?:^|[,;:—–]\s*|\s)(?:if|unless|provided\s+that|as\s+long\s+as)\b|^(?:should|were)\s", re.IGNORECASE)
_NOT_A_CONDITION = re.compile(r"\b(?:know|knows|knew|see|wonder|ask|asked|whether)\s+if\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:—–()]|\s(?:but|although|though|while|whereas|and yet)\s", re.IGNORECASE)
_EPISTEMIC = {"think", "believe", "suspect", "doubt"}
_BULLET = re.compile(r"^[•\-*–]\s*")


def _reach(sentence, position, words):
    """The offset `words` words after position (the end of the sentence if fewer remain)."""
    match = re.match(r"(?:\W*\w+(?:['’]\w+)?){%d}" % words, sentence[position:])
    return position + match.end() if match else len(sentence)


def _clause(sentence, position):
    """(start, end) of the clause of the sentence around a character position."""
    start, end = 0, len(sentence)
    for match in _CLAUSE_BREAK.finditer(sentence):
        if match.end() <= position:
            start = match.end()
        elif match.start() >= position:
            end = match.start()
            break
    return start, end


def _is_question(sentence, hits):
    """True when the sentence asks rather than asserts.

    A sentence ending in "?" still asserts when a hedge stands before its last colon or
    semicolon ("X might happen: what then?") or when a graded hedge qualifies something
    inside the question ("during his likely visit ... ?").
    """
    text = _QUOTED.sub("", sentence).rstrip("”\"’' ")
    if not text.endswith("?"):
        return False
    asked_from = max(text.rfind(":"), text.rfind(";"))
    if any(hit.start < asked_from for hit in hits):
        return False
    return not [hit for hit in hits if hit.phrase not in _INTERROGATIVE_HEDGES]


def _is_heading(paragraph):
    """Titles, captions and bylines: short lines without a sentence's final punctuation."""
    text = paragraph.rstrip("”\"’' ")
    return not text.endswith((".", "!", "?")) and len(text.split()) < 15


def _forecast_cues(sentence, hits):
    """The hedges that count (perfect-tense modals dropped) and the future-modal cue, if any."""
    counted = [
        hit for hit in hits
        if not (hit.phrase in _PAST_CAPABLE and _PERFECT.match(sentence, hit.end))
        and not (hit.phrase != "will" and _PAST_BEFORE.search(sentence, 0, hit.start))
        and not (hit.phrase == "possible" and _AS_POSSIBLE.search(sentence, 0, hit.start))
    ]
    return counted, _FUTURE.search(sentence)


def _may_hold_forecast(paragraph, scale):
    """A cheap test before sentence splitting: does any forecast cue occur in the paragraph?"""
    return bool(
        scale.find(paragraph) or _FUTURE.search(paragraph) or _WOULD.search(paragraph)
        or dates.mentions_date(paragraph) or hedging.stated_probability(paragraph)
    )


@dataclasses.dataclass(frozen=True)
class _Context:
    """The speaker in force while reading the article, why, and whether an earlier paragraph set it."""

    speaker: Speaker | None
    why: str
    carried: bool = False

    @property
    def reason(self):
        return self.why + (" (carried from an earlier paragraph)" if self.carried else "")


def _default_speaker(text, roster, authors):
    """The byline: given authors first, else a "By ..." or known-name line near the top."""
    for author in authors:
        expert = roster.by_slug(author) or roster.find(author)
        if expert:
            return _Context(Speaker(expert.name, expert.slug), f"speaker: byline author {expert.name}")
        return _Context(Speaker(author), f"speaker: byline author {author}")
    for index, paragraph in enumerate(paragraphs(text)):
        if index >= 25:
            break
        found = speakers.byline_speaker(_BULLET.sub("", paragraph.text), roster)
        if found:
            return _Context(found, f"speaker: byline line {paragraph.text!r}")
    return _Context(None, "no speaker: no byline and no named speaker yet")


def _analyse(sentence, published, scale):
    """Forecast cues, hedge, side, condition and deadline of one sentence, or None if it is not a forecast."""
    reasons = []
    text = sentence.text
    if _WAIT_AND_SEE.search(text) or _CAPTION.search(text):
        return None
    hits = scale.find(text)
    counted, future = _forecast_cues(text, hits)
    deadline = dates.find_deadline(text, published)
    conditional = bool(_CONDITION.search(text)) and not _NOT_A_CONDITION.search(text)
    would = _WOULD.search(text) if conditional else None
    stated = hedging.stated_probability(text)
    strong = [hit for hit in counted if hit.phrase not in _EPISTEMIC]
    dated = deadline if deadline and _FORWARD_DATE.match(deadline.phrase) else None
    if not (strong or future or dated or would or stated):
        return None
    if _is_question(text, counted):
        return None
    if text.rstrip("”\"’' ").endswith("?"):
        # A kept question is kept for the hedge inside it ("his likely visit"), not its "could".
        counted = [hit for hit in counted if hit.phrase not in _INTERROGATIVE_HEDGES] or counted
    chosen = hedging.choose_hedge(counted)
    if chosen is None:
        cue = future or would
        position = cue.start() if cue else (deadline.start if deadline else 0)
        hedge, value = hedging.FLAT_ASSERTION, scale.value(hedging.FLAT_ASSERTION) or 0.9
        reasons.append(
            f"forecast: future {'modal ' + repr(cue.group()) if cue else 'date ' + repr(deadline.phrase)}, "
            f"no graded hedge: flat assertion {hedge!r} ({value})"
        )
        hedge_span = (position, position)
    else:
        hedge, value = chosen.written, chosen.probability
        position = chosen.start
        reasons.append(f"forecast: hedge {chosen.written!r} = scale phrase {chosen.phrase!r} ({value})")
        hedge_span = (chosen.start, chosen.end)
    clause_start, clause_end = _clause(text, position)
    # A negation denies the hedged verb when it stands before it in the clause or just after it
    # ("will not", "can't expect"), not when it sits in a later verb ("or decide not to enforce").
    reach = _reach(text, hedge_span[1], NEGATION_REACH_WORDS)
    hedge_spans = [(hit.start, hit.end) for hit in hits] + [hedge_span]
    denials = [
        (start, end) for start, end in hedging.negations(text)
        if clause_start <= start < min(clause_end, reach) and not any(a <= start < b for a, b in hedge_spans)
    ]
    negated = bool(denials)
    if stated:
        value, written = stated
        hedge = written
        reasons.append(f"stated probability {written!r} = {value}")
    probability, predicts = hedging.yes_probability(value, negated)
    if negated:
        start, end = denials[0]
        reasons.append(f"negated ({text[start:end]!r}): the statement is the NO side, p(YES) = 1 - {value}")
    if value <= hedging.DOUBT_CEILING and not negated:
        reasons.append(f"{hedge!r} doubts the statement: NO side, p(YES) = {value}")
    if conditional:
        reasons.append("conditional: the claim holds only if its condition ('if ...') is met")
    if deadline:
        reasons.append(f"deadline: {deadline.phrase!r} read against {published.isoformat()} = {deadline.date.isoformat()}")
    else:
        reasons.append("no deadline: the sentence names no date on or after publication")
    return {
        "hedge_end": hedge_span[1],
        "hedge": hedge,
        "probability": probability,
        "predicts": predicts,
        "conditional": conditional,
        "deadline": deadline,
        "reasons": reasons,
    }


def _speaker_of(sentence, local, roster):
    """(speaker, reason, new paragraph context) for one sentence given the speaker in force."""
    kind, said_by, who = speakers.attribution(sentence.text, roster)
    if kind in {"expert", "person"}:
        # A named person speaks from here to the end of the paragraph.
        local = _Context(said_by, f"speaker: attributed in the sentence to {who!r}")
        return said_by, local.reason, local
    if kind in {"institution", "third party"}:
        return None, f"no speaker: attributed to {kind} {who!r}, not an expert's own claim", local
    return local.speaker, local.reason, local


def _question_for(statement, questions, match_cutoff, reasons):
    """The matched known question or None, with the reason appended."""
    found = statements.match_question(statement, questions, match_cutoff)
    if found:
        question = QuestionMatch(*found)
        reasons.append(f"question: matches {question.slug!r} (rapidfuzz token_set_ratio {question.score})")
        return question
    reasons.append(f"question: no known question scores {match_cutoff:g} or more; proposed a new title")
    return None


def suggest_claims(text, *, published, hedges, experts=(), questions=(), authors=(), match_cutoff=DEFAULT_MATCH_CUTOFF):
    """Suggest the claims an article makes: only its forecasts, in text order.

    text: the article; published: its date (relative dates are read against it); hedges: the
    hedge scale as {phrase: probability}; experts: KnownExpert list; questions: KnownQuestion
    list; authors: the source's author slugs or names (the byline, when the text lacks one).
    Returns a list of Suggestion, each with text[start:end] == quote.
    """
    scale = hedging.HedgeScale(hedges)
    roster = speakers.Roster(experts)
    questions_by_slug = {question.slug: question for question in questions}
    context = _default_speaker(text, roster, authors)
    result = []
    for paragraph in paragraphs(text):
        if _is_heading(paragraph.text):
            continue
        roundup = speakers.roundup_speaker(paragraph.text, roster)
        body = paragraph
        if roundup:
            speaker, prefix = roundup
            context = _Context(speaker, f"speaker: roundup paragraph {paragraph.text[:prefix].strip()!r}")
            body = Span(paragraph.text[prefix:], paragraph.start + prefix, paragraph.end)
        elif context.why.startswith("speaker: roundup"):
            context = dataclasses.replace(context, carried=True)
        if not _may_hold_forecast(body.text, scale):
            continue
        local = context
        for sentence in sentences(body):
            speaker, speaker_reason, local = _speaker_of(sentence, local, roster)
            analysis = _analyse(sentence, published, scale)
            if analysis is None:
                continue
            reasons = analysis["reasons"] + [speaker_reason]
            statement = statements.neutral_statement(sentence.text, analysis["hedge_end"])
            question = _question_for(statement, questions, match_cutoff, reasons)
            deadline = analysis["deadline"]
            deadline_date = deadline.date if deadline else None
            if deadline is None and question and questions_by_slug[question.slug].deadline:
                deadline_date = questions_by_slug[question.slug].deadline
                reasons.append(f"deadline: none in the sentence; the matched question's, {deadline_date.isoformat()}")
            result.append(
                Suggestion(
                    quote=sentence.text,
                    start=sentence.start,
                    end=sentence.end,
                    speaker=speaker,
                    is_forecast=True,
                    conditional=analysis["conditional"],
                    hedge=analysis["hedge"],
                    probability=analysis["probability"],
                    predicts=analysis["predicts"],
                    statement=statement,
                    deadline=deadline_date,
                    deadline_phrase=deadline.phrase if deadline else None,
                    question=question,
                    proposed_title=None if question else statement,
                    reasons=reasons,
                )
            )
    return result
