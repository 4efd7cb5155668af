"""Paragraphs and sentences of an article, with exact character offsets."""

import dataclasses
import re

import pysbd

_PARAGRAPH = re.compile(r"[^\n]+")
# A paragraph with no full stop, "!" or "?" before its end is one sentence: pysbd is not needed.
_INNER_STOP = re.compile(r"[.!?…]\S*\s")
SEGMENTER = pysbd.Segmenter(language="en", clean=False, char_span=True)


@dataclasses.dataclass(frozen=True)
class Span:
    """A stretch of the article: text[start:end] == text."""

    text: str
    start: int
    end: int


def paragraphs(text):
    """Yield each non-blank line of the text as a Span, leading and trailing white space trimmed."""
    for match in _PARAGRAPH.finditer(text):
        line = match.group()
        stripped = line.strip()
        if stripped:
            start = match.start() + line.index(stripped)
            yield Span(stripped, start, start + len(stripped))


def sentences(paragraph):
    """Split a paragraph Span into sentence Spans with pysbd, offsets checked against the text."""
    if not _INNER_STOP.search(paragraph.text):
        return [paragraph]
    found, cursor = [], 0
    for piece in SEGMENTER.segment(paragraph.text):
        sentence = piece.sent.strip()
        if not sentence:
            continue
        # pysbd's spans can drift on repeated sentences; find the text from the cursor instead.
        local = paragraph.text.find(sentence, cursor)
        if local < 0:
            continue
        cursor = local + len(sentence)
        found.append(Span(sentence, paragraph.start + local, paragraph.start + cursor))
    return found
