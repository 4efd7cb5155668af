"""Reads behind the Atom feeds: the latest resolutions, claims and scored outcomes, as feed entries.

Each feed is a fixed number of queries (one per kind of entry) whatever the number of entries;
entries are plain FeedEntry values, newest first, so the feed classes only map attributes.
Nothing here names who resolved a question: readers never see login names.
"""

import datetime
from dataclasses import dataclass

from django.urls import reverse

from forecasts.constants import Side
from forecasts.models import Claim, QuestionScore, Resolution

FEED_LENGTH = 50


@dataclass(frozen=True)
class FeedEntry:
    """One Atom entry: `key` is stable for the object (its id), `updated` changes when it does."""

    key: str
    title: str
    link: str
    published: datetime.datetime
    updated: datetime.datetime
    summary: str
    author_name: str = ""
    author_link: str = ""
    categories: tuple = ()


def claim_url(claim_id):
    """The claim's own page."""
    return reverse("claim-detail", kwargs={"pk": claim_id})


def _percent(probability):
    return f"{probability * 100:.0f} %"


def _claim_entry(claim):
    question = claim.question
    side = " (about the NO side: p(YES) = 1 − p)" if claim.predicts == Side.NO else ""
    hedge = f"“{claim.hedge}”, " if claim.hedge else ""
    summary = (
        f"{claim.expert.name}: {hedge}p(YES) = {_percent(claim.probability)}{side} on “{question.title}”, "
        f"in {claim.source.title} ({claim.made_on:%d %b %Y}). Quote: “{claim.quote}”"
    )
    return FeedEntry(
        key=f"claim/{claim.pk}",
        title=f"{claim.expert.name}: {_percent(claim.probability)} on {question.title}",
        link=claim.get_absolute_url(),
        published=claim.created_at,
        updated=claim.updated_at,
        summary=summary,
        author_name=claim.expert.name,
        author_link=claim.expert.get_absolute_url(),
        categories=("claim",),
    )


def _resolution_entry(resolution):
    question = resolution.question
    summary = f"“{question.title}” resolved {resolution.get_outcome_display().upper()}."
    if resolution.note:
        summary += f" {resolution.note}"
    if resolution.evidence_url:
        summary += f" Evidence: {resolution.evidence_url}"
    return FeedEntry(
        # One entry per question: a changed resolution updates it rather than adding another.
        key=f"resolution/{question.pk}",
        title=f"Resolved {resolution.get_outcome_display().upper()}: {question.title}",
        link=question.get_absolute_url(),
        published=resolution.resolved_at,
        updated=resolution.resolved_at,
        summary=summary,
        categories=("resolution", resolution.outcome),
    )


def _outcome_entry(row):
    question = row.question
    resolution = question.resolution
    outcome = resolution.get_outcome_display().upper()
    return FeedEntry(
        key=f"outcome/{question.pk}/{row.expert_id}",
        title=f"{row.expert.name}: Brier {row.brier:.3f} on {question.title} (resolved {outcome})",
        link=claim_url(row.claim_id),
        published=resolution.resolved_at,
        updated=resolution.resolved_at,
        summary=(
            f"“{question.title}” resolved {outcome}; {row.expert.name} had said p(YES) = "
            f"{_percent(row.probability)}: Brier (p − o)² = {row.brier:.4f} (0 is perfect, 0.25 is always saying 50 %)."
        ),
        author_name=row.expert.name,
        author_link=row.expert.get_absolute_url(),
        categories=("outcome", resolution.outcome),
    )


def _newest(entries, limit):
    return sorted(entries, key=lambda entry: (entry.updated, entry.key), reverse=True)[:limit]


def resolution_entries(*, topic=None, limit=FEED_LENGTH):
    """The latest resolutions (of a topic's questions, when given), newest first. One query."""
    resolutions = Resolution.objects.select_related("question").order_by("-resolved_at", "-pk")
    if topic is not None:
        resolutions = resolutions.filter(question__topics=topic)
    return [_resolution_entry(resolution) for resolution in resolutions[:limit]]


def _recent_claims(claims, limit):
    return claims.select_related("expert", "source", "question").order_by("-updated_at", "-pk")[:limit]


def expert_entries(expert, *, limit=FEED_LENGTH):
    """An expert's latest claims and scored outcomes, newest first. Two queries."""
    claims = _recent_claims(Claim.objects.filter(expert=expert), limit)
    outcomes = (
        QuestionScore.objects.filter(expert=expert)
        .select_related("expert", "question__resolution")
        .order_by("-question__resolution__resolved_at", "-pk")[:limit]
    )
    return _newest([*map(_claim_entry, claims), *map(_outcome_entry, outcomes)], limit)


def topic_entries(topic, *, limit=FEED_LENGTH):
    """The latest claims on a topic's questions and resolutions of them, newest first. Two queries."""
    claims = _recent_claims(Claim.objects.filter(question__topics=topic), limit)
    return _newest([*map(_claim_entry, claims), *resolution_entries(topic=topic, limit=limit)], limit)
