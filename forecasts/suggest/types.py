"""Inputs and outputs of the suggestion engine: plain dataclasses, no Django."""

import dataclasses
import datetime


@dataclasses.dataclass(frozen=True)
class KnownExpert:
    """An expert the database already holds; aliases are other spellings of the name."""

    name: str
    slug: str
    aliases: tuple = ()


@dataclasses.dataclass(frozen=True)
class KnownQuestion:
    """A question a suggestion may be matched to."""

    slug: str
    title: str
    deadline: datetime.date | None = None


@dataclasses.dataclass(frozen=True)
class Speaker:
    """Who made a claim: a known expert (slug set) or a named person not yet in the database."""

    name: str
    slug: str | None = None


@dataclasses.dataclass(frozen=True)
class QuestionMatch:
    """The known question a suggestion matches best, with the rapidfuzz score (0-100)."""

    slug: str
    score: float


@dataclasses.dataclass
class Suggestion:
    """One suggested claim; text[start:end] == quote in the text given to the engine."""

    quote: str
    start: int
    end: int
    speaker: Speaker | None
    is_forecast: bool
    conditional: bool
    hedge: str | None
    probability: float | None
    predicts: str
    statement: str
    deadline: datetime.date | None
    deadline_phrase: str | None
    question: QuestionMatch | None
    proposed_title: str | None
    reasons: list = dataclasses.field(default_factory=list)

    def to_dict(self):
        """A JSON-ready dict (dates in ISO 8601)."""
        return {
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "speaker": dataclasses.asdict(self.speaker) if self.speaker else None,
            "is_forecast": self.is_forecast,
            "conditional": self.conditional,
            "hedge": self.hedge,
            "probability": self.probability,
            "predicts": self.predicts,
            "statement": self.statement,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_phrase": self.deadline_phrase,
            "question": dataclasses.asdict(self.question) if self.question else None,
            "proposed_title": self.proposed_title,
            "reasons": list(self.reasons),
        }
